"""CLIP encoders behind one interface: open_clip and transformers (``CLIPModel``/``AutoModel``).

Both return L2-normalised embeddings as float32 tensors on the model's device:
``encode_images(list[PIL.Image])`` and ``encode_texts(list[str])``, plus
``n_tokens(text)`` (with start/end tokens) and ``context_length``.

Nothing here waits for the GPU: host tensors go over through pinned memory without
blocking, images are preprocessed on the device in batches
(:mod:`rewards.models._pixels`), and open_clip's Python tokenizer is replaced by its
exact fast twin (:mod:`rewards.models.clip_tokenizer`), so the host prepares the next
batch while the device runs the current one; the caller syncs once, when it reads the
scores.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rewards.errors import InvalidInputError, ModelLoadError
from rewards.models._common import load_image, require, resolve_device, resolve_dtype
from rewards.models._pixels import copy_threads
from rewards.models.clip_tokenizer import FastClipTokenizer

__all__ = ["BACKENDS", "HFClipEncoder", "OpenClipEncoder", "load_clip"]

BACKENDS = ("open_clip", "hf")
PREPROCESS = ("auto", "pil", "tensor")


def _features(output: Any) -> Any:
    """Transformers 5 returns a model output (projected ``pooler_output``); v4 a tensor."""
    if hasattr(output, "pooler_output") and output.pooler_output is not None:
        return output.pooler_output
    if hasattr(output, "image_embeds"):
        return output.image_embeds
    if hasattr(output, "text_embeds"):
        return output.text_embeds
    return output


class _Encoder:
    context_length = 77
    #: (resize shortest side to, center crop (h, w) or None = squash to it, mean, std)
    geometry: tuple | None = None

    def __init__(self, device: str, dtype: Any, workers: int, preprocess: str = "auto"):
        if preprocess not in PREPROCESS:
            raise InvalidInputError(f"preprocess must be one of {PREPROCESS}; got {preprocess!r}.")
        self.device, self.dtype, self.workers = device, dtype, workers
        # image hashing and pixel copies: memory-bound, worth a few threads on a GPU host
        threads = copy_threads(workers, device)
        self._pool = ThreadPoolExecutor(threads) if threads > 1 else None
        self.preprocess_mode = preprocess
        self._device_pre: Any = None

    def token_ids(self, texts: list[str]) -> list[list[int]] | None:
        """Token ids with start/end tokens, unpadded (None: tokenizer gives no ids)."""
        return None

    def encode_ids(self, ids: list[list[int]]) -> Any:
        """Embeddings of texts already turned into ids by :meth:`token_ids`."""
        raise NotImplementedError

    @property
    def on_device(self) -> bool:
        """Whether images are resized and normalised as tensors on the model's device."""
        if self.geometry is None or self.preprocess_mode == "pil":
            return False
        return self.preprocess_mode == "tensor" or self.device.startswith("cuda")

    def tensor_pixels(self, images: list) -> Any:
        """Batch preprocessing on the device: uint8 HWC -> resized, cropped, normalised.

        Pixels are read in place where Pillow allows (:func:`~rewards.models._pixels.pixel_view`),
        copied by a few threads into one pinned buffer per image size and sent without
        blocking the host (:class:`~rewards.models._pixels.DevicePreprocess`).
        """
        from rewards.models._pixels import DevicePreprocess, pixel_view

        if self._device_pre is None:
            threads = copy_threads(self.workers, self.device)
            self._device_pre = DevicePreprocess(self.geometry, self.device, threads)
        return self._device_pre(self._map(pixel_view, images))

    def pixel_values(self, images: list) -> Any:
        if self.on_device:
            return self.tensor_pixels(images)
        return self.pil_pixels(images)

    def _map(self, fn, items: list) -> list:
        if self._pool is None or len(items) < 2:
            return [fn(x) for x in items]
        return list(self._pool.map(fn, items))

    @staticmethod
    def _normalise(x: Any) -> Any:
        x = x.float()
        return x / x.norm(dim=-1, keepdim=True).clamp_min(1e-12)

    def to_device(self, tensor: Any) -> Any:
        """A host tensor on the model's device; on CUDA through pinned memory without
        blocking the host (a pageable copy would first wait for the GPU to go idle)."""
        if self.device.startswith("cuda") and tensor.device.type == "cpu":
            return tensor.pin_memory().to(self.device, non_blocking=True)
        return tensor.to(self.device)


class OpenClipEncoder(_Encoder):
    """open_clip model: a name + pretrained tag, ``local-dir:``/``hf-hub:`` or a folder."""

    def __init__(self, model: str, pretrained: str | None, device, dtype, workers: int = 1,
                 preprocess: str = "auto"):  # fmt: skip
        open_clip = require("open_clip", "clip", "the open_clip CLIP backend", "open-clip-torch")
        device = resolve_device(device)
        super().__init__(device, resolve_dtype(dtype, device), workers, preprocess)
        name = model
        if os.path.isdir(model):
            name = "local-dir:" + os.path.abspath(model)
        try:
            net, _, transforms = open_clip.create_model_and_transforms(
                name, pretrained=None if ":" in name else pretrained, device=device
            )
            self.tokenizer = open_clip.get_tokenizer(name)
        except Exception as err:
            where = f"{model!r}" + (f" (pretrained={pretrained!r})" if pretrained else "")
            raise ModelLoadError(
                f"Could not load open_clip model {where}: {type(err).__name__}: {err}"
            ) from err
        self.model = net.to(dtype=self.dtype).eval()
        self.preprocess = transforms
        self.context_length = int(getattr(self.tokenizer, "context_length", 77) or 77)
        self.geometry = _open_clip_geometry(transforms)
        self.fast = FastClipTokenizer.from_open_clip(self.tokenizer)

    def n_tokens(self, text: str) -> int:
        tok = self.tokenizer
        if self.fast is not None:
            return len(self.fast.encode(text)) + 2
        if hasattr(tok, "encode"):
            return len(tok.encode(text)) + 2
        return len(tok.tokenizer(text)["input_ids"])

    def pil_pixels(self, images: list) -> Any:
        torch = require("torch", "clip")
        return torch.stack(self._map(lambda x: self.preprocess(load_image(x)), images))

    def encode_pixels(self, pixels: Any) -> Any:
        torch = require("torch", "clip")
        with torch.inference_mode():
            pixels = self.to_device(pixels).to(self.dtype)
            return self._normalise(self.model.encode_image(pixels))

    def tokens(self, texts: list[str]) -> Any:
        return self.tokenizer(texts)

    def token_ids(self, texts: list[str]) -> list[list[int]] | None:
        tok = self.tokenizer
        if getattr(tok, "reduction_fn", None) is not None or not hasattr(tok, "sot_token_id"):
            return None
        encode = self.fast.encode if self.fast is not None else tok.encode
        return [[tok.sot_token_id, *encode(t), tok.eot_token_id] for t in texts]

    def encode_ids(self, ids: list[list[int]]) -> Any:
        import numpy as np

        torch = require("torch", "clip")
        batch = np.zeros((len(ids), self.context_length), dtype=np.int64)
        for i, row in enumerate(ids):
            row = row[: self.context_length]
            batch[i, : len(row)] = row
        return self.encode_tokens(torch.from_numpy(batch))

    def encode_tokens(self, tokens: Any) -> Any:
        torch = require("torch", "clip")
        with torch.inference_mode():
            return self._normalise(self.model.encode_text(self.to_device(tokens)))

    def encode_images(self, images: list) -> Any:
        return self.encode_pixels(self.pixel_values(images))

    def encode_texts(self, texts: list[str]) -> Any:
        return self.encode_tokens(self.tokens(texts))


class HFClipEncoder(_Encoder):
    """transformers CLIP-style model (``AutoModel`` + ``AutoProcessor``): hub id or folder."""

    def __init__(self, model: str, device, dtype, workers: int = 1, preprocess: str = "auto"):
        transformers = require("transformers", "clip", "the transformers CLIP backend")
        device = resolve_device(device)
        super().__init__(device, resolve_dtype(dtype, device), workers, preprocess)
        try:
            self.processor = transformers.AutoProcessor.from_pretrained(model)
            net = transformers.AutoModel.from_pretrained(model, dtype=self.dtype)
        except Exception as err:
            raise ModelLoadError(
                f"Could not load transformers CLIP model {model!r}: {type(err).__name__}: {err}"
            ) from err
        if not hasattr(net, "get_image_features") or not hasattr(net, "get_text_features"):
            raise ModelLoadError(
                f"{model!r} loads as {type(net).__name__}, which has no get_image_features/"
                "get_text_features: use a CLIP-style dual encoder (CLIP, SigLIP, ...)."
            )
        self.model = net.to(device).eval()
        self.tokenizer = self.processor.tokenizer
        text_config = getattr(net.config, "text_config", net.config)
        self.context_length = int(getattr(text_config, "max_position_embeddings", 77))
        self.padding = "max_length" if "siglip" in net.config.model_type else True
        self.geometry = _hf_geometry(self.processor.image_processor)

    def n_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, verbose=False)["input_ids"])

    def pil_pixels(self, images: list) -> Any:
        images = [load_image(x) for x in images]
        return self.processor.image_processor(images=images, return_tensors="pt")["pixel_values"]

    def encode_pixels(self, pixels: Any) -> Any:
        torch = require("torch", "clip")
        with torch.inference_mode():
            pixels = self.to_device(pixels).to(self.dtype)
            return self._normalise(_features(self.model.get_image_features(pixel_values=pixels)))

    def tokens(self, texts: list[str]) -> Any:
        return self.tokenizer(
            texts,
            padding=self.padding,
            truncation=True,
            max_length=self.context_length,
            return_tensors="pt",
        )

    def token_ids(self, texts: list[str]) -> list[list[int]] | None:
        if not texts:
            return []
        return list(self.tokenizer(list(texts), verbose=False)["input_ids"])

    def encode_ids(self, ids: list[list[int]]) -> Any:
        batch = self.tokenizer.pad(
            [{"input_ids": row} for row in ids],
            padding=self.padding,
            max_length=self.context_length,
            return_tensors="pt",
        )
        return self.encode_tokens(batch)

    def encode_tokens(self, tokens: Any) -> Any:
        torch = require("torch", "clip")
        with torch.inference_mode():
            batch = {k: self.to_device(v) for k, v in tokens.items() if k != "token_type_ids"}
            return self._normalise(_features(self.model.get_text_features(**batch)))

    def encode_images(self, images: list) -> Any:
        return self.encode_pixels(self.pixel_values(images))

    def encode_texts(self, texts: list[str]) -> Any:
        return self.encode_tokens(self.tokens(texts))


def _open_clip_geometry(transforms: Any) -> tuple | None:
    """(size, crop, mean, std) of a standard open_clip eval transform, else None."""
    steps = {type(t).__name__: t for t in getattr(transforms, "transforms", [])}
    resize, crop, norm = steps.get("Resize"), steps.get("CenterCrop"), steps.get("Normalize")
    if resize is None or crop is None or norm is None or not isinstance(resize.size, int):
        return None
    if "bicubic" not in str(resize.interpolation).lower():
        return None
    return resize.size, tuple(crop.size), tuple(norm.mean), tuple(norm.std)


def _hf_geometry(processor: Any) -> tuple | None:
    """(size, crop, mean, std) of a CLIP-style (or SigLIP-style squash) image processor."""
    size = getattr(processor, "size", None)
    mean, std = getattr(processor, "image_mean", None), getattr(processor, "image_std", None)
    if size is None or mean is None or std is None or getattr(processor, "resample", 3) != 3:
        return None
    get = size.get if hasattr(size, "get") else lambda k: getattr(size, k, None)
    crop = getattr(processor, "crop_size", None)
    if get("shortest_edge") and getattr(processor, "do_center_crop", False) and crop:
        cget = crop.get if hasattr(crop, "get") else lambda k: getattr(crop, k, None)
        return get("shortest_edge"), (cget("height"), cget("width")), tuple(mean), tuple(std)
    if get("height") and get("width") and not getattr(processor, "do_center_crop", False):
        return (get("height"), get("width")), None, tuple(mean), tuple(std)
    return None


def load_clip(
    backend: str,
    model: str,
    pretrained: str | None = None,
    device: str | None = None,
    dtype: Any = None,
    workers: int = 1,
    preprocess: str = "auto",
) -> OpenClipEncoder | HFClipEncoder:
    """Load a CLIP encoder of ``backend`` (``"open_clip"`` or ``"hf"``).

    ``preprocess``: ``"pil"`` (the library's own transforms on the host), ``"tensor"``
    (batched bicubic resize, crop and normalise as tensors on the model's device), or
    ``"auto"`` (tensor on CUDA, PIL on CPU). Tensor preprocessing falls back to PIL for
    transforms it does not recognise.
    """
    if backend == "open_clip":
        return OpenClipEncoder(model, pretrained, device, dtype, workers, preprocess)
    if backend == "hf":
        return HFClipEncoder(model, device, dtype, workers, preprocess)
    raise InvalidInputError(f"backend must be one of {BACKENDS}; got {backend!r}.")
