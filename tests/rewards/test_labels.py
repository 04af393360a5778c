import pytest

from rewards.errors import InvalidInputError, UnknownNameError
from rewards.labels import LABEL_SETS, get_label_set

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
