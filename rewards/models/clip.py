"""CLIP visual-text consistency: does the reasoning describe the image?

For each response, the chosen passage (``step1`` by default, ``step1+step2`` or all the
``reasoning``; tags removed) and the sample's image are embedded by a CLIP model; the
cosine similarity of the L2-normalised embeddings is mapped to [0, 1] per sample
(:class:`~rewards.models._common.SimilarityMap`; CLIPScore's ``2.5 * max(cos, 0)``
clipped at 1 by default).

Long passages are never silently truncated: a passage longer than the text context
(77 tokens for CLIP) is split into sentences (and over-long sentences into word
windows that fit), each piece is scored against the image, and the similarities are
aggregated with ``aggregate="max"`` (default: the best-matching sentence) or ``"mean"``.

Image and text embeddings are cached (LRU, keyed by a hash of the pixels or the
path and by the text), so the G responses of one prompt encode their image once and a
repeated pair costs only a dot product. Values: [0, 1]; a response with no passage
scores ``missing_value`` (0.0); a sample without an image gets None.

Example:
    >>> from rewards.models import clip_consistency
    >>> reward = clip_consistency("ViT-B-32", pretrained="openai")  # loads lazily
    >>> reward.__name__
    'consistency'
    >>> reward(None, ["<step1>a dog on a beach</step1>..."], image=[img])  # doctest: +SKIP
    [0.71]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rewards import _inputs
from rewards.errors import InvalidInputError
from rewards.models._base import ModelReward
from rewards.models._common import (
    LRUCache,
    SimilarityMap,
    check_passage,
    image_key,
    passage_text,
    require,
)
from rewards.models._config import ModelRewardConfig, make_config
from rewards.models.clip_backends import BACKENDS, PREPROCESS, load_clip
from rewards.models.clip_tokenizer import split_for_context

__all__ = ["ClipConfig", "ClipConsistency", "clip_consistency", "split_for_context"]


@dataclass(frozen=True, kw_only=True)
class ClipConfig(ModelRewardConfig):
    """Settings of :class:`ClipConsistency` (validated on construction).

    Attributes:
        model: open_clip: a model name (``"ViT-B-32"``), ``"local-dir:/path"``,
            ``"hf-hub:org/repo"`` or a local folder holding ``open_clip_config.json``;
            hf: a hub id (``"openai/clip-vit-base-patch32"``) or a local folder.
        backend: ``"open_clip"`` or ``"hf"`` (transformers ``AutoModel``/``AutoProcessor``).
        pretrained: open_clip pretrained tag or checkpoint file (ignored for folders/hf).
        passage: ``"step1"``, ``"step1+step2"`` or ``"reasoning"``.
        mapping: ``"clipscore"`` (``min(1, 2.5 max(cos, 0))``), ``"positive"``,
            ``"linear"`` (``(cos + 1) / 2``), ``"minmax"`` (``low``..``high`` -> 0..1) or a
            callable ``cos -> float``.
        low, high: the ``minmax`` range.
        aggregate: how sentence pieces of a passage longer than the context combine.
        batch_size: images / texts per forward pass.
        device, dtype: default CUDA with bf16 (fp16 without bf16 support), else CPU fp32.
        cache_size: image embeddings kept (4x as many texts); 0 disables the cache.
        missing_value: score of a response without the passage.
        workers: threads preprocessing images (PIL releases the GIL while resizing); on
            CUDA at least 4 hash the images and copy their pixels to pinned memory.
        preprocess: ``"auto"`` (tensor on CUDA, PIL on CPU), ``"pil"`` (the library's
            transforms on the host) or ``"tensor"`` (batched bicubic resize, center crop
            and normalise on the model's device: keeps a GPU fed; values match PIL's to
            about 1e-2 in cosine).
        parser: answer format of the responses (``"set"``).
        name: component name (use it in a Rubric's weights).
    """

    name: str = "consistency"
    model: str = "ViT-B-32"
    backend: str = "open_clip"
    pretrained: str | None = "openai"
    passage: str = "step1"
    mapping: str | Callable[[float], float] = "clipscore"
    low: float = 0.15
    high: float = 0.35
    aggregate: str = "max"
    device: str | None = None
    dtype: Any = None
    cache_size: int = 4096
    missing_value: float = 0.0
    workers: int = 1
    preprocess: str = "auto"
    parser: str = "set"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.backend not in BACKENDS:
            raise InvalidInputError(f"backend must be one of {BACKENDS}; got {self.backend!r}.")
        if self.aggregate not in ("max", "mean"):
            raise InvalidInputError(f"aggregate must be 'max' or 'mean'; got {self.aggregate!r}.")
        if not isinstance(self.model, str) or not self.model:
            raise InvalidInputError("model must be a CLIP model name, hub id or local path.")
        if self.preprocess not in PREPROCESS:
            raise InvalidInputError(
                f"preprocess must be one of {PREPROCESS}; got {self.preprocess!r}."
            )
        check_passage(self.passage)
        SimilarityMap(self.mapping, self.low, self.high)  # checks the mapping


class ClipConsistency(ModelReward):
    """Per-sample CLIP similarity of a reasoning passage and the image, mapped to [0, 1].

    Args:
        config: a :class:`ClipConfig`; ``options`` (its fields as keywords) replace its
            values, or build one when no config is given.
    """

    #: Reads the ``image`` column (servers use this to decide whether to load images).
    needs_images = True

    def __init__(self, config: ClipConfig | None = None, /, **options: Any):
        config = make_config(ClipConfig, config, options, "ClipConsistency")
        super().__init__(config.name, config.parser, "mikels8", config.batch_size)
        self.config = config
        self.model, self.backend, self.pretrained = config.model, config.backend, config.pretrained
        self.passage = config.passage
        self.map = SimilarityMap(config.mapping, config.low, config.high)
        self.aggregate = config.aggregate
        self.device, self.dtype, self.workers = config.device, config.dtype, config.workers
        self.preprocess = config.preprocess
        self.cache_size = config.cache_size
        self.missing_value = float(config.missing_value)

    def _load(self) -> dict[str, Any]:
        encoder = load_clip(
            self.backend, self.model, self.pretrained, self.device, self.dtype, self.workers,
            self.preprocess,
        )  # fmt: skip
        return {
            "encoder": encoder,
            "images": LRUCache(self.cache_size),
            "texts": LRUCache(self.cache_size * 4),
        }

    @property
    def cache_info(self) -> dict[str, int]:
        """Hits, misses and sizes of the image and text embedding caches."""
        if self._state is None:
            return {}
        out = {}
        for kind in ("images", "texts"):
            cache = self._state[kind]
            out |= {f"{kind}_hits": cache.hits, f"{kind}_misses": cache.misses}
            out[f"{kind}_cached"] = len(cache)
        return out

    def _embed(self, keys: list, items: list, cache: LRUCache, encode) -> dict:
        torch = require("torch", "clip")
        found: dict = {}
        todo: dict = {}
        for key, item in zip(keys, items, strict=True):
            if key in found or key in todo:
                continue
            hit = cache.get(key)
            if hit is None:
                todo[key] = item
            else:
                found[key] = hit
        pending = list(todo.items())
        for start in range(0, len(pending), self.batch_size):
            chunk = pending[start : start + self.batch_size]
            vectors = encode([item for _, item in chunk])
            for (key, _), vector in zip(chunk, torch.unbind(vectors), strict=True):
                cache.put(key, vector)
                found[key] = vector
        return found

    def _image_vectors(self, images: list[Any]) -> tuple[list, dict]:
        """Keys of the images and their embeddings (computed for the uncached ones).

        An image object that repeats in the batch (the G responses of one prompt) is
        hashed once; equal pixels in distinct objects share one key as well.
        """
        state = self.loaded
        enc = state["encoder"]
        by_id: dict[int, Any] = {}
        for img in images:
            by_id.setdefault(id(img), img)
        unique = list(by_id.values())
        keyed = dict(zip(map(id, unique), enc._map(image_key, unique), strict=True))
        keys = [keyed[id(img)] for img in images]
        vectors = self._embed(keys, images, state["images"], enc.encode_images)
        return keys, vectors

    def _text_vectors(self, passages: list[str]) -> tuple[list[list[str]], dict]:
        """The context-sized pieces of each passage and the pieces' embeddings."""
        state = self.loaded
        enc = state["encoder"]
        # Tokenise each new passage once: the ids decide whether it fits the context
        # and are reused for the forward pass.
        fresh = [p for p in dict.fromkeys(passages) if p not in state["texts"].data]
        ids = dict(zip(fresh, enc.token_ids(fresh) or [], strict=False))
        pieces = [
            [p]
            if p in ids and len(ids[p]) <= enc.context_length
            else split_for_context(p, enc.n_tokens, enc.context_length)
            for p in passages
        ]
        flat = [t for group in pieces for t in group]
        vectors = self._embed(flat, flat, state["texts"], lambda items: self._texts(items, ids))
        return pieces, vectors

    def _aggregate(self, pieces: list[list[str]], text_vecs: dict, img_keys: list,
                   img_vecs: dict) -> list[float]:  # fmt: skip
        torch = require("torch", "clip")
        if not pieces:
            return []
        left = torch.stack(
            [img_vecs[k] for k, group in zip(img_keys, pieces, strict=True) for _ in group]
        )
        right = torch.stack([text_vecs[t] for group in pieces for t in group])
        cos = (left * right).sum(-1).tolist()  # the one wait for the device
        out, pos = [], 0
        for group in pieces:
            values = cos[pos : pos + len(group)]
            pos += len(group)
            out.append(max(values) if self.aggregate == "max" else sum(values) / len(values))
        return out

    def similarities(self, passages: list[str], images: list[Any]) -> list[float]:
        """Raw aggregated cosine similarity of each (passage, image) pair."""
        img_keys, img_vecs = self._image_vectors(images)
        pieces, text_vecs = self._text_vectors(passages)
        return self._aggregate(pieces, text_vecs, img_keys, img_vecs)

    def _texts(self, items: list[str], ids: dict[str, list[int]]) -> Any:
        enc = self.loaded["encoder"]
        if not ids:
            return enc.encode_texts(items)
        missing = [t for t in items if t not in ids]
        ids.update(zip(missing, enc.token_ids(missing), strict=True))
        return enc.encode_ids([ids[t] for t in items])

    def _images_first(self) -> bool:
        """Embed the images before parsing the responses (on CUDA, where they overlap)."""
        return self.loaded["encoder"].device.startswith("cuda")

    def score(self, texts: list[str], kwargs: dict[str, Any]) -> list[float | None]:
        images = _inputs.images(kwargs, len(texts))
        out: list[float | None] = [None] * len(texts)
        present = [i for i, image in enumerate(images) if image is not None]
        # On a GPU the images go first: the device embeds them while the host parses the
        # responses and tokenises the passages (the embeddings of an image whose response
        # has no passage are computed in vain, and cached). On a CPU nothing overlaps, so
        # only the images that are needed are embedded.
        early = self._images_first()
        if early:
            keys, img_vecs = self._image_vectors([images[i] for i in present])
            key_of = dict(zip(present, keys, strict=True))
        todo: list[tuple[int, str]] = []
        for i in present:
            passage = passage_text(self.parser.parse(texts[i]), self.passage)
            if passage is None:
                self.stats["missing"] += 1
                out[i] = self.missing_value
            else:
                todo.append((i, passage))
        if not early:
            keys, img_vecs = self._image_vectors([images[i] for i, _ in todo])
            key_of = {i: k for (i, _), k in zip(todo, keys, strict=True)}
        pieces, text_vecs = self._text_vectors([p for _, p in todo])
        sims = self._aggregate(pieces, text_vecs, [key_of[i] for i, _ in todo], img_vecs)
        for (i, _), cos in zip(todo, sims, strict=True):
            out[i] = self.map(cos)
        return self._count(out)

    def __repr__(self) -> str:
        return (
            f"ClipConsistency(name={self.__name__!r}, backend={self.backend!r}, "
            f"model={self.model!r}, passage={self.passage!r}, {self.map!r})"
        )


def clip_consistency(model: str = "ViT-B-32", **options: Any) -> ClipConsistency:
    """A CLIP visual-text consistency reward (picklable, loads its model on first call).

    Args:
        model: the CLIP model (see :class:`ClipConfig`).
        **options: any other field of :class:`ClipConfig`, by keyword: ``backend``,
            ``pretrained``, ``passage``, ``mapping``, ``low``, ``high``, ``aggregate``,
            ``batch_size``, ``device``, ``dtype``, ``cache_size``, ``missing_value``,
            ``workers``, ``preprocess``, ``name``.

    Returns:
        A :class:`ClipConsistency` reward; values in [0, 1], None without an image.

    Example:
        >>> reward = clip_consistency("ViT-B-32", mapping="minmax", low=0.0, high=0.4)
        >>> reward.map(0.2)
        0.5
    """
    return ClipConsistency(model=model, **options)
