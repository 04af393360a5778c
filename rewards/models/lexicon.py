"""Coherence by the NRC emotion lexicon (``nrclex``): fast, offline, no model.

The reasoning's words are looked up in the NRC lexicon (with light suffix stripping:
"scared" -> "scare"), giving counts over the ten NRC categories (anger, anticipation,
disgust, fear, joy, sadness, surprise, trust, positive, negative). Each label maps to
a few categories (:data:`LABEL_CATEGORIES`; unlisted labels use the lexicon's own entry
for the label word, polarity dropped). A label's score is the mean count of its
categories; the distribution is the scores divided by their sum, and the reward is
the target label's share. A text with no emotion word gives ``no_evidence`` (None by
default: the reward does not apply; counted in ``stats["none"]``).

Example:
    >>> from rewards.models import lexicon_coherence
    >>> reward = lexicon_coherence(target="gold")
    >>> r = "<step1>A dangerous storm.</step1><step2>Frightening.</step2><step3>negative</step3>"
    >>> [round(v, 2) for v in reward(None, [r], label=["fear"])]
    [0.41]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rewards.errors import InvalidInputError
from rewards.labels import LabelSet, get_label_set
from rewards.models._coherence import CoherenceConfig, CoherenceReward
from rewards.models._common import require
from rewards.models._config import make_config

__all__ = [
    "LABEL_CATEGORIES",
    "LexiconCoherence",
    "LexiconConfig",
    "lexicon_coherence",
    "nrc_counts",
]

CATEGORIES = (
    "anger", "anticipation", "disgust", "fear", "joy",
    "sadness", "surprise", "trust", "positive", "negative",
)  # fmt: skip

LABEL_CATEGORIES: dict[str, tuple[str, ...]] = {
    "amusement": ("joy",),
    "anger": ("anger",),
    "awe": ("surprise", "positive"),
    "contentment": ("joy", "trust"),
    "disgust": ("disgust",),
    "excitement": ("anticipation", "joy", "surprise"),
    "fear": ("fear",),
    "sadness": ("sadness",),
    "joy": ("joy",),
    "surprise": ("surprise",),
    "positive": ("positive",),
    "negative": ("negative",),
    "love": ("joy", "trust"),
    "confusion": ("surprise", "negative"),
    "envy": ("anger", "negative"),
    "enthrallment": ("joy", "anticipation", "surprise"),
}

_WORD = re.compile(r"[a-z]+")
_SUFFIXES = ("ing", "ed", "es", "s", "ly", "ness", "d")


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, tuple[str, ...]]:
    core = require("nrclex.core", "nlp", "the NRC emotion lexicon", "nrclex")
    return {w: tuple(v) for w, v in core._load_bundled_lexicon().items()}


@lru_cache(maxsize=65536)
def _lookup(word: str) -> tuple[str, ...]:
    lex = _lexicon()
    if word in lex:
        return lex[word]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            for candidate in (stem, stem + "e"):
                if candidate in lex:
                    return lex[candidate]
    return ()


def nrc_counts(text: str) -> dict[str, int]:
    """How many words of ``text`` carry each NRC category."""
    counts = dict.fromkeys(CATEGORIES, 0)
    for word in _WORD.findall(text.lower()):
        for category in _lookup(word):
            counts[category] += 1
    return counts


@dataclass(frozen=True, kw_only=True)
class LexiconConfig(CoherenceConfig):
    """Settings of :class:`LexiconCoherence` (and the fields of :class:`CoherenceConfig`).

    Attributes:
        mapping: extra or replacement ``{label: (NRC categories...)}`` entries.
        no_evidence: value when the text holds no emotion word (None: not applicable).
    """

    mapping: dict[str, tuple[str, ...]] | None = None
    no_evidence: float | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        for label, cats in (self.mapping or {}).items():
            bad = [c for c in cats if c not in CATEGORIES]
            if bad or not cats:
                raise InvalidInputError(
                    f"mapping[{label!r}] must list NRC categories from {CATEGORIES}; got {cats!r}."
                )


class LexiconCoherence(CoherenceReward):
    """Coherence by NRC lexicon counts; build with :func:`lexicon_coherence`."""

    def __init__(self, config: LexiconConfig | None = None, /, **options: Any):
        config = make_config(LexiconConfig, config, options, "LexiconCoherence")
        super().__init__(config)
        mapping = config.mapping or {}
        self.mapping = {**LABEL_CATEGORIES, **{k: tuple(v) for k, v in mapping.items()}}
        self.no_evidence = config.no_evidence

    def _load(self) -> bool:
        _lexicon()
        return True

    def categories(self, label: str) -> tuple[str, ...]:
        """The NRC categories a label counts."""
        if label in self.mapping:
            return self.mapping[label]
        own = tuple(c for c in _lookup(label) if c not in ("positive", "negative"))
        own = own or _lookup(label)
        if not own:
            raise InvalidInputError(
                f"Label {label!r} is not in the NRC lexicon; pass mapping={{{label!r}: "
                f"(categories...)}} with categories from {CATEGORIES}."
            )
        return own

    def predict(self, texts: list[str], label_set: str | LabelSet = "mikels8") -> list:
        _ = self.loaded
        names = get_label_set(label_set).names
        cats = [self.categories(n) for n in names]
        out = []
        for text in texts:
            counts = nrc_counts(text)
            scores = [sum(counts[c] for c in cs) / len(cs) for cs in cats]
            total = sum(scores)
            out.append([s / total for s in scores] if total else None)
        return out

    def score(self, texts, kwargs):
        values = super().score(texts, kwargs)
        if self.no_evidence is not None:
            values = [self.no_evidence if v is None else v for v in values]
        return values


def lexicon_coherence(mapping: dict | None = None, **options: Any) -> LexiconCoherence:
    """Coherence as the target label's share of NRC lexicon evidence.

    Args:
        mapping: extra or replacement ``{label: (NRC categories...)}`` entries.
        **options: any other field of :class:`LexiconConfig`, by keyword:
            ``no_evidence`` (value when the text holds no emotion word; None: not
            applicable), ``target``, ``passage``, ``missing_value``, ``label_set``,
            ``name``.

    Returns:
        A :class:`LexiconCoherence` reward; values in [0, 1] or None.

    Example:
        >>> lexicon_coherence().categories("awe")
        ('surprise', 'positive')
    """
    return LexiconCoherence(mapping=mapping, **options)
