import pytest

from rewards.errors import InvalidInputError, UnknownNameError
from rewards.labels import get_label_set
from rewards.rules import AccuracyReward, AffectReward, FormatReward, affect_agreement

W = "<step1>{a}</step1><step2>{b}</step2><step3>{c}</step3> {tail}"


def set_response(tail="\\boxed{fear}", a="A storm.", b="Scared.", c="Negative, high arousal."):
    return W.format(a=a, b=b, c=c, tail=tail)


CASES = [
    # (response, label, format, exact accuracy, normalized accuracy)
    (set_response(), "fear", 1.0, 1.0, 1.0),
    (set_response("\\boxed{Fear}"), "fear", 1.0, 1.0, 1.0),
    (set_response("\\boxed{ FEAR }"), "fear", 1.0, 1.0, 1.0),
    (set_response("\\boxed{scared}"), "fear", 1.0, 0.0, 1.0),
    (set_response("\\boxed{fear.}"), "fear", 1.0, 0.0, 1.0),
    (set_response("\\boxed{fear, sadness}"), "fear", 1.0, 0.0, 0.0),
    (set_response("\\boxed{sadness}"), "fear", 1.0, 0.0, 0.0),
    (set_response("\\boxed{awe} \\boxed{fear}"), "fear", 1.0, 1.0, 1.0),
    (set_response("\\boxed{fear} \\boxed{awe"), "fear", 1.0, 0.0, 0.0),
    (set_response("\\boxed{fear"), "fear", 0.0, 0.0, 0.0),
    (set_response("fear"), "fear", 0.0, 0.0, 0.0),
    (set_response("\\boxed{\\text{fear}}"), "fear", 1.0, 0.0, 1.0),
    (
        "< step1 >x</ step1 >\n< step2 >y< / step2 ><step3>z</step3>\\boxed{fear}",
        "fear",
        1.0,
        1.0,
        1.0,
    ),
    ("<step1>x</step1><step3>z</step3><step2>y</step2>\\boxed{fear}", "fear", 0.0, 1.0, 1.0),
    ("<step1>x</step1><step2>y</step2>\\boxed{fear}", "fear", 0.0, 1.0, 1.0),
    ("\\boxed{fear}", "fear", 0.0, 1.0, 1.0),
    ("", "fear", 0.0, 0.0, 0.0),
    ("\\boxed{None}", "fear", 0.0, 0.0, 0.0),
    (set_response("\\boxed{喜悦}"), "fear", 1.0, 0.0, 0.0),
    (set_response("\\boxed{fear}", a="😱 " * 50), "fear", 1.0, 1.0, 1.0),
    # whitespace around "/" inside the box is deleted before the comparison
    (set_response("\\boxed{fear / awe}"), "fear", 1.0, 0.0, 0.0),
]


@pytest.mark.parametrize(("text", "label", "fmt", "exact", "norm"), CASES)
def test_format_and_accuracy(text, label, fmt, exact, norm):
    assert FormatReward()(None, [text]) == [fmt]
    assert AccuracyReward()(None, [text], label=[label]) == [exact]
    assert AccuracyReward(match="normalized")(None, [text], label=[label]) == [norm]


def test_exact_accuracy_matches_the_string_none_when_no_box_closes():
    # the reference compares the literal "None" with the label, lower-cased
    assert AccuracyReward(label_set="webemo2")(None, ["no box"], label=["negative"]) == [0.0]


def test_think_format_reward():
    fmt = FormatReward("think")
    assert fmt(
        None,
        ["<think>a</think>\\boxed{awe}", "<think>a\\boxed{awe}", "< think >a</think >\\boxed{x}"],
    ) == [1.0, 0.0, 1.0]


def test_labels_accepted_under_common_column_names():
    r = set_response()
    acc = AccuracyReward()
    for key in ("label", "labels", "solution", "answer"):
        assert acc(None, [r], **{key: ["fear"]}) == [1.0]


def test_chat_message_completions():
    msg = [{"role": "assistant", "content": set_response()}]
    parts = [{"role": "assistant", "content": [{"type": "text", "text": set_response()}]}]
    assert AccuracyReward()(None, [msg, parts], label=["fear", "fear"]) == [1.0, 1.0]


def test_per_sample_label_sets():
    texts = [set_response("\\boxed{joy}"), set_response("\\boxed{awe}")]
    out = AccuracyReward()(None, texts, label=["joy", "awe"], label_set=["emotion6", "mikels8"])
    assert out == [1.0, 1.0]


@pytest.mark.parametrize(
    ("step3", "box", "label_set", "expected"),
    [
        ("Negative, high arousal.", "fear", "mikels8", 1.0),
        ("negative and low arousal", "fear", "mikels8", 0.5),
        ("Positive, high arousal.", "fear", "mikels8", 0.5),
        ("positive; low arousal", "fear", "mikels8", 0.0),
        ("It is not positive, it is negative. High arousal.", "fear", "mikels8", 1.0),
        ("positive or negative? high or low arousal?", "fear", "mikels8", 0.0),
        ("Negative.", "sadness", "mikels8", 0.5),
        ("Positive.", "positive", "webemo2", 1.0),
        ("Negative.", "positive", "webemo2", 0.0),
        ("Negative, high arousal.", "scared", "mikels8", 1.0),  # synonyms normalise
        ("Negative, high arousal.", "banana", "mikels8", 0.0),
        ("", "fear", "mikels8", 0.0),
    ],
)
def test_affect_agreement(step3, box, label_set, expected):
    assert affect_agreement(step3, box, get_label_set(label_set)) == expected


def test_affect_reward_reads_step3():
    r = set_response("\\boxed{sadness}", c="Negative with low arousal.")
    assert AffectReward()(None, [r, "no steps \\boxed{sadness}"]) == [1.0, 0.0]


def test_bad_inputs_name_the_fix():
    acc = AccuracyReward()
    with pytest.raises(InvalidInputError, match=r"No gold labels: pass them as label=\[\.\.\.\]"):
        acc(None, [set_response()])
    with pytest.raises(InvalidInputError, match="3 entries but there are 1 completions"):
        acc(None, [set_response()], label=["fear"] * 3)
    with pytest.raises(UnknownNameError, match="Did you mean 'fear'"):
        acc(None, [set_response()], label=["feer"])
    with pytest.raises(InvalidInputError, match="completion 1 is int"):
        acc(None, [set_response(), 7], label=["fear", "fear"])
    with pytest.raises(InvalidInputError, match="Wrap a single response in a list"):
        acc(None, set_response(), label=["fear"])
    with pytest.raises(InvalidInputError, match="Gold labels must be strings"):
        acc(None, [set_response()], label=[3])
    with pytest.raises(InvalidInputError, match="match must be one of"):
        AccuracyReward(match="fuzzy")
    with pytest.raises(InvalidInputError, match="use parser='set'"):
        AffectReward(parser="think")
