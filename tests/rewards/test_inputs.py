"""Input normalisation in one place: gold labels, lone surrogates, captions, checker batch."""

import math

import pytest

from rewards import _inputs, presets
from rewards.errors import InvalidInputError, UnknownNameError
from rewards.rubric import Rubric
from rewards.rules import AccuracyReward
from rewards.testing import SAMPLE_BATCH, check_reward, sample_batch

GOOD = (
    "<step1>A storm over a small boat.</step1><step2>Anyone aboard would be scared."
    "</step2><step3>Negative, high arousal.</step3> \\boxed{fear}"
)
RULE_PRESETS = ["emo_r3_reference", "emo_r3_paper", "emo_r3_robust"]


# --- gold labels ------------------------------------------------------------------------


@pytest.mark.parametrize("gold", ["fear", " fear ", "Fear", "FEAR\n", "\tfear"])
@pytest.mark.parametrize("name", RULE_PRESETS)
def test_gold_labels_are_stripped_and_lower_cased_once(name, gold):
    expected = {"emo_r3_reference": 1.1, "emo_r3_paper": 1.0, "emo_r3_robust": 1.0}[name]
    result = presets.get(name).score_batch([GOOD], [gold])[0]
    assert result.components["accuracy"] == 1.0
    assert result.total == pytest.approx(expected)


def test_baseline_and_judged_coherence_see_the_normalised_label():
    think = "<think>A storm over a small boat.</think> \\boxed{fear}"
    assert presets.get("grpo_baseline").score_batch([think], [" Fear "])[0].total == 1.0
    from rewards.judges import ConstantJudge

    judged = presets.get("emo_r3_reference", judge=ConstantJudge("yes", "fear"))
    assert judged.score_batch([GOOD], [" FEAR "])[0].components["coherence"] == 1.0


def test_gold_labels_returns_the_normalised_names():
    sets = _inputs.label_sets({}, 3, "mikels8")
    assert _inputs.gold_labels({"label": [" Awe", "awe", "FEAR"]}, 3, sets) == [
        "awe",
        "awe",
        "fear",
    ]
    mixed = _inputs.label_sets({"label_set": ["emotion6", "mikels8"]}, 2, "mikels8")
    assert _inputs.gold_labels({"label": ["Joy ", " awe"]}, 2, mixed) == ["joy", "awe"]


def test_unknown_gold_labels_still_raise_with_the_closest_one():
    with pytest.raises(UnknownNameError, match="Did you mean 'fear'"):
        AccuracyReward()(None, [GOOD], label=[" Feer "])
    with pytest.raises(InvalidInputError, match="Gold labels must be strings"):
        AccuracyReward()(None, [GOOD, GOOD], label=["fear", None])


# --- lone surrogates --------------------------------------------------------------------


def test_lone_surrogates_become_the_replacement_character():
    assert _inputs.completion_texts(["a\ud800b", "ok", "é\udfff"]) == ["a\ufffdb", "ok", "é\ufffd"]
    chat = [[{"role": "assistant", "content": "x\udc00"}]]
    assert _inputs.completion_texts(chat) == ["x\ufffd"]
    ascii_batch = ["plain", "text"]
    assert _inputs.completion_texts(ascii_batch) is ascii_batch  # ASCII: not even copied
    assert _inputs.clean_captions({"caption": ["c\ud800", None]}) == {"caption": ["c\ufffd", None]}


@pytest.mark.parametrize("name", [*RULE_PRESETS, "grpo_baseline"])
def test_rule_presets_score_a_lone_surrogate_like_its_replacement(name):
    rubric = presets.get(name)
    broken = GOOD.replace("boat", "boat\ud800")
    fixed = GOOD.replace("boat", "boat\ufffd")
    assert rubric.score_batch([broken], ["fear"]) == rubric.score_batch([fixed], ["fear"])


def test_offline_preset_scores_a_lone_surrogate():
    rubric = presets.get("emo_r3_offline")
    caption = "A small boat in a storm\ud800."
    result = rubric.score_batch([GOOD.replace("boat", "boat\ud800")], ["fear"], captions=[caption])
    assert math.isfinite(result[0].total)
    assert result[0].components["consistency"] is not None


# --- captions= --------------------------------------------------------------------------


def caption_length(prompts, completions, caption=None, **kwargs):
    return [float(len(c)) if c is not None else None for c in caption]


def test_captions_keyword_is_the_caption_column():
    rubric = Rubric([caption_length])
    plural = rubric.score_batch(["a", "b"], captions=["one", None])
    singular = rubric.score_batch(["a", "b"], caption=["one", None])
    assert [r.components["caption_length"] for r in plural] == [3.0, None]
    assert plural == singular
    assert rubric.score("a", "fear", caption="three").total == 5.0


# --- the checker's own batch --------------------------------------------------------------


def test_sample_batch_carries_every_column_a_preset_reads():
    batch = sample_batch()
    assert set(batch) == {*SAMPLE_BATCH, "image"}
    n = len(batch["completions"])
    assert all(len(values) == n for values in batch.values())
    assert batch["image"][0].shape == (24, 32, 3)


@pytest.mark.parametrize("name", presets.names())
def test_check_reward_passes_on_every_registered_preset(name, tmp_path):
    overrides = {}
    if name == "emo_r3_clip":  # no CLIP weights ship offline: a tiny one built here
        from fixtures.tiny_models import build_tiny_open_clip

        path = build_tiny_open_clip(tmp_path / "open_clip")
        overrides = {"clip_model": path, "clip_pretrained": None, "device": "cpu"}
    rubric = presets.get(name, **overrides)
    report = check_reward(rubric)
    assert report.ok and len(report.values) == 4
    if name == "emo_r3_clip":
        values = rubric.components(**sample_batch())["consistency"]
        assert values[3] is None and None not in values[:2]  # the fourth sample has no image


def test_the_registered_presets_include_the_model_presets():
    assert {*RULE_PRESETS, "grpo_baseline", "emo_r3_offline", "emo_r3_clip"} <= set(presets.names())
