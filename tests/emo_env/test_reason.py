"""EmoReason-v0: registration, check_env, round trips, seeding, actions, errors."""

from __future__ import annotations

import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import emo_env
from emo_env.data import load_dataset
from emo_env.envs.base import EpisodeStateError
from emo_env.envs.reason import EmoReasonEnv
from rewards import presets
from rewards.errors import InvalidInputError, UnknownNameError
from rewards.judges import ConstantJudge
from rewards.labels import get_label_set
from rewards.prompts import build_prompt

MIKELS = get_label_set("mikels8").names


def answer(label: str, step3: str = "positive, high arousal") -> str:
    return (
        "<step1>The scene shows a clear subject.</step1><step2>A person would react to it."
        f"</step2><step3>{step3}</step3> \\boxed{{{label}}}"
    )


@pytest.mark.parametrize("env_id", sorted(emo_env.ENV_IDS))
def test_check_env_on_every_id(env_id):
    env = gym.make(env_id)
    check_env(env.unwrapped, skip_render_check=True)
    env.close()


@pytest.mark.slow  # a fresh interpreter imports gymnasium and the data stack (~9 s)
def test_ids_register_without_importing_emo_env_first():
    code = (
        "import gymnasium as gym; env = gym.make('emo_env:EmoReason-v0');"
        "obs, info = env.reset(seed=0); print(sorted(obs))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['caption', 'image', 'prompt']"


def test_import_emo_env_is_light_and_registers_after_gymnasium_import():
    code = (
        "import sys, emo_env;"
        "heavy = [m for m in ('gymnasium', 'numpy', 'datasets', 'torch') if m in sys.modules];"
        "import gymnasium as gym; print(heavy, 'EmoReflect-v0' in gym.registry)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] True"


def test_round_trip_observation_and_info():
    env = gym.make("EmoReason-v0", split="test", image_size=(64, 96))
    obs, info = env.reset(seed=3)
    assert obs["image"].shape == (64, 96, 3) and obs["image"].dtype == np.uint8
    assert obs["prompt"] == build_prompt("mikels8", "set")
    assert obs["caption"] and info["label"] in MIKELS and info["dataset"] == "embedded"
    _obs2, reward, terminated, truncated, step = env.step(answer(info["label"]))
    assert (reward, terminated, truncated) == (1.0, True, False)
    assert step["components"] == {
        "accuracy": 1.0,
        "format": 1.0,
        "consistency": 1.0,
        "coherence": 1.0,
    }
    assert step["correct"] and step["answer"] == info["label"] and step["malformed"] == []
    assert step["steps"] == [
        "The scene shows a clear subject.",
        "A person would react to it.",
        "positive, high arousal",
    ]
    assert step["sample_id"] == info["sample_id"]


def test_seeding_gives_same_order_and_observations():
    a, b = gym.make("EmoReason-v0"), gym.make("EmoReason-v0")
    ids_a, ids_b = [], []
    for env, ids in ((a, ids_a), (b, ids_b)):
        obs, info = env.reset(seed=7)
        first = obs
        ids.append(info["sample_id"])
        for _ in range(20):  # past the 15 training samples: a reshuffled second epoch
            env.step("x")
            ids.append(env.reset()[1]["sample_id"])
    assert ids_a == ids_b and len(set(ids_a[:15])) == 15
    obs_b = b.reset(seed=7)[0]
    assert np.array_equal(first["image"], obs_b["image"]) and first["prompt"] == obs_b["prompt"]
    other = [a.reset(seed=8)[1]["sample_id"]] + [
        (a.step("x"), a.reset()[1]["sample_id"])[1] for _ in range(14)
    ]
    assert other != ids_a[:15]


@pytest.mark.parametrize("split", ["train", "test"])
def test_true_label_beats_every_other_label_on_every_sample(split):
    env = EmoReasonEnv(split=split, rubric="emo_r3_robust")
    for index in range(len(env.dataset)):
        _, info = env.reset(options={"index": index})
        label = info["label"]
        polarity = get_label_set("mikels8")[label].polarity
        arousal = get_label_set("mikels8")[label].arousal
        step3 = f"{polarity}, {arousal} arousal"
        rewards = {}
        for candidate in MIKELS:
            env.reset(options={"index": index})
            rewards[candidate] = env.step(answer(candidate, step3))[1]
        best = max(r for c, r in rewards.items() if c != label)
        assert rewards[label] > best, (info["sample_id"], rewards)


def test_malformed_empty_huge_and_non_string_actions():
    env = EmoReasonEnv(split="test", max_action_chars=1000)
    _, info = env.reset(seed=0)
    _, reward, done, _, step = env.step("I think it is " + info["label"])
    # no judge: the two reflective components count 1 (0.05 each), the rest 0
    assert reward == pytest.approx(0.1) and done and "no_box" in step["malformed"]
    assert step["components"]["format"] == 0.0
    env.reset(seed=0)
    _, reward, _, _, step = env.step("")
    assert reward == pytest.approx(0.1) and step["malformed"] == ["empty"]
    env.reset(seed=0)
    huge = answer(info["label"]) + "x" * 1_000_000
    _, reward, _, _, step = env.step(huge)
    assert step["action_truncated"] and reward == 1.0  # cut to 1000 chars, then scored
    env.reset(seed=0)
    for bad in (None, 3, b"bytes", ["a list"]):
        with pytest.raises(InvalidInputError, match="response text \\(str\\)"):
            env.step(bad)
    robust = EmoReasonEnv(split="test", rubric="emo_r3_robust")
    _, info = robust.reset(seed=0)
    _, reward, _, _, step = robust.step(answer(info["label"]) + " word" * 1_000_000)
    assert step["components"]["guard_overlong"] == -1.0 and step["action_truncated"]


def test_step_before_reset_and_after_termination():
    env = EmoReasonEnv(split="test")
    with pytest.raises(EpisodeStateError, match="Call reset\\(\\) before step\\(\\)"):
        env.step("x")
    env.reset(seed=0)
    env.step("x")
    with pytest.raises(EpisodeStateError, match="episode has ended"):
        env.step("x")


def test_options_are_checked():
    with pytest.raises(UnknownNameError, match="Did you mean 'image_size'"):
        gym.make("EmoReason-v0", image_sise=64)
    with pytest.raises(UnknownNameError, match="Did you mean 'set'"):
        EmoReasonEnv(template="sett")
    with pytest.raises(InvalidInputError, match="image_size"):
        EmoReasonEnv(image_size=(0, 3))
    with pytest.raises(UnknownNameError, match="Did you mean 'emo_r3_paper'"):
        EmoReasonEnv(rubric="emo_r3_papr")
    env = EmoReasonEnv(split="test")
    with pytest.raises(UnknownNameError, match="Did you mean 'embedded/rocket'"):
        env.reset(options={"sample_id": "embedded/rockt"})
    with pytest.raises(InvalidInputError, match="outside"):
        env.reset(options={"index": 99})


def test_think_template_caption_prompt_judge_and_dataset_object():
    ds = load_dataset("embedded", "test", label_set="sentiment2")
    env = EmoReasonEnv(dataset=ds, template="think", caption_in_prompt=True)
    obs, _ = env.reset(options={"sample_id": "embedded/rocket"})
    assert obs["prompt"].startswith("Image description: A tall rocket")
    assert "<think>" in obs["prompt"] and "Options: positive, negative." in obs["prompt"]
    _, reward, _, _, step = env.step("<think>bright launch</think> \\boxed{positive}")
    assert reward == 1.0 and set(step["components"]) == {"accuracy", "format"}
    judge = ConstantJudge(consistency="no", coherence="fear")
    env = EmoReasonEnv(split="test", judge=judge)
    _, _info = env.reset(options={"sample_id": "embedded/rocket"})
    _, reward, _, _, step = env.step(answer("awe"))
    assert step["components"]["consistency"] == 0.0 and step["components"]["coherence"] == 0.0
    assert reward == pytest.approx(0.9) and judge.calls == 1
    rubric = presets.get("emo_r3_reference")
    env = EmoReasonEnv(split="test", rubric=rubric)
    env.reset(options={"sample_id": "embedded/rocket"})
    assert env.step(answer("awe"))[1] == pytest.approx(1.1)


def test_reference_preset_runs_use_the_authors_template():
    reference = build_prompt("mikels8", "reference")
    env = EmoReasonEnv(split="test", rubric="emo_r3_reference")
    obs, _ = env.reset(seed=0)
    assert env.config.template == "reference" and obs["prompt"] == reference
    _, reward, _, _, info = env.step(answer("awe"))
    assert info["format_ok"] and len(info["steps"]) == 3 and reward == pytest.approx(1.1)
    chosen = EmoReasonEnv(split="test", rubric="emo_r3_reference", template="set")
    assert chosen.reset(seed=0)[0]["prompt"] == build_prompt("mikels8", "set")
    default = EmoReasonEnv(split="test")
    assert default.config.template == "set" and default.rubric.__name__ == "emo_r3_paper"
    by_template = EmoReasonEnv(split="test", template="reference")
    assert by_template.rubric.__name__ == "emo_r3_reference"
    # a config re-used with another rubric picks the template again, unless one was chosen
    again = EmoReasonEnv(default.config, rubric="emo_r3_reference")
    assert again.config.template == "reference"
    kept = EmoReasonEnv(chosen.config, rubric="emo_r3_paper")
    assert kept.config.template == "set"
    reflect = gym.make("EmoReflect-v0", rubric="emo_r3_reference")
    assert reflect.reset(seed=0)[0]["prompt"] == reference
