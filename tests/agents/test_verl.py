"""The verl compute_score adapter: exact rewards, label sets, presets, errors."""

from __future__ import annotations

import importlib.util
import json

import pytest

import agents.verl as verl
from rewards.errors import EmoError

SET = (
    "<step1>Friends hug at a reunion.</step1><step2>They would feel joy.</step2>"
    "<step3>Positive, high arousal.</step3> \\boxed{{{}}}"
)


def test_loads_as_a_file_like_verl_custom_reward_function():
    spec = importlib.util.spec_from_file_location("custom_module", verl.reward.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.compute_score("EmoSet", SET.format("awe"), "awe")["score"] == 1.0


@pytest.mark.parametrize(
    ("source", "answer", "truth", "extra", "score"),
    [
        ("EmoSet", "awe", "awe", None, 1.0),
        ("EmoSet", "fear", "awe", None, 0.2),  # paper: 0.1 format + 0.1 reflective (no judge)
        ("Emotion6", "joy", "joy", None, 1.0),  # emotion6 label set from the data source
        ("whatever", "joy", json.dumps({"label": "joy", "label_set": "emotion6"}), None, 1.0),
        ("EmoSet", "awe", "awe", {"preset": "emo_r3_reference"}, 1.1),
        ("FI", "Awe", "awe", {"preset": "emo_r3_reference"}, 1.1),  # lower-cased compare
        ("x", "surprise", "surprise", {"label_set": "emotion6"}, 1.0),
    ],
)
def test_exact_scores(source, answer, truth, extra, score):
    out = verl.compute_score(source, SET.format(answer), truth, extra)
    assert out["score"] == pytest.approx(score)
    assert {"accuracy", "format"} <= set(out)


def test_env_preset_and_batch(monkeypatch):
    monkeypatch.setenv("EMO_R3_PRESET", "grpo_baseline")
    out = verl.compute_score_batch(
        ["EmoSet", "EmoSet"],
        ["<think>x</think> \\boxed{awe}", "\\boxed{fear}"],
        ["awe", "awe"],
        [None, {}],
    )
    assert [o["score"] for o in out] == pytest.approx([1.0, 0.0])


def test_errors_are_clear():
    with pytest.raises(EmoError, match="Did you mean 'sadness'"):
        verl.compute_score("EmoSet", "x", "sadnes")
    with pytest.raises(EmoError, match="Unknown preset"):
        verl.compute_score("EmoSet", "x", "awe", {"preset": "emo_r3_papr"})
    with pytest.raises(EmoError, match="one entry per sample"):
        verl.compute_score_batch(["EmoSet"], ["a", "b"], ["awe"])
    with pytest.raises(EmoError, match="solution_str must be a str"):
        verl.compute_score("EmoSet", None, "awe")


def test_label_set_for():
    assert verl.label_set_for("EmoSet") == "mikels8"
    assert verl.label_set_for("emotion6") == "emotion6"
    assert verl.label_set_for(None) == "mikels8"
