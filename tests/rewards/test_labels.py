import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rewards.errors import InvalidInputError, UnknownNameError
from rewards.labels import LABEL_SETS, LabelSet, _clean, _ls, get_label_set

EXPECTED = {
    "mikels8": (
        "amusement",
        "anger",
        "awe",
        "contentment",
        "disgust",
        "excitement",
        "fear",
        "sadness",
    ),
    "emotion6": ("anger", "disgust", "fear", "joy", "sadness", "surprise"),
    "webemo2": ("positive", "negative"),
    "sentiment2": ("positive", "negative"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_label_names(name):
    assert get_label_set(name).names == EXPECTED[name]


def test_webemo_hierarchy_is_consistent():
    w25, w7, w2 = (get_label_set(n) for n in ("webemo25", "webemo7", "webemo2"))
    assert len(w25) == 25 and len(w7) == 7
    for label in w25.labels:
        parent = w7[label.parent]
        assert label.polarity == parent.polarity
        assert parent.parent in w2


@pytest.mark.parametrize("name", sorted(LABEL_SETS))
def test_every_label_has_affect(name):
    for label in get_label_set(name).labels:
        assert label.polarity in ("positive", "negative", "neutral")
        assert label.arousal in ("high", "low", None)


def test_mikels_affect_table():
    m = get_label_set("mikels8")
    assert [(x.polarity, x.arousal) for x in m.labels] == [
        ("positive", "high"),
        ("negative", "high"),
        ("positive", "high"),
        ("positive", "low"),
        ("negative", "high"),
        ("positive", "high"),
        ("negative", "high"),
        ("negative", "low"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fear", "fear"),
        ("  scared!! ", "fear"),
        ("The answer is: sadness.", "sadness"),
        ("content", "contentment"),
        ("\\text{awe}", "awe"),
        ("fear or sadness", None),
        ("joy or sadness", "sadness"),
        ("", None),
        ("banana", None),
    ],
)
def test_normalize(text, expected):
    assert get_label_set("mikels8").normalize(text) == expected


def test_mentions_lists_distinct_labels_in_order():
    m = get_label_set("mikels8")
    assert m.mentions("fear, sad, Fear and anger") == ["fear", "sadness", "anger"]


def test_options_text_and_index():
    e6 = get_label_set("emotion6")
    assert e6.options_text() == "anger, disgust, fear, joy, sadness, surprise"
    assert e6.index("joy") == 3


def test_unknown_label_set_suggests_closest():
    with pytest.raises(UnknownNameError, match="Did you mean 'emotion6'"):
        get_label_set("emotion_6")


def test_unknown_label_suggests_closest():
    with pytest.raises(UnknownNameError, match="Did you mean 'sadness'"):
        get_label_set("mikels8").check("sadnes")


def test_non_string_label_set_is_rejected():
    with pytest.raises(InvalidInputError, match="Valid ids"):
        get_label_set(8)


# --- the one-pass cleaner and mention search equal their old definitions ------------------

OLD_PUNCT = re.compile(r"[^\w\s-]+")
OLD_SPACES = re.compile(r"[\s_-]+")


def old_clean(text):
    return OLD_SPACES.sub(" ", OLD_PUNCT.sub(" ", text.lower())).strip()


def old_mentions(label_set: LabelSet, text):
    words = old_clean(text).split()
    found = []
    for i, word in enumerate(words):
        pair = f"{word} {words[i + 1]}" if i + 1 < len(words) else None
        hit = label_set._table.get(pair) if pair else None
        hit = hit or label_set._table.get(word)
        if hit and hit not in found:
            found.append(hit)
    return found


def old_normalize(label_set: LabelSet, text):
    cleaned = old_clean(text)
    if not cleaned:
        return None
    if cleaned in label_set._table:
        return label_set._table[cleaned]
    found = old_mentions(label_set, text)
    return found[0] if len(found) == 1 else None


TWO_WORDS = _ls(
    "two_words",
    [("good mood", "positive", None), ("bad", "negative", None)],
    {"in a good mood": "good mood", "feeling down": "bad", "great": "good mood"},
)
WORDS = st.lists(
    st.sampled_from(
        [
            *("fear", "Scared", "awe", "feeling", "down", "good", "mood", "great", "bad", "x"),
            *(" ", "-", "_", ",", "!", "\n", "é", "İ", "2", "ß"),
        ]
    ),
    max_size=14,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(WORDS, st.text(max_size=40)))
def test_clean_normalize_and_mentions_equal_the_old_definitions(text):
    assert _clean(text) == old_clean(text)
    for label_set in (get_label_set("mikels8"), get_label_set("webemo25"), TWO_WORDS):
        assert label_set.mentions(text) == old_mentions(label_set, text)
        assert label_set.normalize(text) == old_normalize(label_set, text)
