"""Rule rewards: format, accuracy, and step3 polarity/arousal agreement.

Each is a picklable object called as ``reward(prompts, completions, **kwargs)``.

Example:
    >>> from rewards.rules import AccuracyReward, FormatReward
    >>> r = "<step1>x</step1><step2>y</step2><step3>z</step3>\\\\boxed{Awe}"
    >>> FormatReward()(None, [r]), AccuracyReward()(None, [r], label=["awe"])
    ([1.0], [1.0])
"""

from __future__ import annotations

import re
from typing import Any

from rewards._fused import ANSWER, FORMAT, NEED_STEPS, STEPS
from rewards.base import Reward
from rewards.errors import InvalidInputError
from rewards.labels import LabelSet

__all__ = ["AccuracyReward", "AffectReward", "FormatReward"]


class FormatReward(Reward):
    """1.0 when the compacted response fully matches the parser's pattern, else 0.0.

    For SET: ``<step1>.*</step1>.*<step2>.*</step2>.*<step3>.*</step3>.*\\boxed{.*}.*``
    (dot matches newline) after deleting whitespace around ``<``, ``>`` and ``/``.
    """

    def __init__(self, parser="set", name: str = "format"):
        super().__init__(name, parser)

    def columns(self, batch):
        return [1.0 if row[FORMAT] else 0.0 for row in batch.rows(self.parser, 0)]

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
        rows = batch.rows(self.parser, 0)
        if self.match == "exact":  # the reference: "None" when no box closes
            return [
                1.0 if ("none" if row[ANSWER] is None else row[ANSWER].lower()) == label else 0.0
                for row, label in zip(rows, labels, strict=True)
            ]
        answers = batch.answers(self.parser, 0, self.label_set)
        targets = batch.targets(self.label_set)
        return [
            1.0 if read[0] is not None and read[0] == target else 0.0
            for read, target in zip(answers, targets, strict=True)
        ]

    def score(self, texts, kwargs):
        return self.columns(self._batch(texts, kwargs))


_NEGATION = re.compile(r"\b(?:not|no|isn't|isnt|never|neither|nor|without)\s+(?:\w+\s+){0,1}$")
_POLARITY = re.compile(r"\b(positive|negative|neutral)\b")
_AROUSAL = re.compile(r"\b(high|low)\b(?=[\s\w-]{0,24}?\barousal)")
_AROUSAL_LOOSE = re.compile(r"\b(high|low)\b")


_NEGATION_HINT = re.compile(r"(?:no|not|isn't|isnt|never|neither|nor|without)\s")


def _stated(pattern: re.Pattern, text: str) -> str | None:
    """The single value stated (ignoring negated mentions), or None if none/ambiguous.

    A mention is negated when a negation word and at most one more word precede it
    (within 24 characters); a text without any negation word followed by a space
    (``_NEGATION_HINT``) has no negated mention and is read with one ``findall``.
    """
    values = {
        m.group(1)
        for m in pattern.finditer(text)
        if not _NEGATION.search(text[max(0, m.start() - 24) : m.start()])
    }
    return values.pop() if len(values) == 1 else None


def affect_agreement(step3: str | None, answer: str | None, label_set: LabelSet) -> float:
    """Agreement of step3's stated polarity and arousal with the boxed label.

    Half the credit for the polarity, half for the arousal (all of it for the polarity
    when the label fixes no arousal). 0 when step3 or the boxed label is missing.
    """
    if not step3 or answer is None:
        return 0.0
    return _agreement(step3, label_set.normalize(answer), label_set)


def _agreement(step3: str | None, name: str | None, label_set: LabelSet) -> float:
    if not step3 or name is None:
        return 0.0
    polarity, arousal = label_set._affect[name]
    lowered = step3.lower()
    if _NEGATION_HINT.search(lowered) is None:  # nothing negated: every mention counts
        polarity_ok = _first_only(_POLARITY, lowered) == polarity
        if arousal is None:
            return 1.0 if polarity_ok else 0.0
        stated = _first_only(_AROUSAL, lowered) or _first_only(_AROUSAL_LOOSE, lowered)
    else:
        polarity_ok = _stated(_POLARITY, lowered) == polarity
        if arousal is None:
            return 1.0 if polarity_ok else 0.0
        stated = _stated(_AROUSAL, lowered) or _stated(_AROUSAL_LOOSE, lowered)
    return 0.5 * polarity_ok + 0.5 * (stated == arousal)


def _first_only(pattern: re.Pattern, text: str) -> str | None:
    """The value of the first mention when no later mention states another, else None."""
    first = pattern.search(text)
    if first is None:
        return None
    value = first.group(1)
    for later in pattern.finditer(text, first.end()):
        if later.group(1) != value:
            return None
    return value


class AffectReward(Reward):
    """Step3 polarity/arousal agreement with the boxed label, in [0, 1].

    Step3 of SET asks "positive or negative? high or low arousal?"; this reward checks
    that the answer given there matches the affect of the emotion that was boxed (from
    the label set's table), so the reasoning and the answer cannot contradict.
    Negated mentions ("not negative") are ignored; a step3 stating both values of a
    dimension earns nothing for it.
    """

    def __init__(self, parser="set", label_set="mikels8", name: str = "affect"):
        super().__init__(name, parser, label_set)
        if "step3" not in self.parser.tags:
            raise InvalidInputError(
                "AffectReward reads <step3>; use parser='set' (the think format has no step3)."
            )

    needs = NEED_STEPS

    def columns(self, batch):
        rows = batch.rows(self.parser, NEED_STEPS)
        answers = batch.answers(self.parser, NEED_STEPS, self.label_set)
        sets = batch.sets(self.label_set)
        return [
            _agreement(row[STEPS][2], read[0], label_set)
            for row, read, label_set in zip(rows, answers, sets, strict=True)
        ]

    def score(self, texts: list[str], kwargs: dict[str, Any]):
        return self.columns(self._batch(texts, kwargs))
