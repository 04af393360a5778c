import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


_LEADING = __import__("re").compile(r"[a-z]+")
_YES_NO = __import__("re").compile(r"\b(yes|no)\b")


def _plain_paper_consistency(answer):
    """The paper reading without the leading yes/no shortcut."""
    lowered = answer.lower()
    first = _LEADING.search(lowered)
    if first and first.group(0) in ("yes", "no"):
        return 1.0 if first.group(0) == "yes" else 0.0
    return 1.0 if set(_YES_NO.findall(lowered)) == {"yes"} else 0.0


@given(
    st.text(alphabet=st.sampled_from(list("yesnoYESNO tx.,!é\u212a")), max_size=8),
    st.sampled_from(["", "yes", "Yes", "NO", "no", "nope", "yesterday", "no.", "Yés"]),
)
@settings(max_examples=400, deadline=None)
def test_paper_consistency_shortcut_equals_plain_reading(tail, head):
    answer = head + tail
    assert paper_consistency(answer) == _plain_paper_consistency(answer)


_ONE_CASES = [
    R,
    "no tags",
    "<step1>only step one</step1> \\boxed{fear}",
    "< step1 >spaced</ step1 >< step2 >tags</step2><step3>x</step3>\\boxed{awe}",
    R.replace("\\boxed{anger}", "\\boxed{angry}"),
]


@pytest.mark.parametrize("scoring", ["reference", "paper", "robust"])
@pytest.mark.parametrize("components", [("consistency", "coherence"), ("coherence",)])
@pytest.mark.parametrize("answers", [("Yes.", "anger"), ("no", "Angry!"), (None, None)])
def test_batch_of_one_equals_batch_path(scoring, components, answers):
    """The one-response path asks the same requests and gives the same values."""

    def recorder(log):
        def judge(requests):
            log.append(list(requests))
            return [answers[0] if r.kind == "consistency" else answers[1] for r in requests]

        return judge

    image = object()
    labels = ["anger", "fear", "awe", "anger", "anger"]
    for text, label in zip(_ONE_CASES, labels, strict=True):
        for images in (None, [image]):
            many, one = [], []
            batch_rer = ReflectiveReward(recorder(many), scoring, components=components)
            single_rer = ReflectiveReward(recorder(one), scoring, components=components)
            extra = {} if images is None else {"image": images * 2}
            got_many = batch_rer.score_components(None, [text, text], label=[label] * 2, **extra)
            extra = {} if images is None else {"image": images}
            got_one = single_rer.score_components(None, [text], label=[label], **extra)
            assert got_one == {k: v[:1] for k, v in got_many.items()}
            assert list(got_one) == list(components)
            # the same requests, in the same order (the batch asks them twice)
            assert [len(c) for c in one] == [len(c) // 2 for c in many]
            assert [c for c in one] == [c[: len(c) // 2] for c in many]
            assert 2 * single_rer.stats["requests"] == batch_rer.stats["requests"]
            assert 2 * single_rer.stats["missing"] == batch_rer.stats["missing"]
