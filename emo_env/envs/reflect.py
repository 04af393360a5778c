"""``EmoReflect-v0``: the Reflective Emotional Reward as environment dynamics.

Turn 1: the agent sees the image and the SET question and gives its response (reward
0, not terminated). Turn 2: the observation's ``prompt`` holds the two reflective
questions about that response, built exactly as the reward asks them
(:func:`rewards.judges.consistency_prompt` with the image, and
:func:`rewards.judges.coherence_prompt`), numbered and followed by the reply format::

    <answer1>yes or no</answer1>
    <answer2>one emotion</answer2>

The agent's answers are the judge's verdicts: the rubric scores them with the reflective
verdict parsers of its scoring (reference, paper or robust), together with accuracy and
format of the turn-1 response; that total is the turn-2 reward and ends the episode.
``info["questions"]`` also gives each question alone, for policies that ask them as two
separate chat turns; the turn-2 action may then be a mapping
``{"consistency": ..., "coherence": ...}`` or a pair of strings. An answer that cannot
be found counts as an empty answer (never as "no verdict").

Example:
    >>> import gymnasium as gym
    >>> import emo_env
    >>> env = gym.make("EmoReflect-v0")
    >>> obs, info = env.reset(seed=0)
    >>> label = info["label"]
    >>> obs, r1, done, _, info = env.step(
    ...     f"<step1>a scene</step1><step2>people feel {label}</step2>"
    ...     f"<step3>strong</step3> \\\\boxed{{{label}}}")
    >>> done, obs["turn"], "<answer1>" in obs["prompt"]
    (False, 1, True)
    >>> obs, r2, done, _, info = env.step(f"<answer1>yes</answer1><answer2>{label}</answer2>")
    >>> r1, r2, done
    (0.0, 1.0, True)
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

from gymnasium import spaces

from emo_env.envs.base import PROMPT_CHARS, EmoEnvBase, Pending
from emo_env.envs.reason import step_info
from rewards.errors import InvalidInputError
from rewards.judges import NO_PASSAGE_PROMPT, JudgeRequest
from rewards.reflective import ReflectiveReward

__all__ = ["AnswerJudge", "EmoReflectEnv", "parse_reflection", "reflection_message"]

KINDS = ("consistency", "coherence")
QUESTION_CHARS = 4096  # room for the question text around a quoted response
_ANSWER = {
    kind: re.compile(rf"<\s*answer{i}\s*>(.*?)(?:<\s*/\s*answer{i}\s*>|$)", re.S | re.I)
    for i, kind in enumerate(KINDS, start=1)
}


class AnswerJudge:
    """A judge answering with verdicts given in advance: the agent's own answers.

    :meth:`load` queues an answer per (kind, prompt); each request pops the next one,
    so identical questions in a batch get their answers in order.
    """

    def __init__(self) -> None:
        self._queue: dict[tuple[str, str], deque] = {}

    def load(self, kind: str, prompt: str, answer: str) -> None:
        self._queue.setdefault((kind, prompt), deque()).append(answer)

    def clear(self) -> None:
        self._queue.clear()

    def __call__(self, requests: list[JudgeRequest]) -> list[str | None]:
        out = []
        for request in requests:
            queue = self._queue.get((request.kind, request.prompt))
            out.append(queue.popleft() if queue else "")
        return out

    def __repr__(self) -> str:
        return "AnswerJudge()"


def reflection_message(questions: Mapping[str, str]) -> str:
    """The turn-2 user message holding both questions and the reply format."""
    return (
        "Now check your reasoning above. Answer both questions.\n"
        f"Question 1 (about the image): {questions['consistency']}\n"
        f"Question 2:\n{questions['coherence']}\n"
        "Reply exactly in this form:\n"
        "<answer1>yes or no</answer1>\n<answer2>one emotion</answer2>"
    )


def parse_reflection(action: Any) -> dict[str, str]:
    """The two answers of a turn-2 action (a tagged str, a mapping or a pair).

    Raises:
        InvalidInputError: the action is none of these forms.
    """
    if isinstance(action, str):
        out = {}
        for kind, pattern in _ANSWER.items():
            match = pattern.search(action)
            out[kind] = match.group(1).strip() if match else ""
        return out
    if isinstance(action, Mapping):
        values = [action.get(k, "") for k in KINDS]
    elif isinstance(action, Sequence) and len(action) == 2:
        values = list(action)
    else:
        values = None
    if values is None or not all(isinstance(v, str) for v in values):
        raise InvalidInputError(
            "The turn-2 action must be a str with <answer1>...</answer1><answer2>..."
            "</answer2>, a mapping {'consistency': str, 'coherence': str}, or a pair of "
            f"str; got {type(action).__name__}."
        )
    return dict(zip(KINDS, values, strict=True))


class EmoReflectEnv(EmoEnvBase):
    """Two turns: a SET response, then the agent's answers to its own reflective questions.

    Observation: as ``EmoReason-v0`` plus ``turn`` (0 or 1). ``info`` of turn 1 holds
    ``questions``; ``info`` of turn 2 holds everything ``EmoReason-v0`` gives plus
    ``answers`` and ``questions``. Options: see :class:`~emo_env.envs.config.EnvConfig`
    (``rubric`` must be a preset name taking ``judge=``, or a Rubric whose
    :class:`~rewards.reflective.ReflectiveReward` has an :class:`AnswerJudge`;
    ``judge=`` is refused: the agent is the judge).
    """

    def _make_rubric(self) -> Any:
        config = self.config
        if config.template != "set":
            raise InvalidInputError(
                "EmoReflect-v0 needs template='set': the reflective questions quote <step1> "
                "and <step2> of the response."
            )
        if config.judge is not None:
            raise InvalidInputError(
                "EmoReflect-v0 takes no judge: the agent answers its own reflective questions."
            )
        return config.build_rubric(judge=AnswerJudge())

    def _setup(self, config, dataset, rubric) -> None:
        super()._setup(config, dataset, rubric)
        found = [f for f in self.rubric.funcs if isinstance(f, ReflectiveReward)]
        if not found or not isinstance(found[0].judge, AnswerJudge):
            raise InvalidInputError(
                f"EmoReflect-v0 needs a rubric with a ReflectiveReward judged by an AnswerJudge; "
                f"{self.rubric!r} has none. Pass a preset name such as 'emo_r3_paper'."
            )
        self._reflective: ReflectiveReward = found[0]
        self._judge: AnswerJudge = found[0].judge

    def _prompt_limit(self, config) -> int:
        # the reflective questions quote up to a whole response: room for it, never cut
        return max(PROMPT_CHARS, config.max_action_chars + QUESTION_CHARS)

    def _obs_spaces(self, height: int, width: int) -> dict[str, Any]:
        return {**super()._obs_spaces(height, width), "turn": spaces.Discrete(2)}

    def _on_reset(self) -> None:
        self._turn = 0
        self._first: Pending | None = None

    def _observation(self, prompt: str | None = None) -> dict[str, Any]:
        obs = super()._observation(prompt)
        obs["turn"] = getattr(self, "_turn", 0)
        return obs

    def _questions(self, text: str) -> dict[str, str]:
        sample = self._sample
        kwargs = {
            "label": [sample["label"]],
            "image": [sample["image"]],
            "label_set": [sample["label_set"]],
        }
        asked = {r.kind: r.prompt for r in self._reflective.requests([text], kwargs)}
        return {kind: asked.get(kind, NO_PASSAGE_PROMPT) for kind in KINDS}

    def _begin_step(self, action: Any) -> Pending:
        self._check_running()
        if self._turn == 0:
            text, cut = self._response(action)
            return Pending(text, self._sample, cut, score=False, questions=self._questions(text))
        first = self._first
        answers = parse_reflection(action)
        return Pending(
            first.text, first.sample, first.truncated_action, True, answers, first.questions
        )

    def _score(self, pendings: list[Pending]) -> list[Any]:
        asked = set(self._reflective.components)
        for p in pendings:
            if p.score:
                for kind in KINDS:
                    if kind in asked:
                        self._judge.load(kind, p.questions[kind], p.answers[kind])
        try:
            return super()._score(pendings)
        finally:
            self._judge.clear()

    def _finish_step(self, pending: Pending, result: Any):
        if not pending.score:
            self._turn, self._first = 1, pending
            prompt = reflection_message(pending.questions)
            info = {
                "sample_id": pending.sample["id"],
                "turn": 0,
                "questions": dict(pending.questions),
                "action_truncated": pending.truncated_action,
            }
            return self._observation(prompt), 0.0, False, False, info
        self._running = False
        info = step_info(self, pending, result)
        info.update(turn=1, answers=dict(pending.answers), questions=dict(pending.questions))
        return (
            self._observation(reflection_message(pending.questions)),
            info["reward"],
            True,
            False,
            info,
        )
