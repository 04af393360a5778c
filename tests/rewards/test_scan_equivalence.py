"""The linear scans equal the regular-expression definitions they replace.

The old definitions (quadratic or exponential on some inputs) are kept here as oracles
and compared on random short strings over an alphabet rich in what the scans look at:
``<``, ``>``, ``/``, every kind of whitespace, the step tags, braces and boxes.
"""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rewards._scan import compact, cut, format_ok, last_boxed, tag_scanner
from rewards.parsing import get_parser, loose_passages

# --- the old definitions ---------------------------------------------------------------

OLD_TAG_SPACE = re.compile(r"\s*(<|>|/)\s*")
OLD_SET_FORMAT = re.compile(
    r"<step1>.*</step1>.*<step2>.*</step2>.*<step3>.*</step3>.*\\boxed\{.*\}.*", re.DOTALL
)
OLD_THINK_FORMAT = re.compile(r"<think>.*</think>.*\\boxed\{.*\}.*", re.DOTALL)
OLD_LOOSE_CONS = re.compile(r"<\s*step1\s*>.*?(?=<\s*step2\s*>)", re.DOTALL)
OLD_LOOSE_COH = re.compile(r"<\s*step1\s*>.*?<\s*/\s*step2\s*>", re.DOTALL)
OLD_CONS = re.compile(r"<step1>.*?(?=<step2>)", re.DOTALL)
OLD_COH = re.compile(r"<step1>.*?</step2>", re.DOTALL)


def old_step(tag, text):
    m = re.search(rf"<\s*{tag}\s*>(.*?)<\s*/\s*{tag}\s*>", text, re.DOTALL)
    return m.group(1).strip() if m else None


def old_last_boxed(text):
    start = text.rfind("\\boxed{")
    if start < 0:
        return None
    body_start = start + len("\\boxed{")
    depth = 0
    for i in range(body_start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            if depth == 0:
                return text[body_start:i].strip()
            depth -= 1
    return None


def old_search(pattern, text):
    m = pattern.search(text)
    return m.group(0).strip() if m else None


# --- random strings --------------------------------------------------------------------

WHITESPACE = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u2003", "\u3000"]
PIECES = [
    "<",
    ">",
    "/",
    "{",
    "}",
    "\\boxed{",
    "\\box",
    "step1",
    "step2",
    "step3",
    "think",
    "<step1>",
    "</step1>",
    "<step2>",
    "</step2>",
    "<step3>",
    "</step3>",
    "<think>",
    "</think>",
    "a",
    "fear",
    "é",
    "情",
    "😊",
    *WHITESPACE,
]
TEXT = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
PROPS = settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))


@PROPS
@given(TEXT)
def test_compact_equals_the_reference_regex(text):
    assert compact(text) == OLD_TAG_SPACE.sub(r"\1", text)


@PROPS
@given(TEXT)
def test_format_checks_equal_the_fullmatch_patterns(text):
    packed = OLD_TAG_SPACE.sub(r"\1", text)
    set_ok = OLD_SET_FORMAT.fullmatch(packed) is not None
    think_ok = OLD_THINK_FORMAT.fullmatch(packed) is not None
    assert format_ok(packed, get_parser("set").format_tokens) == set_ok
    assert format_ok(packed, get_parser("think").format_tokens) == think_ok
    assert get_parser("set")._parse(text).format_ok == set_ok
    assert get_parser("think")._parse(text).format_ok == think_ok


@PROPS
@given(TEXT)
def test_last_boxed_equals_the_character_walk(text):
    assert last_boxed(text) == old_last_boxed(text)
    packed = compact(text)
    assert last_boxed(packed) == old_last_boxed(packed)


@PROPS
@given(TEXT)
def test_passages_equal_the_lazy_regexes(text):
    assert cut(text, "<step1>", "<step2>", include_end=False) == old_search(OLD_CONS, text)
    assert cut(text, "<step1>", "</step2>", include_end=True) == old_search(OLD_COH, text)
    assert loose_passages(text) == (
        old_search(OLD_LOOSE_CONS, text),
        old_search(OLD_LOOSE_COH, text),
    )


@PROPS
@given(TEXT)
def test_step_contents_equal_the_lazy_regex(text):
    for tag in ("step1", "step2", "step3", "think"):
        assert tag_scanner(tag).content(text) == old_step(tag, text)


def test_the_alphabet_reaches_both_outcomes():
    """The random strings are not all trivially rejected (a sanity check of the strategy)."""
    found = {"format": set(), "box": set(), "loose": set()}
    for example in (
        "<step1> a </step1><step2>b</step2>\n< step3 >c</ step3 > \\boxed{ fear }",
        "\\boxed{{a}",
        "< step1 >x< step2 >",
    ):
        packed = compact(example)
        found["format"].add(format_ok(packed, get_parser("set").format_tokens))
        found["box"].add(last_boxed(packed))
        found["loose"].add(loose_passages(example)[0])
    assert found["format"] == {True, False}
    assert "fear" in found["box"] and None in found["box"]
    assert "< step1 >x" in found["loose"]


@PROPS
@given(TEXT)
def test_fused_scan_equals_the_full_parse(text):
    from rewards._fused import NEED_EXACT, NEED_LOOSE, NEED_REPEAT, NEED_STEPS, NEED_WORDS, scan

    for name in ("set", "think"):
        parser = get_parser(name)
        full = parser._parse(text)
        repeated = any(code.startswith("repeated_") for code in full.malformed)
        passages = (full.consistency_passage, full.coherence_passage)
        words = tuple(re.findall(r"[a-z']+", s.lower()) if s else [] for s in full.steps)
        for need in (0, NEED_EXACT, NEED_STEPS | NEED_LOOSE | NEED_REPEAT, NEED_WORDS, 31):
            row = scan(parser, text, need)
            assert row[:3] == (full.format_ok, full.answer, full.n_boxes), (name, need)
            assert row[3] == (full.steps if need & NEED_STEPS else None)
            if parser.has_reflection:
                assert row[4] == (passages if need & NEED_EXACT else None)
                assert row[5] == (full.loose_passages if need & NEED_LOOSE else None)
            assert row[6] == (repeated if need & NEED_REPEAT else None)
            assert row[7] == (words if need & NEED_WORDS else None)


@PROPS
@given(st.randoms(use_true_random=False))
def test_fused_scan_equals_the_full_parse_on_set_like_responses(rng):
    from test_reference_preset import make_response

    test_fused_scan_equals_the_full_parse.hypothesis.inner_test(make_response(rng))


def test_the_plain_fast_path_is_taken_and_skipped():
    from test_reference_preset import ROWS

    from rewards._fused import _plain_pattern

    plain = _plain_pattern(("step1", "step2", "step3"))
    hits = sum(plain.fullmatch(response) is not None for response, *_ in ROWS)
    assert 20 < hits < len(ROWS) - 100


# --- step3 affect: the set-based reading equals the mention-by-mention one --------------

AFFECT_WORDS = st.lists(
    st.sampled_from(
        [
            *("positive", "negative", "neutral", "high", "low", "arousal", "valence"),
            *("not", "no", "isn't", "never", "without", "nor", "very", "quite", "a"),
        ]
    ),
    max_size=12,
)


@PROPS
@given(AFFECT_WORDS)
def test_affect_reading_equals_the_mention_by_mention_reading(words):
    from rewards.rules import _read_in_order, stated_affect

    assert stated_affect(words) == _read_in_order(words)
