import pickle

import pytest

from rewards.errors import InvalidInputError
from rewards.guards import HackingGuards
from rewards.judges import ConstantJudge
from rewards.reflective import ReflectiveReward
from rewards.rubric import Rubric, ScoreResult
from rewards.rules import AccuracyReward, FormatReward

R = "<step1>A calm lake.</step1><step2>Peaceful.</step2><step3>Positive, low.</step3>\\boxed{contentment}"


def length_reward(prompts, completions, **kwargs):
    return [len(c) / 1000 for c in completions]


def none_reward(prompts, completions, **kwargs):
    return [None for _ in completions]


def test_weights_by_list_and_by_mapping_agree():
    funcs = [AccuracyReward(), FormatReward(), length_reward]
    a = Rubric(funcs, [0.5, 0.25, 1.0])
    b = Rubric(funcs, {"length_reward": 1.0, "format": 0.25, "accuracy": 0.5})
    kw = {"label": ["contentment", "awe"]}
    expected = [0.5 + 0.25 + len(R) / 1000, 0.25 + len(R) / 1000]
    assert a(None, [R, R], **kw) == pytest.approx(expected)
    assert b(None, [R, R], **kw) == pytest.approx(expected)


def test_score_batch_breakdown():
    rubric = Rubric(
        [AccuracyReward(), FormatReward(), ReflectiveReward(ConstantJudge("no", "awe"))],
        [0.8, 0.1, 0.1, 0.1],
    )
    res = rubric.score_batch([R, "junk"], ["contentment", "awe"])
    assert res[0] == ScoreResult(
        0.9, {"accuracy": 1.0, "format": 1.0, "consistency": 0.0, "coherence": 0.0}
    )
    assert res[1].components == {
        "accuracy": 0.0,
        "format": 0.0,
        "consistency": 0.0,
        "coherence": 1.0,
    }
    assert res[1].total == pytest.approx(0.1)
    assert res[0].as_dict()["total"] == 0.9


def test_none_components_add_nothing_and_are_reported():
    rubric = Rubric([FormatReward(), none_reward], [1.0, 5.0])
    res = rubric.score_batch([R], ["awe"])[0]
    assert res.total == 1.0 and res.components["none_reward"] is None


def test_single_score_and_value_range():
    rubric = Rubric([AccuracyReward(), HackingGuards()], [1.0] + [0.1] * 10)
    res = rubric.score(R, "contentment")
    assert res.total == pytest.approx(0.9)  # "Peaceful." is a one-word step
    assert res.components["guard_empty"] == -1.0
    assert rubric.value_range == pytest.approx((-1.0, 1.0))


def test_rubric_pickles():
    rubric = Rubric([AccuracyReward(), FormatReward(), length_reward], [1, 1, 1])
    clone = pickle.loads(pickle.dumps(rubric))
    assert clone(None, [R], label=["awe"]) == rubric(None, [R], label=["awe"])
    assert clone.__name__ == "rubric"


@pytest.mark.parametrize(
    ("funcs", "weights", "message"),
    [
        ([], None, "non-empty list"),
        ([FormatReward()], [1.0, 2.0], "got 2 weights for 1 components"),
        ([FormatReward(), AccuracyReward()], [1.0], "got 1 weights for 2 components"),
        ([FormatReward()], {"fmt": 1.0}, r"missing \['format'\], unknown \['fmt'\]"),
        ([FormatReward(), FormatReward()], None, "distinct names"),
        ([FormatReward()], [float("nan")], "finite numbers"),
        ([FormatReward()], ["1"], "finite numbers"),
        (["format"], None, "not callable"),
    ],
)
def test_construction_errors(funcs, weights, message):
    with pytest.raises(InvalidInputError, match=message):
        Rubric(funcs, weights)


def test_broken_component_is_reported_by_name():
    def short(prompts, completions, **kw):
        return [1.0]

    def nan(prompts, completions, **kw):
        return [float("nan")] * len(completions)

    with pytest.raises(InvalidInputError, match="'short' returned 1 values for 2"):
        Rubric([short])(None, [R, R])
    with pytest.raises(InvalidInputError, match="'nan' returned nan"):
        Rubric([nan])(None, [R])


def test_results_never_share_their_component_dicts():
    rubric = Rubric([AccuracyReward(), FormatReward()], [0.9, 0.1])
    first, second = rubric.score_batch([R, R], ["contentment", "contentment"])
    assert first == second and first.components is not second.components
    first.components["accuracy"] = -5.0
    assert second.components["accuracy"] == 1.0
