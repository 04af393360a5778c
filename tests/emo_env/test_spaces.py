"""Gymnasium details: render_mode, text spaces that admit real responses, fitted prompts."""

from __future__ import annotations

import itertools
import pickle

import gymnasium as gym
import numpy as np
import pytest

import emo_env
from emo_env.envs.reason import EmoReasonEnv
from emo_env.envs.reflect import EmoReflectEnv
from emo_env.envs.spaces import PROSE_CHARSET, ProseText, fit_text, prose_space
from rewards.errors import InvalidInputError

IDS = sorted(emo_env.ENV_IDS)

# What policies really write: unicode, emoji, CJK, curly quotes, newlines, tabs, LaTeX.
RESPONSES = [
    "<step1>A child’s face — lit by candles…</step1>\n<step2>Joy 😊</step2>\n"
    "<step3>positive, high arousal</step3>\n\\boxed{amusement}",
    "<step1>烟花在夜空中绽放</step1><step2>人们感到兴奋</step2><step3>积极</step3> \\boxed{excitement}",
    "<step1>\tStorm ⛈️ over the sea.</step1>\r\n<step2>fear → awe</step2>"
    "<step3>négatif, élevé</step3> \\boxed{\\text{fear}}",
    "Ω≈∑ √2 ≤ π \U0001f9e0\U0001f525 \\boxed{awe}",
    "",
]


@pytest.mark.parametrize("env_id", IDS)
def test_render_mode_none_is_accepted(env_id):
    env = gym.make(env_id, render_mode=None)
    assert env.unwrapped.render_mode is None and env.metadata["render_modes"] == []
    env.reset(seed=0)
    env.close()
    vec = gym.make_vec(env_id, num_envs=2, render_mode=None)
    assert vec.render_mode is None
    vec.close()


@pytest.mark.parametrize("mode", ["human", "rgb_array", "ansi"])
def test_other_render_modes_are_refused_clearly(mode):
    with pytest.raises(InvalidInputError, match=r"no render modes .* render_mode=None"):
        EmoReasonEnv(render_mode=mode)
    with (
        pytest.warns(UserWarning, match="not in the possible render_modes"),
        pytest.raises(InvalidInputError, match=f"render_mode={mode!r}"),
    ):
        gym.make("EmoReflect-v0", render_mode=mode)


@pytest.mark.parametrize("response", RESPONSES)
def test_real_responses_are_in_the_action_space_and_step_accepts_them(response):
    env = EmoReasonEnv(split="test")
    assert env.action_space.contains(response)
    env.reset(seed=0)
    _, reward, terminated, _, info = env.step(response)
    assert terminated and isinstance(reward, float) and not info["action_truncated"]


def test_action_space_bounds_and_sampling():
    space = EmoReasonEnv(split="test", max_action_chars=10).action_space
    assert isinstance(space, ProseText) and space.max_length == 10
    assert space.contains("\U0001f600" * 10) and not space.contains("x" * 11)
    assert not space.contains(b"bytes") and not space.contains(None) and not space.contains(3)
    space.seed(0)
    samples = [space.sample() for _ in range(50)]
    assert all(space.contains(s) and set(s) <= set(PROSE_CHARSET) for s in samples)
    assert any(len(s) > 0 for s in samples) and not space.is_np_flattenable


def test_prose_text_equality_and_pickling():
    space = prose_space(100)
    assert space == prose_space(100) and space != prose_space(101)
    assert space != gym.spaces.Text(100, charset=PROSE_CHARSET)
    again = pickle.loads(pickle.dumps(space))
    assert again == space and again.contains("漢字")


def test_fit_text_cuts_only_length():
    assert fit_text("漢字😀", 10) == "漢字😀"
    assert fit_text("a" * 20, 5) == "aaaaa"


TRICKY_PASSAGES = {
    "emoji": "😀 🎆 " * 20,
    "cjk": "人们在海边看日落，感到平静。" * 10,
    "long": "word " * 6000,  # the questions quote > 16,384 characters
}


@pytest.mark.parametrize("kind", sorted(TRICKY_PASSAGES))
@pytest.mark.parametrize("reflection", ["separate", "combined"])
def test_reflective_prompts_stay_in_the_observation_space(kind, reflection):
    env = EmoReflectEnv(split="test", reflection=reflection)
    obs, _ = env.reset(seed=0)
    passage = TRICKY_PASSAGES[kind]
    response = f"<step1>{passage}</step1><step2>{passage}</step2><step3>x</step3>\\boxed{{awe}}"
    assert env.action_space.contains(response)
    done, prompts = False, []
    while not done:
        obs, _, done, _, _ = env.step(response if not prompts else "yes")
        assert env.observation_space.contains(obs), {k: str(v)[:80] for k, v in obs.items()}
        prompts.append(obs["prompt"])
    asked = prompts[:-1] if reflection == "separate" else prompts[:1]
    assert all(passage.strip() in p for p in asked)  # quoted whole: nothing folded or cut
    if kind == "long":
        assert max(len(p) for p in asked) > 16384
    assert np.asarray(obs["image"]).dtype == np.uint8


@pytest.mark.parametrize(
    ("env_id", "options"),
    [("EmoReason-v0", {}), ("EmoReflect-v0", {}), ("EmoReflect-v0", {"reflection": "combined"})],
)
def test_consecutive_returns_never_share_data(env_id, options):
    from gymnasium.utils.passive_env_checker import data_shares_objects

    env = gym.make(env_id, split="test", **options).unwrapped
    returned = []
    for seed in (0, None, None):
        returned.append(env.reset(seed=seed))
        done = False
        while not done:
            obs, _, done, _, info = env.step(RESPONSES[0] if len(returned) % 3 == 1 else "yes")
            returned.append((obs, info))
    for (obs_a, info_a), (obs_b, info_b) in itertools.pairwise(returned):
        assert not data_shares_objects(obs_a, obs_b)
        assert not data_shares_objects(info_a, info_b)
