"""The fast guards and affect reward equal their plain definitions on generated responses.

``guard_oracle.py`` computes every guard the obvious way (full parse, regex words, no
prefilter). Here both score the same batches of generated responses: honest-looking
steps, stuffing, template and instruction echoes, injections, filler in symbols and
other scripts, characters whose lower case changes length or turns ASCII, spaced and
repeated tags, several boxes, long steps; under the default settings and drawn ones,
for several label sets (one with a two-word label), with and without captions.
"""

from __future__ import annotations

from types import MappingProxyType

import guard_oracle as oracle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rewards import presets
from rewards._columns import scan_batch
from rewards._fused import NEED_STEPS, scan
from rewards._guard_columns import NEEDS
from rewards._guards import SET_STEP_TEMPLATES, said_yes
from rewards.guards import HackingGuards
from rewards.labels import Label, LabelSet
from rewards.parsing import ParseCapture, get_parser
from rewards.rules import AffectReward

TWO_WORDS = LabelSet(
    "two_words_test",
    (Label("good mood", "positive", "low"), Label("bad", "negative", None)),
    MappingProxyType({"in a good mood": "good mood", "feeling down": "bad", "great": "good mood"}),
)
LABEL_SETS = ("mikels8", "emotion6", "webemo25", "sentiment2", TWO_WORDS)

TOKENS = [
    # ordinary words, emotion words, label names and synonyms
    *("a", "dog", "runs", "in", "the", "park", "eyes", "yesterday", "it's", "people", "would"),
    *("feel", "fear", "Fear", "scared", "awe", "joy", "sad", "sadness", "anger", "calm", "good"),
    *("mood", "feeling", "down", "great", "bad", "amusement", "excitement", "contentment"),
    *("disgust", "happy", "thrilled", "emotion", "emotions", "image", "scene", "trigger"),
    # step3 affect and negations
    *("positive", "Negative", "neutral", "high", "low", "arousal", "not", "no", "never", "isn't"),
    # words aimed at a judge
    *("yes", "YES", "Yes,", "answer", "reply", "say", "correct", "true", "ignore", "rules"),
    *("instructions", "describes", "matches", "picture", "photo", "fits"),
    # other scripts, case mappings that change length or turn ASCII, symbols
    *("é", "情感", "😱", "İ", "\u212a", "Σ", "ß", "ça", "бурное", "~", "#$%", "*", "~*~"),
    *(",", ".", "?", "'", "(", ")", "-", "5", "\\", "{", "}"),
    *SET_STEP_TEMPLATES,
    "how would a person feel about it looking at this image",
    "think about the emotional meaning of the image step by step",
]
SPACES = st.sampled_from([" ", " ", " ", "", "\n", "\t", "\xa0", "  "])


@st.composite
def step_text(draw) -> str:
    parts = draw(st.lists(st.tuples(st.sampled_from(TOKENS), SPACES), max_size=14))
    text = "".join(token + space for token, space in parts)
    if draw(st.integers(0, 9)) == 0:  # a long step: a phrase repeated
        text = (text + " ") * draw(st.integers(5, 60))
    return text


OPENERS = ["<step{}>", "< step{} >", "<  step{}>", "<step {}>"]
CLOSERS = ["</step{}>", "</ step{} >", "< / step{} >", "</step {}>"]


@st.composite
def response(draw) -> str:
    if draw(st.integers(0, 11)) == 0:
        return draw(st.text(max_size=80))
    style = draw(st.integers(0, 5))
    pieces = [draw(st.sampled_from(["", "", " ", "\n", "Sure. "]))]
    order = [1, 2, 3] if draw(st.integers(0, 7)) else draw(st.permutations([1, 2, 3]))
    for i in order:
        if draw(st.integers(0, 9)) == 0:
            continue  # a missing step
        opener = OPENERS[0] if style else draw(st.sampled_from(OPENERS))
        closer = CLOSERS[0] if style else draw(st.sampled_from(CLOSERS))
        pieces.append(opener.format(i) + draw(step_text()) + closer.format(i) + "\n")
        if draw(st.integers(0, 19)) == 0:
            pieces.append(opener.format(i))  # a repeated tag
    box = draw(st.sampled_from(["fear", "awe", "joy", "good mood", "bad", "Scared!", "fear, awe"]))
    for _ in range(draw(st.sampled_from([1, 1, 1, 0, 2]))):
        pieces.append(f"\\boxed{{{box}}} ")
    pieces.append(draw(st.sampled_from(["", "", " yes", " done"])))
    return "".join(pieces)


@st.composite
def canonical(draw) -> str:
    """A response of the common shape: the three tags at the start, in order, one box."""
    steps = "\n".join(f"<step{i}>{draw(step_text())}</step{i}>" for i in (1, 2, 3))
    box = draw(st.sampled_from(["fear", "awe", "joy", "good mood", "Scared!", "\\text{awe}"]))
    return f"{steps}\n\\boxed{{{box}}}" + draw(st.sampled_from(["", "", " yes", "."]))


#: Batches of any responses, of common-shape ones only (the batch fast paths), or mixed.
BATCHES = st.one_of(
    st.lists(response(), min_size=1, max_size=6),
    st.lists(canonical(), min_size=2, max_size=6),
    st.lists(st.one_of(canonical(), response()), min_size=2, max_size=6),
)

SETTINGS = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {},
        optional={
            "min_step_words": st.integers(0, 5),
            "max_words": st.integers(1, 60),
            "echo_overlap": st.sampled_from([0.5, 0.8, 1.0]),
            "templates": st.sampled_from(
                [SET_STEP_TEMPLATES, ("", "how a human would feel about it", ""), ("dog runs",)]
            ),
            "stuffing_repeats": st.integers(2, 4),
            "stuffing_words": st.integers(2, 6),
            "filler_share": st.sampled_from([0.0, 0.5, 0.8, 1.0]),
            "copy_ngram": st.integers(1, 5),
            "copy_share": st.sampled_from([0.3, 0.7, 1.0]),
        },
    ),
)
PROPS = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))


@PROPS
@given(
    texts=BATCHES,
    label_set=st.sampled_from(LABEL_SETS),
    options=SETTINGS,
    captions=st.one_of(st.none(), st.lists(step_text(), min_size=6, max_size=6)),
)
def test_guards_equal_their_plain_definitions(texts, label_set, options, captions):
    guards = HackingGuards(**options)
    columns = {"label_set": label_set, "label": [gold(label_set)] * len(texts)}
    if captions is not None:
        columns["caption"] = captions[: len(texts)]
    got = guards.score_components(None, texts, **columns)
    for i, text in enumerate(texts):
        caption = None if captions is None else captions[i]
        expected = oracle.guards(text, label_set, caption, **options)
        assert {k: v[i] for k, v in got.items()} == expected, (text, caption)
    # a batch of one takes its own path (no batch passes): the same values
    alone = {k: v[:1] for k, v in columns.items() if k != "label_set"}
    got = guards.score_components(None, texts[:1], label_set=label_set, **alone)
    caption = None if captions is None else captions[0]
    expected = oracle.guards(texts[0], label_set, caption, **options)
    assert {k: v[0] for k, v in got.items()} == expected, texts[0]


@PROPS
@given(rows=st.lists(st.tuples(response(), st.sampled_from(LABEL_SETS)), min_size=1, max_size=6))
def test_guards_with_a_label_set_per_sample_equal_their_plain_definitions(rows):
    texts, sets = [list(column) for column in zip(*rows, strict=True)]
    got = HackingGuards().score_components(None, texts, label_set=sets, label=list(map(gold, sets)))
    for i, (text, label_set) in enumerate(rows):
        assert {k: v[i] for k, v in got.items()} == oracle.guards(text, label_set), text


def gold(label_set) -> str:
    if isinstance(label_set, LabelSet):
        return label_set.names[0]
    return {"mikels8": "fear", "emotion6": "joy", "webemo25": "rage", "sentiment2": "bad"}[
        label_set
    ]


@PROPS
@given(texts=BATCHES, label_set=st.sampled_from(LABEL_SETS))
def test_affect_equals_its_plain_definition(texts, label_set):
    n = len(texts)
    got = AffectReward()(None, texts, label=[gold(label_set)] * n, label_set=label_set)
    assert got == [oracle.affect(text, label_set) for text in texts]


@PROPS
@given(texts=BATCHES)
def test_the_robust_preset_adds_up_the_plain_components(texts):
    rubric = presets.get("emo_r3_robust")
    results = rubric.score_batch(texts, ["fear"] * len(texts))
    for text, result in zip(texts, results, strict=True):
        expected = oracle.guards(text)
        assert {k: result.components[k] for k in expected} == expected
        assert result.components["affect"] == oracle.affect(text)


@PROPS
@given(
    texts=BATCHES,
    parser=st.sampled_from(["set", "think"]),
    need=st.integers(0, 63),
)
def test_batch_scan_rows_equal_the_fused_scan(texts, parser, need):
    parser = get_parser(parser)
    expected = [scan(parser, text, need) for text in texts]
    scanned = scan_batch(parser, texts, need)
    assert [scanned.row(i) for i in range(len(texts))] == expected
    assert scan_batch(parser, texts[:1], need).row(0) == expected[0]  # the one-row path


@PROPS
@given(
    texts=BATCHES,
    preset=st.sampled_from(["emo_r3_robust", "emo_r3_paper", "emo_r3_reference"]),
)
def test_captured_summaries_equal_the_parser_summary(texts, preset):
    rubric, parser = presets.get(preset), get_parser("set")
    with ParseCapture(parser) as capture:
        rubric.score_batch(texts, ["fear"] * len(texts))
    (batch,) = capture._batches  # read from the call's own scan, steps included
    assert batch._scans["set"].need & NEED_STEPS
    assert capture.summaries(texts) == [parser.summary(text) for text in texts]
    assert capture.summaries(list(texts)) == [parser.summary(text) for text in texts]


LONG_FILL = st.sampled_from(["a dog runs ", "eyes yesterday ", "it's fine ", "Yes, "])


@PROPS
@given(texts=BATCHES, fill=LONG_FILL, where=st.sampled_from(["</step1>", "</step3>", "\\boxed"]))
def test_long_batches_equal_their_plain_definitions(texts, fill, where):
    """Responses past the long-step size (word sets, "yes" read from the words)."""
    texts = [t.replace(where, fill * 300 + where, 1) for t in texts]
    got = HackingGuards().score_components(None, texts, label=["fear"] * len(texts))
    for i, text in enumerate(texts):
        assert {k: v[i] for k, v in got.items()} == oracle.guards(text), text
    scanned = scan_batch(get_parser("set"), texts, NEEDS)
    for text, yes in zip(texts, scanned.yes, strict=True):
        assert yes or not said_yes(text)  # a necessary condition of a "yes" word
