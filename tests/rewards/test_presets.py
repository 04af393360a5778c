import pytest

from rewards import presets
from rewards.errors import InvalidInputError, UnknownNameError
from rewards.judges import ConstantJudge
from rewards.testing import check_reward

GOOD = (
    "<step1>A girl hugs a puppy in the sun.</step1><step2>Anyone would feel warm and "
    "happy.</step2><step3>Positive, low arousal.</step3> \\boxed{contentment}"
)
WRONG = GOOD.replace("\\boxed{contentment}", "\\boxed{awe}")
SPACED = GOOD.replace("<step1>", "< step1 >").replace("</step2>", "< /step2 >")
BARE = "It is calm. \\boxed{contentment}"
THINK = "<think>A girl hugs a puppy.</think> \\boxed{contentment}"
LIST = GOOD.replace("\\boxed{contentment}", "\\boxed{contentment, awe}")
SYNONYM = GOOD.replace("\\boxed{contentment}", "\\boxed{Calm}")
TEXTS = [GOOD, WRONG, SPACED, BARE, THINK, LIST, SYNONYM, ""]

# Expected totals for label "contentment", judge answering consistency "No" and coherence
# "contentment"; columns follow TEXTS.
EXPECTED = {
    "emo_r3_reference": [1.0, 0.2, 1.0, 0.9, 0.9, 0.2, 0.2, 0.1],
    "emo_r3_paper": [0.95, 0.15, 0.95, 0.8, 0.8, 0.15, 0.15, 0.0],
    "grpo_baseline": [0.9, 0.0, 0.9, 0.9, 1.0, 0.0, 0.0, 0.0],
    "emo_r3_robust": [0.95, 0.2, 0.95, 0.6, 0.6, 0.05, 0.95, -0.1],
}
NO_JUDGE = {
    "emo_r3_reference": [1.1, 0.3, 1.1, 1.0, 1.0, 0.3, 0.3, 0.2],
    "emo_r3_paper": [1.0, 0.2, 1.0, 0.9, 0.9, 0.2, 0.2, 0.1],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_preset_totals(name):
    kwargs = {"judge": ConstantJudge("No", "contentment")} if name != "grpo_baseline" else {}
    rubric = presets.get(name, **kwargs)
    totals = [r.total for r in rubric.score_batch(TEXTS, ["contentment"] * len(TEXTS))]
    assert totals == pytest.approx(EXPECTED[name], abs=1e-9)


@pytest.mark.parametrize("name", sorted(NO_JUDGE))
def test_preset_totals_without_judge(name):
    rubric = presets.get(name)
    totals = [r.total for r in rubric.score_batch(TEXTS, ["contentment"] * len(TEXTS))]
    assert totals == pytest.approx(NO_JUDGE[name], abs=1e-9)


def test_robust_breakdown_of_a_label_list():
    res = presets.get("emo_r3_robust").score_batch([LIST], ["contentment"])[0]
    assert res.components["accuracy"] == 0.0
    assert res.components["guard_multilabel"] == -1.0
    assert res.components["affect"] == 0.0


def test_paper_weights_follow_l1_l2():
    rubric = presets.get("emo_r3_paper", l1=0.2, l2=0.0)
    assert rubric.weights == pytest.approx(
        {"accuracy": 0.8, "format": 0.0, "consistency": 0.1, "coherence": 0.1}
    )


def test_label_set_override():
    text = GOOD.replace("\\boxed{contentment}", "\\boxed{joy}")
    rubric = presets.get("emo_r3_reference", label_set="emotion6")
    assert rubric.score_batch([text], ["joy"], label_set="emotion6")[0].total == pytest.approx(1.1)


@pytest.mark.parametrize(
    "name", ["emo_r3_reference", "emo_r3_paper", "grpo_baseline", "emo_r3_robust"]
)
def test_every_preset_keeps_the_reward_contract(name):
    report = check_reward(presets.get(name))
    assert report.ok and len(report.values) == 4


def test_unknown_preset_suggests_closest():
    with pytest.raises(UnknownNameError, match="Did you mean 'emo_r3_paper'"):
        presets.get("emo_r3_papr")


def test_unknown_override_lists_accepted_ones():
    with pytest.raises(InvalidInputError, match="does not take \\['jduge'\\]; it takes: judge"):
        presets.get("emo_r3_reference", jduge=None)


def test_describe_and_register():
    assert "judge" in presets.describe("emo_r3_paper")
    with pytest.raises(InvalidInputError, match="already registered"):
        presets.register("emo_r3_paper", lambda: None)
