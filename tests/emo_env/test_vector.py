"""The vector path: one rubric call per vector step, same rewards as single envs."""

from __future__ import annotations

import itertools

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import SyncVectorEnv

import emo_env  # noqa: F401 - registers the ids
from emo_env.envs.reason import EmoReasonEnv
from emo_env.envs.vector import EmoVectorEnv
from rewards.errors import InvalidInputError
from rewards.judges import ConstantJudge


def answer(label: str) -> str:
    return f"<step1>a scene</step1><step2>one feels</step2><step3>so</step3> \\boxed{{{label}}}"


def test_make_vec_defaults_to_the_batched_env_and_scores_once_per_step():
    judge = ConstantJudge(consistency="yes", coherence="awe")
    envs = gym.make_vec("EmoReason-v0", num_envs=4, judge=judge)
    assert isinstance(envs.unwrapped, EmoVectorEnv)
    obs, infos = envs.reset(seed=0)
    assert obs["image"].shape == (4, 224, 224, 3) and len(obs["prompt"]) == 4
    labels = list(infos["label"])
    for step in range(3):
        actions = [answer(label) for label in labels]
        obs, rewards, terminated, truncated, infos = envs.step(actions)
        assert judge.calls == step + 1  # one judge batch (one rubric call) per vector step
        assert terminated.all() and not truncated.any()
        final = infos["final_info"]
        assert list(final["label"]) == labels and final["correct"].all()
        expected = [1.0 if label == "awe" else 0.95 for label in labels]
        np.testing.assert_allclose(rewards, expected)
        labels = list(infos["label"])  # the next episode started in the same step
    envs.close()


def test_vector_rewards_match_single_envs_and_seeds():
    vec = gym.make_vec("EmoReason-v0", num_envs=3)
    _obs, infos = vec.reset(seed=10)
    actions = [answer("fear"), "", answer(infos["label"][2])]
    _, rewards, *_ = vec.step(actions)
    singles = []
    for i, action in enumerate(actions):
        env = EmoReasonEnv()
        env.reset(seed=10 + i)
        singles.append(env.step(action)[1])
    np.testing.assert_allclose(rewards, singles)
    assert list(infos["sample_id"]) == [
        EmoReasonEnv().reset(seed=10 + i)[1]["sample_id"] for i in range(3)
    ]


def test_sync_mode_works():
    envs = gym.make_vec("EmoReason-v0", num_envs=2, vectorization_mode="sync", split="test")
    assert isinstance(envs, SyncVectorEnv)
    _, infos = envs.reset(seed=1)
    _, rewards, terminated, *_ = envs.step([answer(label) for label in infos["label"]])
    assert terminated.all() and rewards.tolist() == [1.0, 1.0]


def test_reflect_vector_three_turns_one_call():
    envs = gym.make_vec("EmoReflect-v0", num_envs=2, split="test")
    _, infos = envs.reset(seed=0)
    labels = list(infos["label"])
    obs, rewards, terminated, _, infos = envs.step([answer(label) for label in labels])
    assert obs["turn"].tolist() == [1, 1] and obs["has_image"].tolist() == [1, 1]
    assert not terminated.any() and rewards.sum() == 0 and not infos["trainable"].any()
    obs, rewards, terminated, _, infos = envs.step(["yes", "no"])
    assert obs["turn"].tolist() == [2, 2] and obs["has_image"].tolist() == [0, 0]
    assert not obs["image"].any() and not terminated.any()
    obs, rewards, terminated, _, infos = envs.step([labels[0], "none"])
    assert terminated.all() and obs["turn"].tolist() == [0, 0]  # reset in the same step
    np.testing.assert_allclose(rewards, [1.0, 0.9])
    final = infos["final_info"]
    assert final["components"]["coherence"].tolist() == [1.0, 0.0]


def test_reflect_vector_combined_two_turns():
    envs = gym.make_vec("EmoReflect-v0", num_envs=2, split="test", reflection="combined")
    _, infos = envs.reset(seed=0)
    labels = list(infos["label"])
    obs, rewards, terminated, _, _ = envs.step([answer(label) for label in labels])
    assert obs["turn"].tolist() == [1, 1] and not terminated.any() and rewards.sum() == 0
    replies = [f"<answer1>yes</answer1><answer2>{labels[0]}</answer2>", "<answer1>no</answer1>"]
    obs, rewards, terminated, _, infos = envs.step(replies)
    assert terminated.all() and obs["turn"].tolist() == [0, 0]
    np.testing.assert_allclose(rewards, [1.0, 0.9])


def test_vector_errors():
    envs = gym.make_vec("EmoReason-v0", num_envs=2)
    envs.reset(seed=0)
    with pytest.raises(InvalidInputError, match="one action per sub-environment"):
        envs.step(["only one"])
    with pytest.raises(InvalidInputError, match="num_envs"):
        EmoVectorEnv(EmoReasonEnv, num_envs=0)


def test_merge_infos_layout():
    from emo_env.envs.vector import merge_infos

    merged = merge_infos([{"a": 1, "n": {"x": True}}, {"b": "s", "n": {"x": False}}])
    assert merged["a"].tolist() == [1, 0] and merged["_a"].tolist() == [True, False]
    assert merged["b"].tolist() == [None, "s"] and merged["_b"].tolist() == [False, True]
    assert merged["n"]["x"].tolist() == [True, False] and merged["_n"].all()
    full = merge_infos([{"r": 0.5, "c": None}, {"r": 1.0, "c": 2.0}])
    assert full["r"].dtype == np.float64 and full["c"].tolist() == [None, 2.0]
    floats = merge_infos([{"x": 0.5, "y": 1.0}, {"x": 0.0, "y": 0.25}])  # one table
    assert floats["x"].tolist() == [0.5, 0.0] and floats["y"].tolist() == [1.0, 0.25]
    assert floats["x"].dtype == np.float64 and floats["_y"].tolist() == [True, True]
    mixed = merge_infos([{"n": 1, "b": True, "s": "a", "l": [1, 2]}] * 2)
    assert mixed["n"].dtype == np.int64 and mixed["b"].dtype == np.bool_
    assert mixed["s"].dtype == object and mixed["l"][1] == [1, 2]
    assert not mixed["_n"].flags.writeable  # one shared read-only mask per level


@pytest.mark.parametrize("env_id", ["EmoReason-v0", "EmoReflect-v0"])
def test_vector_observations_are_fresh_and_in_the_space(env_id):
    from gymnasium.vector.utils import concatenate, create_empty_array

    envs = gym.make_vec(env_id, num_envs=3, split="test")
    first, infos = envs.reset(seed=0)
    second, *_ = envs.step([answer(label) for label in infos["label"]])
    third, *_ = envs.step(["yes"] * 3)
    for obs in (first, second, third):
        assert envs.observation_space.contains(obs)
        expected = concatenate(
            envs.single_observation_space,
            [{k: obs[k][i] for k in obs} for i in range(3)],
            create_empty_array(envs.single_observation_space, 3),
        )
        assert obs.keys() == expected.keys()
        for key in obs:
            assert type(obs[key]) is type(expected[key])
            np.testing.assert_array_equal(np.asarray(obs[key]), np.asarray(expected[key]))
    # a new batch on every call: what a user keeps is never overwritten
    assert not np.shares_memory(first["image"], second["image"])
    assert not np.shares_memory(second["image"], third["image"])
    kept = first["image"].copy()
    envs.step([answer("awe")] * 3)
    np.testing.assert_array_equal(first["image"], kept)


def test_observation_images_are_read_only_and_never_shared_by_consecutive_returns():
    env = gym.make("EmoReason-v0", split="test")
    obs, info = env.reset(seed=0)
    final, *_ = env.step(answer(info["label"]))
    again, _ = env.reset(options={"sample_id": info["sample_id"]})
    last, *_ = env.step(answer(info["label"]))
    images = [o["image"] for o in (obs, final, again, last)]
    for image in images:
        assert not image.flags.writeable and image.any()
        with pytest.raises(ValueError, match="read-only"):
            image[0, 0] = 0  # the cache cannot be changed through an observation ...
        with pytest.raises(ValueError):
            image.setflags(write=True)  # ... nor made writable
        np.testing.assert_array_equal(image, images[0])
    for a, b in itertools.pairwise(images):
        assert not np.shares_memory(a, b)
    assert not np.shares_memory(images[0], images[2])  # reset, final, reset: three copies


def assert_same(a, b, where="info"):
    """Equal layouts: same keys in the same order, same types, dtypes and values."""
    assert type(a) is type(b), where
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        if a.dtype == object:
            for x, y in zip(a.flat, b.flat, strict=True):
                assert_same(x, y, where)
        else:
            np.testing.assert_array_equal(a, b, err_msg=where)
            assert a.flags.writeable == b.flags.writeable, where
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b), where
        for x, y in zip(a, b, strict=True):
            assert_same(x, y, where)
    else:
        assert a == b, where


def maybe_applies(completions, **kwargs):
    """A plain reward that does not apply (None) to every other response."""
    return [None if i % 2 else 0.5 for i in range(len(completions))]


@pytest.mark.parametrize("rubric", ["emo_r3_paper", "emo_r3_robust", "custom"])
def test_the_single_turn_path_equals_the_general_path(rubric):
    from rewards.rubric import Rubric
    from rewards.rules import AccuracyReward, FormatReward

    if rubric == "custom":  # None components: object columns instead of a float table
        rubric = Rubric([AccuracyReward(), FormatReward(), maybe_applies])
    fast, general = (
        EmoVectorEnv(EmoReasonEnv, 4, split="all", rubric=rubric, max_action_chars=300)
        for _ in range(2)
    )
    assert fast._single_turn
    general._single_turn = False  # each sub-env's _finish_step and autoreset, merge_infos
    got = [fast.reset(seed=3), general.reset(seed=3)]
    assert_same(*got)
    labels = list(got[0][1]["label"])
    for step in range(6):
        actions = [
            answer(labels[0]),
            "",  # empty: malformed
            "<step1>x</step1> \\boxed{awe} \\boxed{" + labels[2] + "}",  # malformed, 2 boxes
            answer(labels[3]) + "x" * 400 if step % 2 else "< step1 >a</step1>\\boxed{fear}",
        ]
        got = [fast.step(actions), general.step(actions)]
        for a, b in zip(*got, strict=True):
            assert_same(a, b)
        final = got[0][4]["final_info"]
        assert final["malformed"][1] == ["empty"] and final["steps"][0] == [
            "a scene",
            "one feels",
            "so",
        ]
        assert final["action_truncated"].tolist() == [False, False, False, step % 2 == 1]
        labels = list(got[0][4]["label"])
