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

from rewards import _inputs
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

    def score(self, texts, kwargs):
        return [1.0 if self.parser.parse(t).format_ok else 0.0 for t in texts]


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

    def score(self, texts, kwargs):
        sets = self._sets(kwargs, len(texts))
        labels = _inputs.gold_labels(kwargs, len(texts), sets)
        out = []
        for text, label, label_set in zip(texts, labels, sets, strict=True):
            parsed = self.parser.parse(text)
            if self.match == "exact":
                ok = parsed.reference_answer.lower() == label.lower()
            else:
                ok = parsed.answer is not None and label_set.normalize(
                    parsed.answer
                ) == label_set.normalize(label)
            out.append(1.0 if ok else 0.0)
        return out


_NEGATION = re.compile(r"\b(?:not|no|isn't|isnt|never|neither|nor|without)\s+(?:\w+\s+){0,1}$")
_POLARITY = re.compile(r"\b(positive|negative|neutral)\b")
_AROUSAL = re.compile(r"\b(high|low)\b(?=[\s\w-]{0,24}?\barousal)")
_AROUSAL_LOOSE = re.compile(r"\b(high|low)\b")


def _stated(pattern: re.Pattern, text: str) -> str | None:
    """The single value stated (ignoring negated mentions), or None if none/ambiguous."""
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
    name = label_set.normalize(answer)
    if name is None:
        return 0.0
    label = label_set[name]
    lowered = step3.lower()
    polarity_ok = _stated(_POLARITY, lowered) == label.polarity
    if label.arousal is None:
        return 1.0 if polarity_ok else 0.0
    arousal = _stated(_AROUSAL, lowered) or _stated(_AROUSAL_LOOSE, lowered)
    return 0.5 * polarity_ok + 0.5 * (arousal == label.arousal)


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

    def score(self, texts: list[str], kwargs: dict[str, Any]):
        sets = self._sets(kwargs, len(texts))
        out = []
        for text, label_set in zip(texts, sets, strict=True):
            parsed = self.parser.parse(text)
            out.append(affect_agreement(parsed.steps[2], parsed.answer, label_set))
        return out
