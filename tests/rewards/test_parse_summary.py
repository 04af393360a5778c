"""``Parser.summary`` equals the full parse's format, answer, steps and malformations."""

import random

from hypothesis import given
from hypothesis import strategies as st
from test_reference_preset import ROWS, make_response
from test_scan_equivalence import PROPS, TEXT

from rewards.parsing import get_parser


def fields(parser, text):
    full = parser._parse(text)
    return full.format_ok, full.answer, full.steps, full.malformed


@PROPS
@given(TEXT)
def test_summary_equals_the_full_parse(text):
    for name in ("set", "think"):
        parser = get_parser(name)
        assert parser.summary(text) == fields(parser, text), name


@PROPS
@given(st.randoms(use_true_random=False))
def test_summary_equals_the_full_parse_on_set_like_responses(rng):
    test_summary_equals_the_full_parse.hypothesis.inner_test(make_response(rng))


def test_clean_and_malformed_responses_are_both_seen():
    parser = get_parser("set")
    malformed = [parser.summary(text)[3] for text, *_ in ROWS]
    assert 20 < malformed.count(()) < len(malformed) - 100
    clean = "<step1>a</step1>\n<step2>b</step2>\n<step3>c</step3> \\boxed{awe}"
    assert parser.summary(clean) == (True, "awe", ("a", "b", "c"), ())
    # one more "<" than the tags: not clean on the fast path, yet clean by the full parse
    assert parser.summary(clean.replace("a<", "a < b<")) == fields(
        parser, clean.replace("a<", "a < b<")
    )
    twice = clean + "<step3>d</step3>"
    assert parser.summary(twice)[3] == ("repeated_step3", "box_before_reasoning")
    assert parser.summary(clean.replace("\\boxed{awe}", "\\boxed{ }"))[3] == ("empty_box",)


def test_random_mutations_of_clean_responses():
    rng = random.Random(7)
    base = "<step1>a dog</step1>\n<step2>joy</step2>\n<step3>positive</step3> \\boxed{awe}"
    parser = get_parser("set")
    for _ in range(2000):
        text = list(base)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(text) + 1)
            text.insert(i, rng.choice(["<", "/", " ", "<step1>", "</step3>", "\\boxed{x}", "}"]))
        text = "".join(text)
        assert parser.summary(text) == fields(parser, text), text
