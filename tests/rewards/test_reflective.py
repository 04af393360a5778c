import pytest

from rewards.errors import InvalidInputError, JudgeError
from rewards.judges import (
    CallableJudge,
    ConstantJudge,
    JudgeRequest,
    coherence_prompt,
    consistency_prompt,
    paper_coherence,
    paper_consistency,
    reference_coherence,
    reference_consistency,
)
from rewards.reflective import ReflectiveReward

R = (
    "<step1> A man shouts at a driver. </step1>\n<step2> One would feel angry. </step2>\n"
    "<step3>Negative, high arousal.</step3> \\boxed{anger}"
)


def test_consistency_prompt_is_byte_exact():
    assert consistency_prompt("<step1>x</step1>") == (
        "Can the following text describe the image?Please answer with yes or no.<step1>x</step1>"
    )
    assert consistency_prompt(None) == "Answer 'None'"


def test_coherence_prompt_is_byte_exact():
    assert coherence_prompt("<step1>x</step1><step2>y</step2>", "emotion6") == (
        "<step1>x</step1><step2>y</step2>\nWhich emotion best describes the text above?\n"
        "Answer the question using one emotional category (one word only): "
        "anger, disgust, fear, joy, sadness, surprise."
    )
    assert coherence_prompt(None, "mikels8") == "Answer 'None'"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Yes", 1.0),
        ("yes.", 1.0),
        ("YES, it can", 1.0),
        ("No", 0.0),
        ("nope", 0.0),
        ("I know", 0.0),
        ("Eyes? no", 1.0),
        ("maybe", 0.5),
        ("", 0.5),
        (None, 1.0),
    ],
)
def test_reference_consistency(answer, expected):
    assert reference_consistency(answer) == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("anger", 1.0),
        ("Anger", 1.0),
        ("anger.", 0.0),
        (" anger", 0.0),
        ("fear", 0.0),
        ("", 0.5),
        ("None", 0.5),
        ("NONE", 0.5),
        (None, 1.0),
    ],
)
def test_reference_coherence(answer, expected):
    assert reference_coherence(answer, "anger") == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Yes", 1.0),
        ("yes.", 1.0),
        ("**No**, it cannot", 0.0),
        ("Eyes? no", 0.0),
        ("I know", 0.0),
        ("Nothing matches", 0.0),
        ("The answer is yes", 1.0),
        ("maybe", 0.0),
        (None, None),
    ],
)
def test_paper_consistency(answer, expected):
    assert paper_consistency(answer) == expected


@pytest.mark.parametrize(
    ("answer", "expected"), [("Anger.", 1.0), (" anger ", 1.0), ("angry", 0.0), (None, None)]
)
def test_paper_coherence(answer, expected):
    assert paper_coherence(answer, "anger") == expected


def test_no_judge_gives_one_for_both_components():
    rer = ReflectiveReward(None)
    assert rer.score_components(None, [R, ""], label=["anger", "fear"]) == {
        "consistency": [1.0, 1.0],
        "coherence": [1.0, 1.0],
    }


def test_one_judge_call_per_batch_with_exact_requests():
    seen = []

    def judge(requests):
        seen.append(list(requests))
        return ["yes" if r.kind == "consistency" else "anger" for r in requests]

    image = object()
    rer = ReflectiveReward(judge)
    out = rer.score_components(None, [R, R], label=["anger", "fear"], image=[image, None])
    assert out == {"consistency": [1.0, 1.0], "coherence": [1.0, 0.0]}
    assert len(seen) == 1 and len(seen[0]) == 4
    first = seen[0][0]
    assert first == JudgeRequest(
        "consistency",
        "Can the following text describe the image?Please answer with yes or no."
        "<step1> A man shouts at a driver. </step1>",
        image,
        "mikels8",
        "<step1> A man shouts at a driver. </step1>",
    )
    assert seen[0][1].kind == "coherence" and seen[0][1].image is None
    assert seen[0][1].prompt.startswith(
        "<step1> A man shouts at a driver. </step1>\n<step2> One would feel angry. </step2>\n"
    )


def test_reference_asks_answer_none_when_no_passage():
    judge = ConstantJudge(consistency="None", coherence="None")
    rer = ReflectiveReward(judge)
    requests = rer.requests(["no tags"], {"label": ["fear"]})
    assert [r.prompt for r in requests] == ["Answer 'None'", "Answer 'None'"]
    assert rer.score_components(None, ["no tags"], label=["fear"]) == {
        "consistency": [0.0],  # "None" contains "no"
        "coherence": [0.5],
    }


def test_paper_scores_missing_passage_zero_without_asking():
    judge = ConstantJudge("yes", "fear")
    rer = ReflectiveReward(judge, scoring="paper")
    assert rer.score_components(None, ["no tags"], label=["fear"]) == {
        "consistency": [0.0],
        "coherence": [0.0],
    }
    assert judge.calls == 0


def test_paper_missing_verdict_uses_missing_value():
    rer = ReflectiveReward(ConstantJudge(None, None), scoring="paper", missing_value=0.25)
    assert rer.score_components(None, [R], label=["anger"]) == {
        "consistency": [0.25],
        "coherence": [0.25],
    }
    assert rer.stats == {"requests": 2, "missing": 2}


def test_robust_coherence_accepts_synonyms():
    rer = ReflectiveReward(ConstantJudge("Yes", "Angry!"), scoring="robust")
    assert rer.score_components(None, [R], label=["anger"])["coherence"] == [1.0]
    rer = ReflectiveReward(ConstantJudge("Yes", "Angry!"), scoring="paper")
    assert rer.score_components(None, [R], label=["anger"])["coherence"] == [0.0]


def test_single_component():
    rer = ReflectiveReward(CallableJudge(lambda r: "no"), components=("consistency",))
    assert rer.score_components(None, [R]) == {"consistency": [0.0]}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (["yes"], "returned 1 answers for 2 requests"),
        ("yes", "returned str"),
        ([1, 2], "answered request 0 with int"),
    ],
)
def test_judge_contract_is_enforced(answers, message):
    rer = ReflectiveReward(lambda requests: answers)
    with pytest.raises(JudgeError, match=message):
        rer.score_components(None, [R], label=["anger"])


def test_invalid_settings():
    with pytest.raises(InvalidInputError, match="scoring must be one of"):
        ReflectiveReward(scoring="strict")
    with pytest.raises(InvalidInputError, match="judge must be a callable"):
        ReflectiveReward(judge="gpt")
    with pytest.raises(InvalidInputError, match="use parser='set'"):
        ReflectiveReward(parser="think")
    with pytest.raises(InvalidInputError, match="components must be"):
        ReflectiveReward(components=("style",))
    with pytest.raises(InvalidInputError, match=r"JudgeRequest\.kind"):
        JudgeRequest("vibes", "prompt")
