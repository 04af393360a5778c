"""A tiny text environment of the tests' own (not an emo_env one): ``TinyQuiz-v0``.

Two turns: "What is A + B?" then "And A x B?"; each correct number scores 1. The sample
comes from OpenRLHF's label field through ``reset(options={"prompt", "label",
"images"})``. With a ``judge``, the second step also asks it whether the answer was
polite (a coherence-kind question) and adds 0.5 for "yes".
"""

from __future__ import annotations

import json
import re
import threading

import gymnasium as gym
from gymnasium import spaces

from rewards.judges import JudgeRequest

CHARSET = frozenset(chr(i) for i in range(32, 127)) | {"\n"}
POLITE = "Was this answer polite? Answer yes or no: "


class TinyQuiz(gym.Env):
    metadata = {"render_modes": []}  # noqa: RUF012

    def __init__(self, render_mode=None, judge=None):
        self.observation_space = spaces.Text(256, charset=CHARSET)
        self.action_space = spaces.Text(4096, charset=CHARSET)
        self.judge = judge
        self.resets: list = []
        self.step_threads: list[str] = []

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.resets.append(options)
        sample = json.loads(options["label"])
        self.a, self.b, self.turn = sample["a"], sample["b"], 0
        return f"What is {self.a} + {self.b}?", {"turn": 0}

    def step(self, action):
        self.step_threads.append(threading.current_thread().name)
        numbers = [int(n) for n in re.findall(r"-?\d+", action)]
        want = self.a + self.b if self.turn == 0 else self.a * self.b
        reward = 1.0 if numbers[-1:] == [want] else 0.0
        self.turn += 1
        if self.turn == 1:
            return f"And {self.a} x {self.b}?", reward, False, False, {"correct": reward}
        info = {"correct": reward, "polite": 0.0}
        if self.judge is not None:
            (answer,) = self.judge([JudgeRequest("coherence", POLITE + action)])
            info["polite"] = 1.0 if answer and "yes" in answer.lower() else 0.0
            reward += 0.5 * info["polite"]
        return "", reward, True, False, info


gym.register("TinyQuiz-v0", entry_point=TinyQuiz)
