"""Emotion label sets of the benchmarks, with polarity, arousal and a normaliser.

Label sets (ids): ``mikels8`` (EmoSet, FI), ``emotion6`` (Emotion6), ``webemo2``,
``webemo7`` and ``webemo25`` (the three levels of WebEmo's hierarchy) and
``sentiment2``. Each label carries its polarity (``positive``/``negative``/``neutral``)
and arousal (``high``/``low``/``None`` when the label does not fix it).

The normaliser (:meth:`LabelSet.normalize`) maps case, surrounding whitespace,
punctuation and common synonyms ("sad", "scared", "happy") onto label names. Robust
presets use it; the reference preset compares lower-cased strings and must not.

Example:
    >>> from rewards.labels import get_label_set
    >>> mikels = get_label_set("mikels8")
    >>> mikels.normalize("  Scared! ")
    'fear'
    >>> mikels["sadness"].polarity, mikels["sadness"].arousal
    ('negative', 'low')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType

from rewards.errors import InvalidInputError, UnknownNameError

__all__ = ["LABEL_SETS", "Label", "LabelSet", "get_label_set", "label_set_names"]


@dataclass(frozen=True, slots=True)
class Label:
    """One emotion category."""

    name: str
    polarity: str  # "positive" | "negative" | "neutral"
    arousal: str | None  # "high" | "low" | None (not fixed by the label)
    description: str = ""
    parent: str | None = None  # coarser label in a hierarchy (WebEmo)


_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> list[str]:
    """Lower-cased words: runs of letters and digits (punctuation, ``_``, ``-`` split)."""
    return _WORD.findall(text.lower())


def _clean(text: str) -> str:
    """The words of ``text`` joined by single spaces (the synonym table's key form)."""
    return " ".join(_WORD.findall(text.lower()))


@dataclass(frozen=True)
class LabelSet:
    """An ordered set of labels with a synonym table for robust matching."""

    id: str
    labels: tuple[Label, ...]
    synonyms: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    datasets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        table = {label.name: label.name for label in self.labels}
        for word, target in self.synonyms.items():
            table.setdefault(_clean(word), target)
        object.__setattr__(self, "_table", MappingProxyType(table))
        object.__setattr__(self, "_multiword", any(" " in key for key in table))
        single = {k: v for k, v in table.items() if " " not in k and _clean(k) == k}
        object.__setattr__(self, "_single", MappingProxyType(single))
        names = tuple(label.name for label in self.labels)
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "_options", ", ".join(names))
        affect = {x.name: (x.polarity, x.arousal) for x in self.labels}
        object.__setattr__(self, "_affect", MappingProxyType(affect))
        # each label name read through the normaliser (robust matching of gold labels)
        normal = {name: self.normalize(name) for name in names}
        object.__setattr__(self, "_normal", MappingProxyType(normal))
        object.__setattr__(self, "_by_name", MappingProxyType({x.name: x for x in self.labels}))
        # the names a gold label may be given as, unchanged by strip() and lower()
        gold = frozenset(x for x in names if x == x.strip().lower())
        object.__setattr__(self, "_gold", gold)

    @property
    def names(self) -> tuple[str, ...]:
        """Label names in their canonical order."""
        return self._names

    def __len__(self) -> int:
        return len(self.labels)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Label:
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownNameError(f"label of {self.id!r}", name, self.names) from None

    def index(self, name: str) -> int:
        """Position of ``name`` in :attr:`names`."""
        return self.names.index(self[name].name)

    def options_text(self) -> str:
        """The label list as the reference prompts show it: ``"a, b, c"``."""
        return self._options

    def normalize(self, text: str) -> str | None:
        """Map free text to a label name, or None when it names no single label.

        Case, punctuation, surrounding whitespace and synonyms are forgiven; a text
        naming two different labels returns None. Linear in the length of ``text``.
        """
        hit = self._single.get(text)
        if hit is not None:
            return hit
        words = _words(text)
        if not words:
            return None
        hit = self._table.get(" ".join(words))
        if hit is not None:
            return hit
        found = self._found(words, stop_at=2)
        return found[0] if len(found) == 1 else None

    def read(self, text: str) -> tuple[str | None, bool]:
        """``(normalize(text), len(mentions(text)) > 1)`` in one pass over ``text``."""
        hit = self._single.get(text)  # already a clean one-word key: the common answer
        if hit is not None:
            return hit, False
        words = _words(text)
        if not words:
            return None, False
        found = self._found(words, stop_at=2)
        whole = self._table.get(" ".join(words))
        if whole is not None:
            return whole, len(found) > 1
        return (found[0] if len(found) == 1 else None), len(found) > 1

    def mentions(self, text: str) -> list[str]:
        """Distinct labels named anywhere in ``text`` (by name or synonym), in order."""
        return self._found(_words(text))

    def _found(self, words: list[str], stop_at: int = 0) -> list[str]:
        """Distinct labels among ``words`` (a word pair first, then the word), in order.

        With ``stop_at``, the search ends once that many distinct labels are found.
        """
        table = self._table
        if not self._multiword:  # no two-word key: one lookup per word, in C
            found = list(dict.fromkeys([table[w] for w in words if w in table]))
            return found[:stop_at] if stop_at else found
        found: list[str] = []
        for i, word in enumerate(words):
            pair = f"{word} {words[i + 1]}" if i + 1 < len(words) else None
            hit = table.get(pair) if pair else None
            hit = hit or table.get(word)
            if hit and hit not in found:
                found.append(hit)
                if len(found) == stop_at:
                    break
        return found

    def check(self, name: str) -> str:
        """Return ``name`` if it is a label, else raise with the closest label."""
        if not isinstance(name, str):
            raise InvalidInputError(
                f"Gold labels must be strings naming a label of {self.id!r}; got "
                f"{type(name).__name__} {name!r}."
            )
        if name not in self._by_name:
            raise UnknownNameError(f"label of {self.id!r}", name, self.names)
        return name


def _ls(id_, rows, synonyms=None, datasets=()) -> LabelSet:
    labels = tuple(Label(*row) for row in rows)
    return LabelSet(id_, labels, MappingProxyType(dict(synonyms or {})), tuple(datasets))


_MIKELS_SYNONYMS = {
    "amused": "amusement",
    "amusing": "amusement",
    "funny": "amusement",
    "fun": "amusement",
    "humor": "amusement",
    "humour": "amusement",
    "playful": "amusement",
    "angry": "anger",
    "rage": "anger",
    "furious": "anger",
    "mad": "anger",
    "annoyed": "anger",
    "awed": "awe",
    "awestruck": "awe",
    "wonder": "awe",
    "amazed": "awe",
    "amazement": "awe",
    "content": "contentment",
    "contented": "contentment",
    "calm": "contentment",
    "peaceful": "contentment",
    "serene": "contentment",
    "satisfied": "contentment",
    "disgusted": "disgust",
    "disgusting": "disgust",
    "revulsion": "disgust",
    "gross": "disgust",
    "repulsed": "disgust",
    "excited": "excitement",
    "exciting": "excitement",
    "thrilled": "excitement",
    "thrill": "excitement",
    "enthusiasm": "excitement",
    "afraid": "fear",
    "scared": "fear",
    "fearful": "fear",
    "frightened": "fear",
    "terror": "fear",
    "horror": "fear",
    "anxious": "fear",
    "anxiety": "fear",
    "sad": "sadness",
    "sorrow": "sadness",
    "grief": "sadness",
    "unhappy": "sadness",
    "melancholy": "sadness",
    "depressed": "sadness",
}

_EMOTION6_SYNONYMS = {
    "angry": "anger",
    "rage": "anger",
    "furious": "anger",
    "mad": "anger",
    "disgusted": "disgust",
    "disgusting": "disgust",
    "revulsion": "disgust",
    "afraid": "fear",
    "scared": "fear",
    "fearful": "fear",
    "frightened": "fear",
    "terror": "fear",
    "horror": "fear",
    "happy": "joy",
    "happiness": "joy",
    "joyful": "joy",
    "delight": "joy",
    "amusement": "joy",
    "excitement": "joy",
    "contentment": "joy",
    "sad": "sadness",
    "sorrow": "sadness",
    "grief": "sadness",
    "unhappy": "sadness",
    "surprised": "surprise",
    "astonished": "surprise",
    "astonishment": "surprise",
    "amazed": "surprise",
    "shock": "surprise",
}

MIKELS8 = _ls(
    "mikels8",
    [
        ("amusement", "positive", "high", "something funny, playful or entertaining"),
        ("anger", "negative", "high", "something unjust, hostile or violent that makes one angry"),
        ("awe", "positive", "high", "something vast, sublime or majestic that inspires wonder"),
        ("contentment", "positive", "low", "something calm, cosy and peaceful that satisfies"),
        ("disgust", "negative", "high", "something dirty, rotten or repulsive"),
        ("excitement", "positive", "high", "something thrilling, energetic or adventurous"),
        ("fear", "negative", "high", "something dangerous, threatening or frightening"),
        ("sadness", "negative", "low", "loss, loneliness, grief or suffering"),
    ],
    _MIKELS_SYNONYMS,
    ("EmoSet", "FI"),
)

EMOTION6 = _ls(
    "emotion6",
    [
        ("anger", "negative", "high", "something unjust, hostile or violent that makes one angry"),
        ("disgust", "negative", "high", "something dirty, rotten or repulsive"),
        ("fear", "negative", "high", "something dangerous, threatening or frightening"),
        ("joy", "positive", "high", "something happy, delightful or pleasant"),
        ("sadness", "negative", "low", "loss, loneliness, grief or suffering"),
        ("surprise", "neutral", "high", "something unexpected or astonishing"),
    ],
    _EMOTION6_SYNONYMS,
    ("Emotion6",),
)

# WebEmo follows Parrott's hierarchy: 25 fine labels -> 7 mid labels -> 2 polarities.
_WEBEMO7 = {
    "anger": ("negative", "high"),
    "confusion": ("negative", None),
    "fear": ("negative", "high"),
    "joy": ("positive", "high"),
    "love": ("positive", "low"),
    "sadness": ("negative", "low"),
    "surprise": ("positive", "high"),
}
_WEBEMO25 = {
    "affection": "love",
    "cheerfulness": "joy",
    "confusion": "confusion",
    "contentment": "joy",
    "disappointment": "sadness",
    "disgust": "anger",
    "enthrallment": "joy",
    "envy": "anger",
    "exasperation": "anger",
    "gratitude": "love",
    "horror": "fear",
    "irritability": "anger",
    "lust": "love",
    "neglect": "sadness",
    "nervousness": "fear",
    "optimism": "joy",
    "pride": "joy",
    "rage": "anger",
    "relief": "joy",
    "sadness": "sadness",
    "shame": "sadness",
    "suffering": "sadness",
    "surprise": "surprise",
    "sympathy": "sadness",
    "zest": "joy",
}
_WEBEMO25_AROUSAL = {
    "contentment": "low",
    "relief": "low",
    "affection": "low",
    "gratitude": "low",
    "rage": "high",
    "horror": "high",
    "zest": "high",
    "lust": "high",
    "enthrallment": "high",
    "cheerfulness": "high",
    "nervousness": "high",
    "exasperation": "high",
    "neglect": "low",
    "disappointment": "low",
    "sympathy": "low",
    "sadness": "low",
}

WEBEMO2 = _ls(
    "webemo2",
    [
        ("positive", "positive", None, "a pleasant, uplifting feeling"),
        ("negative", "negative", None, "an unpleasant, distressing feeling"),
    ],
    {"pos": "positive", "neg": "negative", "good": "positive", "bad": "negative"},
    ("WebEmo",),
)
WEBEMO7 = _ls(
    "webemo7",
    [(name, pol, aro, "", pol) for name, (pol, aro) in _WEBEMO7.items()],
    {
        "angry": "anger",
        "sad": "sadness",
        "happy": "joy",
        "afraid": "fear",
        "scared": "fear",
        "surprised": "surprise",
        "confused": "confusion",
        "loving": "love",
    },
    ("WebEmo",),
)
WEBEMO25 = _ls(
    "webemo25",
    [
        (name, _WEBEMO7[mid][0], _WEBEMO25_AROUSAL.get(name, _WEBEMO7[mid][1]), "", mid)
        for name, mid in _WEBEMO25.items()
    ],
    {
        "irritabilty": "irritability",
        "cheerfullness": "cheerfulness",
        "sad": "sadness",
        "confused": "confusion",
        "proud": "pride",
        "envious": "envy",
        "ashamed": "shame",
    },
    ("WebEmo",),
)
SENTIMENT2 = _ls(
    "sentiment2",
    [
        ("positive", "positive", None, "a pleasant, uplifting feeling"),
        ("negative", "negative", None, "an unpleasant, distressing feeling"),
    ],
    {
        "pos": "positive",
        "neg": "negative",
        "good": "positive",
        "bad": "negative",
        "happy": "positive",
        "sad": "negative",
    },
    ("FI", "EmoSet", "Emotion6", "WebEmo"),
)

LABEL_SETS: MappingProxyType = MappingProxyType(
    {ls.id: ls for ls in (MIKELS8, EMOTION6, WEBEMO2, WEBEMO7, WEBEMO25, SENTIMENT2)}
)


def label_set_names() -> tuple[str, ...]:
    """Ids of the registered label sets."""
    return tuple(LABEL_SETS)


def get_label_set(name: str | LabelSet) -> LabelSet:
    """Return the label set with id ``name`` (a :class:`LabelSet` passes through)."""
    if isinstance(name, LabelSet):
        return name
    if not isinstance(name, str):
        raise InvalidInputError(
            f"A label set is named by its id (str) or given as a LabelSet; got "
            f"{type(name).__name__}. Valid ids: {', '.join(LABEL_SETS)}."
        )
    try:
        return LABEL_SETS[name]
    except KeyError:
        raise UnknownNameError("label set", name, LABEL_SETS) from None
