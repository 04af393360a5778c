"""Shared plumbing of the model rewards: imports, devices, images, passages, caches."""

from __future__ import annotations

import hashlib
import importlib
import os
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from rewards.errors import InvalidInputError, MissingDependencyError
from rewards.parsing import ParsedResponse

__all__ = [
    "LRUCache",
    "image_key",
    "load_image",
    "passage_text",
    "require",
    "resolve_device",
    "resolve_dtype",
]

PASSAGES = ("step1", "step1+step2", "reasoning")


def require(module: str, extra: str, what: str = "", package: str | None = None) -> Any:
    """Import ``module`` or raise :class:`MissingDependencyError` naming the pip extra."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        if err.name is not None and err.name.split(".")[0] != module.split(".")[0]:
            raise
        raise MissingDependencyError(package or module, extra, what) from err


def resolve_device(device: str | None) -> str:
    """``device`` as given, else ``"cuda"`` when available, else ``"cpu"``."""
    if device is not None:
        return str(device)
    torch = require("torch", "clip")
    return "cuda" if torch.cuda.is_available() else "cpu"


def resolve_dtype(dtype: Any, device: str) -> Any:
    """A torch dtype: as given (name or dtype), else bf16/fp16 on CUDA, float32 on CPU."""
    torch = require("torch", "clip")
    if dtype is None or dtype == "auto":
        if not device.startswith("cuda"):
            return torch.float32
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if isinstance(dtype, str):
        value = getattr(torch, dtype, None)
        if not isinstance(value, torch.dtype):
            raise InvalidInputError(
                f"Unknown dtype {dtype!r}; use 'float32', 'bfloat16', 'float16' or 'auto'."
            )
        return value
    return dtype


def load_image(image: Any) -> Any:
    """A PIL RGB image from a PIL image, a numpy array (HWC or HW) or a file path."""
    from PIL import Image

    if isinstance(image, Image.Image):
        return image if image.mode == "RGB" else image.convert("RGB")
    if isinstance(image, (str, os.PathLike)):
        if not os.path.isfile(image):
            raise InvalidInputError(f"Image file not found: {os.fspath(image)!r}.")
        with Image.open(image) as img:
            return img.convert("RGB")
    if isinstance(image, dict) and ("bytes" in image or "path" in image):  # datasets Image
        if image.get("bytes"):
            import io

            with Image.open(io.BytesIO(image["bytes"])) as img:
                return img.convert("RGB")
        return load_image(image["path"])
    if hasattr(image, "__array_interface__") or type(image).__module__ == "numpy":
        import numpy as np

        array = np.asarray(image)
        if array.dtype != np.uint8:
            scale = 255.0 if array.size and float(array.max()) <= 1.0 else 1.0
            array = np.clip(array * scale, 0, 255).astype(np.uint8)
        if array.ndim == 3 and array.shape[0] in (1, 3) and array.shape[-1] not in (1, 3):
            array = array.transpose(1, 2, 0)  # CHW -> HWC
        if array.ndim == 3 and array.shape[-1] == 1:
            array = array[..., 0]
        if array.ndim not in (2, 3):
            raise InvalidInputError(f"Image arrays must be HW or HWC; got shape {array.shape}.")
        return Image.fromarray(array).convert("RGB")
    raise InvalidInputError(
        f"Unsupported image type {type(image).__name__}: pass a PIL image, a numpy array "
        "or a file path."
    )


def _digest(data: bytes) -> bytes:
    """A 128-bit content hash: xxh3 when xxhash is installed (~30x faster), else blake2b."""
    try:
        import xxhash
    except ImportError:
        return hashlib.blake2b(data, digest_size=16).digest()
    return xxhash.xxh3_128_digest(data)


def image_key(image: Any) -> Hashable:
    """A content hash of an image (file paths hash their path, size and mtime; PIL images
    and arrays hash their pixels in place, without copying them out)."""
    if isinstance(image, (str, os.PathLike)):
        path = os.fspath(image)
        try:
            stat = os.stat(path)
        except OSError:
            return ("path", path)
        return ("path", path, stat.st_size, stat.st_mtime_ns)
    if isinstance(image, dict) and image.get("bytes"):
        return ("bytes", _digest(image["bytes"]))
    if isinstance(image, dict) and image.get("path"):  # a datasets image dict by path
        return image_key(image["path"])
    if hasattr(image, "mode") and hasattr(image, "size"):  # PIL: hash its pixels, no copy
        from rewards.models._pixels import pixel_key, pixel_view

        return pixel_key(pixel_view(image))
    if hasattr(image, "__array_interface__") or type(image).__module__ == "numpy":
        import numpy as np

        array = np.ascontiguousarray(image)
        return ("array", str(array.dtype), array.shape, _digest(memoryview(array).cast("B")))
    if hasattr(image, "tobytes"):
        return ("bytes", type(image).__name__, _digest(image.tobytes()))
    return ("id", id(image))


class LRUCache:
    """A small least-recently-used mapping with hit/miss counters (``maxsize=0`` disables)."""

    def __init__(self, maxsize: int = 4096):
        self.maxsize = int(maxsize)
        self.data: OrderedDict[Hashable, Any] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Any:
        if key in self.data:
            self.data.move_to_end(key)
            self.hits += 1
            return self.data[key]
        self.misses += 1
        return None

    def put(self, key: Hashable, value: Any) -> None:
        if self.maxsize <= 0:
            return
        self.data[key] = value
        self.data.move_to_end(key)
        while len(self.data) > self.maxsize:
            self.data.popitem(last=False)

    def __len__(self) -> int:
        return len(self.data)

    def clear(self) -> None:
        self.data.clear()
        self.hits = self.misses = 0


def check_passage(passage: str) -> str:
    if passage not in PASSAGES:
        raise InvalidInputError(f"passage must be one of {PASSAGES}; got {passage!r}.")
    return passage


def passage_text(parsed: ParsedResponse, passage: str) -> str | None:
    """The reasoning text a model scorer reads, without tags; None when absent or empty.

    ``step1``: the content of ``<step1>``; ``step1+step2``: step1 and step2 contents
    joined by a space; ``reasoning``: every step's content joined by newlines (for the
    ``think`` format: the ``<think>`` content).
    """
    steps = parsed.steps
    if passage == "step1":
        parts = steps[:1]
    elif passage == "step1+step2":
        parts = steps[:2]
    else:
        parts = steps
    present = [p for p in parts if p]
    if passage != "reasoning" and len(present) != len(parts):
        return None
    text = " ".join(present) if passage == "step1+step2" else "\n".join(present)
    return text or None


MAPPINGS = ("clipscore", "positive", "linear", "minmax")


class SimilarityMap:
    """A picklable map from a cosine similarity to [0, 1].

    ``clipscore``: ``min(1, 2.5 * max(cos, 0))`` (CLIPScore's w = 2.5, clipped);
    ``positive``: ``clip(cos, 0, 1)``; ``linear``: ``(cos + 1) / 2``;
    ``minmax``: ``clip((cos - low) / (high - low), 0, 1)`` (a calibrated range);
    or any callable ``cos -> float``.
    """

    def __init__(self, mapping: str | Callable[[float], float], low: float, high: float):
        if not callable(mapping) and mapping not in MAPPINGS:
            from rewards.errors import UnknownNameError

            raise UnknownNameError("mapping", mapping, MAPPINGS)
        if mapping == "minmax" and not high > low:
            raise InvalidInputError(f"minmax mapping needs low < high; got {low} and {high}.")
        self.mapping, self.low, self.high = mapping, float(low), float(high)

    def __call__(self, cos: float) -> float:
        m = self.mapping
        if callable(m):
            return float(m(cos))
        if m == "clipscore":
            return min(1.0, 2.5 * max(cos, 0.0))
        if m == "positive":
            return min(1.0, max(cos, 0.0))
        if m == "linear":
            return (min(1.0, max(cos, -1.0)) + 1.0) / 2.0
        return min(1.0, max(0.0, (cos - self.low) / (self.high - self.low)))

    def __repr__(self) -> str:
        return f"SimilarityMap({self.mapping!r}, low={self.low}, high={self.high})"
