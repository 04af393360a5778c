"""Rule rewards: format, accuracy, and step3 polarity/arousal agreement.

Each is a picklable object called as ``reward(prompts, completions, **kwargs)``.

Example:
    >>> from rewards.rules import AccuracyReward, FormatReward
    >>> r = "<step1>x</step1><step2>y</step2><step3>z</step3>\\\\boxed{Awe}"
    >>> FormatReward()(None, [r]), AccuracyReward()(None, [r], label=["awe"])
    ([1.0], [1.0])
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from rewards._columns import listed
from rewards._fused import NEED_WORDS, WORD
from rewards.base import Reward
from rewards.errors import InvalidInputError
from rewards.labels import LabelSet

__all__ = ["AccuracyReward", "AffectReward", "FormatReward", "affect_agreement", "stated_affect"]


class FormatReward(Reward):
    """1.0 when the compacted response fully matches the parser's pattern, else 0.0.

    For SET: ``<step1>.*</step1>.*<step2>.*</step2>.*<step3>.*</step3>.*\\boxed{.*}.*``
    (dot matches newline) after deleting whitespace around ``<``, ``>`` and ``/``.
    """

    def __init__(self, parser="set", name: str = "format"):
        super().__init__(name, parser)

    def columns(self, batch):
        return list(map(float, batch.scan(self.parser, 0).format))

    def score(self, texts, kwargs):
        return self.columns(self._batch(texts, kwargs))


class AccuracyReward(Reward):
    """1.0 when the last boxed answer matches the gold label, else 0.0.

    Args:
        match: ``"exact"`` (the reference: the lower-cased answer, ``"None"`` when no
            box closes, equals the lower-cased label) or ``"normalized"`` (the label
            set's normaliser maps the answer to the gold label; case, punctuation and
            synonyms are forgiven; a box naming two labels scores 0).
    """

    MATCHES = ("exact", "normalized")

    def __init__(self, parser="set", match: str = "exact", label_set="mikels8", name="accuracy"):
        super().__init__(name, parser, label_set)
        if match not in self.MATCHES:
            raise InvalidInputError(f"match must be one of {self.MATCHES}; got {match!r}.")
        self.match = match

    def columns(self, batch):
        labels = batch.labels(self.label_set)
        boxes = batch.scan(self.parser, 0).answer
        if self.match == "exact":  # the reference: "None" when no box closes
            return [
                1.0 if ("none" if box is None else box.lower()) == label else 0.0
                for box, label in zip(boxes, labels, strict=True)
            ]
        named = batch.answers(self.parser, 0, self.label_set)[0]
        targets = batch.targets(self.label_set)
        return [
            1.0 if name is not None and name == target else 0.0
            for name, target in zip(named, targets, strict=True)
        ]

    def score(self, texts, kwargs):
        return self.columns(self._batch(texts, kwargs))


_POLARITIES = frozenset({"positive", "negative", "neutral"})
_AROUSALS = frozenset({"high", "low"})
_NEGATORS = frozenset({"not", "no", "isn't", "isnt", "never", "neither", "nor", "without"})
_AFFECT_WORDS = _POLARITIES | _AROUSALS | _NEGATORS


def stated_affect(words: list[str]) -> tuple[str | None, str | None]:
    """The polarity and arousal a step3 states, from its lower-cased words.

    A mention ("positive", "negative", "neutral"; "high", "low") counts unless one of
    the two words before it is a negation ("not", "no", "isn't", "never", "neither",
    "nor", "without"); a dimension is stated when one distinct value counts. For the
    arousal, mentions followed within three words by "arousal" win over bare ones.
    """
    hits = _AFFECT_WORDS.intersection(words)
    if not hits:
        return None, None
    if not hits & _NEGATORS and not hits >= _AROUSALS:  # nothing negated, no rival arousal
        polarity, arousal = hits & _POLARITIES, hits & _AROUSALS
        return (
            next(iter(polarity)) if len(polarity) == 1 else None,
            next(iter(arousal)) if len(arousal) == 1 else None,
        )
    return _read_in_order(words)


def _read_in_order(words: list[str]) -> tuple[str | None, str | None]:
    """:func:`stated_affect` mention by mention (negations and "arousal" need positions)."""
    polarity, strict, loose = set(), set(), set()
    for i, word in enumerate(words):
        if word in _POLARITIES or word in _AROUSALS:
            if _NEGATORS.intersection(words[max(0, i - 2) : i]):
                continue
            if word in _POLARITIES:
                polarity.add(word)
            else:
                loose.add(word)
                if "arousal" in words[i + 1 : i + 4]:
                    strict.add(word)
    arousal = strict if len(strict) == 1 else loose
    return (
        next(iter(polarity)) if len(polarity) == 1 else None,
        next(iter(arousal)) if len(arousal) == 1 else None,
    )


def affect_agreement(step3: str | None, answer: str | None, label_set: LabelSet) -> float:
    """Agreement of step3's stated polarity and arousal with the boxed label.

    Half the credit for the polarity, half for the arousal (all of it for the polarity
    when the label fixes no arousal). 0 when step3 or the boxed label is missing.
    See :func:`stated_affect` for how step3 is read.
    """
    if not step3 or answer is None:
        return 0.0
    return _agreement(WORD.findall(step3.lower()), label_set.normalize(answer), label_set)


_TABLES: dict[int, tuple[LabelSet, dict]] = {}


def _agreement_table(label_set: LabelSet) -> dict[tuple[frozenset, str | None], float]:
    """``{(affect words of a step3, boxed label): agreement}`` for every set of affect
    words read without positions (no negation, not both arousals), every label and
    no label (None); kept per label set."""
    cached = _TABLES.get(id(label_set))
    if cached is not None and cached[0] is label_set:
        return cached[1]
    values = (*_POLARITIES, *_AROUSALS)
    table = {}
    for size in range(len(values) + 1):
        for hits in map(frozenset, combinations(values, size)):
            if hits >= _AROUSALS:
                continue
            words = sorted(hits)  # any order: no position matters for these
            for name in (None, *label_set.names):
                table[hits, name] = _agreement(words, name, label_set)
    if len(_TABLES) > 64:  # label sets built on the fly: keep the cache small
        _TABLES.clear()
    _TABLES[id(label_set)] = (label_set, table)
    return table


def _agreement(words: list[str], name: str | None, label_set: LabelSet) -> float:
    if not words or name is None:
        return 0.0
    polarity, arousal = label_set._affect[name]
    stated_polarity, stated_arousal = stated_affect(words)
    if arousal is None:
        return 1.0 if stated_polarity == polarity else 0.0
    return 0.5 * (stated_polarity == polarity) + 0.5 * (stated_arousal == arousal)


class AffectReward(Reward):
    """Step3 polarity/arousal agreement with the boxed label, in [0, 1].

    Step3 of SET asks "positive or negative? high or low arousal?"; this reward checks
    that the answer given there matches the affect of the emotion that was boxed (from
    the label set's table), so the reasoning and the answer cannot contradict.
    Negated mentions ("not negative") are ignored; a step3 stating both values of a
    dimension earns nothing for it (:func:`stated_affect`).
    """

    def __init__(self, parser="set", label_set="mikels8", name: str = "affect"):
        super().__init__(name, parser, label_set)
        if "step3" not in self.parser.tags:
            raise InvalidInputError(
                "AffectReward reads <step3>; use parser='set' (the think format has no step3)."
            )

    needs = NEED_WORDS

    def columns(self, batch):
        step3 = self.parser.tags.index("step3")
        words = batch.scan(self.parser, NEED_WORDS).words[step3]
        named = batch.answers(self.parser, NEED_WORDS, self.label_set)[0]
        same = batch.uniform_set(self.label_set)
        if not max(batch.scan(self.parser, NEED_WORDS).sizes[step3], default=0):
            return [0.0] * batch.n  # no step3 says anything
        if same is None:
            sets = batch.sets(self.label_set)
            return list(map(_agreement, map(listed, words), named, sets))
        # the affect words of each step3, then (those words, boxed label) -> value from a
        # table of the label set; a step3 with a negation or both arousals is read in order
        values = list(
            map(
                _agreement_table(same).get,
                zip(map(_AFFECT_WORDS.intersection, words), named, strict=True),
            )
        )
        if None in values:
            for i, value in enumerate(values):
                if value is None:
                    values[i] = _agreement(listed(words[i]), named[i], same)
        return values

    def score(self, texts: list[str], kwargs: dict[str, Any]):
        return self.columns(self._batch(texts, kwargs))
