"""Scoring records and run metrics: exact values on hand-made responses."""

from __future__ import annotations

import pytest

from agents.evaluation.metrics import OTHER, compute_metrics, confusion_matrix
from agents.evaluation.scoring import score_responses
from rewards.errors import InvalidInputError
from rewards.judges import ConstantJudge

GOOD = (
    "<step1>A storm over a dark sea.</step1><step2>People would feel scared.</step2>"
    "<step3>Negative, high arousal.</step3> \\boxed{fear}"
)
CASE = GOOD.replace("\\boxed{fear}", "\\boxed{Scared}")  # normalised match only
LIST = GOOD.replace("\\boxed{fear}", "\\boxed{fear, sadness}")
WRONG_AFFECT = (
    "<step1>A quiet empty road in the rain.</step1><step2>One would feel lonely there."
    "</step2><step3>Positive, high arousal.</step3> \\boxed{sadness}"
)
NO_BOX = "<step1>A cat.</step1><step2>It is cute.</step2><step3>positive</step3>"

SAMPLES = [
    {"id": "a", "label": "fear", "label_set": "mikels8", "dataset": "EmoSet"},
    {"id": "b", "label": "fear", "label_set": "mikels8", "dataset": "EmoSet"},
    {"id": "c", "label": "fear", "label_set": "mikels8", "dataset": "EmoSet"},
    {"id": "d", "label": "sadness", "label_set": "mikels8", "dataset": "FI"},
    {"id": "e", "label": "joy", "label_set": "emotion6", "dataset": "Emotion6"},
]
RESPONSES = [GOOD, CASE, LIST, WRONG_AFFECT, NO_BOX]


def test_records_exact():
    recs = score_responses(SAMPLES, RESPONSES)
    assert [r["correct"] for r in recs] == [True, False, False, True, False]
    assert [r["correct_normalized"] for r in recs] == [True, True, False, True, False]
    assert [r["prediction"] for r in recs] == ["fear", None, None, "sadness", None]
    assert [r["format_ok"] for r in recs] == [True, True, True, True, False]
    assert [r["affect"] for r in recs] == [1.0, 1.0, 0.0, 0.0, 0.0]
    assert recs[2]["guards"] == ["guard_multilabel"]
    assert recs[4]["guards"] == ["guard_empty"] and "no_box" in recs[4]["malformed"]
    assert [r["reward"] for r in recs] == pytest.approx([1.1, 0.3, 0.3, 1.1, 0.2])
    # no judge: the reflective components count 1 in the reward but are not "measured"
    assert recs[0]["components"]["consistency"] == 1.0 and recs[0]["consistency"] is None


def test_records_with_a_judge_measure_reflection():
    judge = ConstantJudge(consistency="No.", coherence="fear")
    recs = score_responses(SAMPLES[:2], RESPONSES[:2], rubric="emo_r3_paper", judge=judge)
    assert [(r["consistency"], r["coherence"]) for r in recs] == [(0.0, 1.0), (0.0, 1.0)]
    assert recs[0]["reward"] == pytest.approx(0.8 + 0.1 + 0.05)


def test_think_template_uses_grpo_baseline():
    recs = score_responses(SAMPLES[:1], ["<think>storm</think> \\boxed{fear}"], template="think")
    assert recs[0]["preset"] == "grpo_baseline" and recs[0]["affect"] is None
    assert recs[0]["reward"] == pytest.approx(1.0) and recs[0]["format_ok"]


def test_metrics_exact():
    judge = ConstantJudge(consistency="yes", coherence="fear")
    recs = score_responses(SAMPLES, RESPONSES, rubric="emo_r3_reference", judge=judge)
    m = compute_metrics(recs)
    assert m["n"] == 5
    assert m["accuracy"] == pytest.approx(2 / 5)
    assert m["accuracy_normalized"] == pytest.approx(3 / 5)
    assert m["format_rate"] == pytest.approx(4 / 5)
    assert m["answer_rate"] == pytest.approx(4 / 5)
    assert m["consistency_rate"] == 1.0
    assert m["coherence_rate"] == pytest.approx(3 / 5)  # "fear" is gold for a, b, c
    assert m["affect_agreement"] == pytest.approx(2 / 5)
    assert m["guard_hits"] == {
        "guard_echo": 0,
        "guard_empty": 1,
        "guard_multilabel": 1,
        "guard_repeat": 0,
        "guard_overlong": 0,
        "guard_stuffing": 0,
        "guard_mismatch": 0,
        "guard_injection": 0,
        "guard_filler": 0,
        "guard_copy": 0,
    }
    assert m["guard_hit_rate"] == pytest.approx(2 / 5)
    assert m["by_dataset"]["EmoSet"] == {
        "n": 3,
        "accuracy": pytest.approx(1 / 3),
        "format_rate": 1.0,
    }
    assert m["by_dataset"]["FI"]["accuracy"] == 1.0
    mikels = m["by_label_set"]["mikels8"]
    assert mikels["columns"][-1] == OTHER
    fear, sad = mikels["labels"].index("fear"), mikels["labels"].index("sadness")
    assert mikels["confusion"][fear][fear] == 1 and mikels["confusion"][fear][-1] == 2
    assert mikels["confusion"][sad][sad] == 1
    assert mikels["per_label_accuracy"]["fear"] == pytest.approx(1 / 3)
    assert mikels["per_label_accuracy"]["awe"] is None
    assert sum(map(sum, m["by_label_set"]["emotion6"]["confusion"])) == 1


def test_confusion_and_metrics_errors():
    with pytest.raises(InvalidInputError, match="No results"):
        compute_metrics([])
    with pytest.raises(InvalidInputError, match="not in 'emotion6'"):
        confusion_matrix([{"id": "x", "label": "awe", "prediction": None}], "emotion6")
    with pytest.raises(InvalidInputError, match="one each"):
        score_responses(SAMPLES, RESPONSES[:2])
    with pytest.raises(InvalidInputError, match="no 'label'"):
        score_responses([{"id": "x", "label_set": "mikels8"}], [GOOD])


def caption_words(prompts=None, completions=None, caption=None, **kwargs):
    return [float(len(c.split())) if c else None for c in caption]


def test_captions_and_images_reach_the_rubric():
    from rewards.rubric import Rubric
    from rewards.rules import AccuracyReward

    rubric = Rubric([AccuracyReward(), caption_words], weights=[1.0, 0.0])
    samples = [{**SAMPLES[0], "caption": "a dark stormy sea"}, {**SAMPLES[1], "caption": None}]
    recs = score_responses(samples, RESPONSES[:2], rubric=rubric)
    assert [r["components"]["caption_words"] for r in recs] == [4.0, None]
    assert [r["reward"] for r in recs] == [1.0, 0.0]
    with pytest.raises(InvalidInputError, match="Give the judge to the Rubric"):
        score_responses(SAMPLES[:1], RESPONSES[:1], rubric=rubric, judge=ConstantJudge())
