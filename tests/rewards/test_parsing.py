import pickle

import pytest

from rewards.errors import UnknownNameError
from rewards.parsing import compact, extract_last_boxed, get_parser

SET = get_parser("set")
THINK = get_parser("think")
GOOD = (
    "<step1>A dog leaps for a frisbee.</step1>\n<step2>Viewers would smile.</step2>\n"
    "<step3>Positive, high arousal.</step3>\nSo the answer is \\boxed{amusement}."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\\boxed{awe}", "awe"),
        ("\\boxed{ awe }", "awe"),
        ("\\boxed{a} then \\boxed{b}", "b"),
        ("\\boxed{\\text{fear}}", "\\text{fear}"),
        ("\\boxed{{nested} braces}", "{nested} braces"),
        ("\\boxed{awe", None),
        ("\\boxed{awe} and \\boxed{fear", None),  # only the last box counts
        ("no box", None),
        ("", None),
        ("\\boxed{}", ""),
        ("\\boxed{é 情感}", "é 情感"),
    ],
)
def test_extract_last_boxed(text, expected):
    assert extract_last_boxed(text) == expected


def test_compact_deletes_whitespace_around_tag_characters():
    assert compact("< step1 >a / b</ step1 >\n<step2>") == "<step1>a/b</step1><step2>"
    assert compact("no tags here") == "no tags here"


def test_well_formed_set():
    p = SET.parse(GOOD)
    assert p.format_ok is True
    assert p.answer == "amusement" and p.reference_answer == "amusement"
    assert p.steps == (
        "A dog leaps for a frisbee.",
        "Viewers would smile.",
        "Positive, high arousal.",
    )
    assert p.n_boxes == 1
    assert p.malformed == ()
    assert p.consistency_passage == "<step1>A dog leaps for a frisbee.</step1>"
    assert p.coherence_passage == (
        "<step1>A dog leaps for a frisbee.</step1>\n<step2>Viewers would smile.</step2>"
    )
    assert (
        p.reasoning == "A dog leaps for a frisbee.\nViewers would smile.\nPositive, high arousal."
    )


def test_spaced_tags_pass_format_but_have_no_reference_passage():
    text = "< step1 > x < /step1 >< step2 >y</step2 ><step3>z</step3> \\boxed{ fear }"
    p = SET.parse(text)
    assert p.format_ok is True
    assert p.answer == "fear"
    assert p.steps == ("x", "y", "z")
    assert p.consistency_passage is None and p.coherence_passage is None
    assert p.loose_passages == (
        "< step1 > x < /step1 >",
        "< step1 > x < /step1 >< step2 >y</step2 >",
    )


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("", ("empty",)),
        ("   \n", ("empty",)),
        ("just words", ("missing_step1", "missing_step2", "missing_step3", "no_box")),
        (
            "<step2>b</step2><step1>a</step1><step3>c</step3>\\boxed{awe}",
            ("steps_out_of_order",),
        ),
        ("<step1>a</step1><step2>b</step2><step3>c</step3>\\boxed{awe", ("unclosed_box",)),
        (
            "<step1>a</step1><step2>b</step2><step3>c</step3>\\boxed{x}\\boxed{awe}",
            ("multiple_boxes",),
        ),
        ("<step1>a</step1><step2></step2><step3>c</step3>\\boxed{awe}", ("empty_step2",)),
        ("<step1>a<step2>b</step2><step3>c</step3>\\boxed{awe}", ("unclosed_step1",)),
        ("\\boxed{awe}<step1>a</step1><step2>b</step2><step3>c</step3>", ("box_before_reasoning",)),
        (
            "<step1>a</step1><step1>a</step1><step2>b</step2><step3>c</step3>\\boxed{awe}",
            ("repeated_step1",),
        ),
        ("<step1>a</step1><step2>b</step2><step3>c</step3>\\boxed{}", ("empty_box",)),
    ],
)
def test_malformed_codes(text, codes):
    assert SET.parse(text).malformed == codes


def test_out_of_order_steps_fail_format():
    assert (
        SET.parse("<step2>b</step2><step1>a</step1><step3>c</step3>\\boxed{awe}").format_ok is False
    )


def test_passages_use_first_step1_and_nearest_step2():
    text = "pre <step1> one </step1> <step2> two </step2> <step1>again</step1><step2>x</step2>"
    p = SET.parse(text)
    assert p.consistency_passage == "<step1> one </step1>"
    assert p.coherence_passage == "<step1> one </step1> <step2> two </step2>"


def test_think_format():
    p = THINK.parse("<think>a clown</think> \\boxed{amusement}")
    assert p.format_ok and p.answer == "amusement" and p.steps == ("a clown",)
    assert p.consistency_passage is None
    assert THINK.parse(GOOD).format_ok is False
    assert SET.parse("<think>a clown</think> \\boxed{amusement}").format_ok is False


def test_parse_is_memoised_and_parser_pickles():
    assert SET.parse(GOOD) is SET.parse(GOOD)
    assert pickle.loads(pickle.dumps(SET)) is SET


def test_unknown_parser_suggests_closest():
    with pytest.raises(UnknownNameError, match="Did you mean 'think'"):
        get_parser("thnik")


def test_very_long_response_parses():
    body = "word " * 200_000
    p = SET.parse(f"<step1>{body}</step1><step2>b</step2><step3>c</step3>\\boxed{{awe}}")
    assert p.format_ok and p.answer == "awe" and len(p.steps[0].split()) == 200_000
