"""Batched chat generation with a transformers model (causal LM or vision-language model).

:class:`HFChatGenerator` applies the chat template, pads on the left, batches prompts of
similar length together, and generates under ``torch.inference_mode`` (a model in
training mode is put in eval mode for the call and restored after). It takes a model id
or folder (loaded lazily, once) or a live model object (e.g. the trainer's policy). A
folder holding a LoRA adapter (``adapter_config.json``, as ``emo-r3 train`` saves) is
loaded on its base model and merged (needs ``peft``).

Example:
    >>> from rewards.models import HFChatGenerator, smollm2_path
    >>> gen = HFChatGenerator(smollm2_path())  # doctest: +SKIP
    >>> chat = [[{"role": "user", "content": "Say yes."}]]
    >>> gen.generate(chat, max_new_tokens=4)  # doctest: +SKIP
    ['Yes.']
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from rewards.errors import InvalidInputError, MissingDependencyError, ModelLoadError
from rewards.models._common import load_image, require, resolve_device, resolve_dtype

__all__ = ["HFChatGenerator", "with_image"]


def with_image(messages: list[dict]) -> list[dict]:
    """Copy of ``messages`` whose last user turn starts with an image part.

    Messages that already hold an image part are returned unchanged.
    """
    for message in messages:
        content = message.get("content")
        if isinstance(content, list) and any(
            isinstance(p, dict) and p.get("type") == "image" for p in content
        ):
            return messages
    out = [dict(m) for m in messages]
    for message in reversed(out):
        if message.get("role") == "user":
            content = message.get("content")
            parts = [{"type": "text", "text": content}] if isinstance(content, str) else content
            message["content"] = [{"type": "image"}, *parts]
            return out
    raise InvalidInputError("An image was given but the conversation has no user message.")


def _adapter_base(source: str) -> str | None:
    """The base model of a PEFT adapter folder (``adapter_config.json``), else None."""
    path = Path(source) / "adapter_config.json"
    if not path.is_file():
        return None
    base = json.loads(path.read_text(encoding="utf-8")).get("base_model_name_or_path")
    if not base:
        raise ModelLoadError(
            f"{str(path)!r} names no base_model_name_or_path; cannot load the adapter."
        )
    return str(base)


def _unwrap(model: Any) -> Any:
    while not hasattr(model, "generate") and hasattr(model, "module"):
        model = model.module  # DDP / DeepSpeed / accelerate wrappers
    return model


class HFChatGenerator:
    """Chat-template generation for a batch of conversations.

    Args:
        model: hub id, local folder, or a loaded transformers model.
        processor_or_tokenizer: the processor (VLMs) or tokenizer; loaded from
            ``model`` when it is a path and this is None.
        device, dtype: for a model loaded here (default CUDA bf16, else CPU fp32).
        batch_size: conversations per ``generate`` call.
    """

    def __init__(self, model: Any, processor_or_tokenizer: Any = None, device=None, dtype=None,
                 batch_size: int = 16):  # fmt: skip
        if not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidInputError(f"batch_size must be a positive int; got {batch_size!r}.")
        if isinstance(model, str) or hasattr(model, "__fspath__"):
            self.source = str(model)
            self._model = None
        else:
            self.source = None
            self._model = _unwrap(model)
            if processor_or_tokenizer is None:
                raise InvalidInputError("Pass the tokenizer or processor of a live model.")
        self._processor = processor_or_tokenizer
        self.device, self.dtype, self.batch_size = device, dtype, batch_size
        self._lock = threading.Lock()

    # --- loading ------------------------------------------------------------------------

    def _load(self) -> None:
        transformers = require("transformers", "judge", "transformers generation")
        device = resolve_device(self.device)
        try:
            base = _adapter_base(self.source)  # a LoRA adapter folder names its base model
            weights = base or self.source
            config = transformers.AutoConfig.from_pretrained(weights)
            vision = hasattr(config, "vision_config")
            if self._processor is None:
                loader = transformers.AutoProcessor if vision else transformers.AutoTokenizer
                own = (Path(self.source) / "tokenizer_config.json").is_file()
                self._processor = loader.from_pretrained(self.source if own else weights)
            cls = (
                transformers.AutoModelForImageTextToText
                if vision
                else transformers.AutoModelForCausalLM
            )
            model = cls.from_pretrained(weights, dtype=resolve_dtype(self.dtype, device))
            if base is not None:
                peft = require("peft", "judge", "evaluating a LoRA adapter")
                model = peft.PeftModel.from_pretrained(model, self.source).merge_and_unload()
        except MissingDependencyError:
            raise
        except Exception as err:
            raise ModelLoadError(
                f"Could not load generation model {self.source!r}: {type(err).__name__}: {err}"
            ) from err
        self._model = model.to(device).eval()

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._load()
        return self._model

    @property
    def processor(self) -> Any:
        _ = self.model  # loads the processor with the model
        return self._processor

    @property
    def tokenizer(self) -> Any:
        return getattr(self.processor, "tokenizer", self.processor)

    @property
    def is_multimodal(self) -> bool:
        """Whether the model takes images (has a vision config and an image processor)."""
        return hasattr(self.model.config, "vision_config") and hasattr(
            self.processor, "image_processor"
        )

    def __getstate__(self) -> dict[str, Any]:
        if self.source is None:
            raise TypeError("An HFChatGenerator wrapping a live model cannot be pickled.")
        state = self.__dict__.copy()
        state["_model"] = None
        state["_lock"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # --- generation ---------------------------------------------------------------------

    def generate(
        self,
        messages_batch: list[list[dict]],
        images: list | None = None,
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        top_p: float = 1.0,
        do_sample: bool | None = None,
    ) -> list[str]:
        """Generate one reply per conversation.

        Args:
            messages_batch: conversations (lists of ``{"role", "content"}`` messages).
            images: one image (PIL, array, path) or None per conversation; a VLM gets an
                image part in the last user turn; a text-only model ignores images.
            max_new_tokens: reply length limit.
            temperature, top_p: sampling settings; ``temperature=0`` is greedy.
            do_sample: default ``temperature > 0``.

        Returns:
            The decoded replies (special tokens removed, whitespace stripped), in order.
        """
        torch = require("torch", "judge")
        n = len(messages_batch)
        images = self._images(images, n)
        model = self.model
        texts = [
            self._render(m, img is not None) for m, img in zip(messages_batch, images, strict=True)
        ]
        do_sample = temperature > 0 if do_sample is None else do_sample
        kwargs: dict[str, Any] = {"max_new_tokens": max_new_tokens, "do_sample": do_sample}
        if do_sample:
            kwargs |= {"temperature": temperature, "top_p": top_p}
        else:
            kwargs |= {"temperature": None, "top_p": None, "top_k": None}
        tok = self.tokenizer
        pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
        order = sorted(range(n), key=lambda i: len(texts[i]))
        out: list[str] = [""] * n
        was_training, side = model.training, tok.padding_side
        tok.padding_side = "left"
        model.eval()
        try:
            with torch.inference_mode():
                for start in range(0, n, self.batch_size):
                    idx = order[start : start + self.batch_size]
                    replies = self._generate_batch(
                        [texts[i] for i in idx], [images[i] for i in idx], pad, kwargs
                    )
                    for i, reply in zip(idx, replies, strict=True):
                        out[i] = reply
        finally:
            tok.padding_side = side
            model.train(was_training)
        return out

    def render(self, messages_batch: list[list[dict]], images: list | None = None) -> list[str]:
        """The prompt texts :meth:`generate` feeds the model (chat template applied, an
        image placeholder where a VLM gets an image)."""
        images = self._images(images, len(messages_batch))
        pairs = zip(messages_batch, images, strict=True)
        return [self._render(m, img is not None) for m, img in pairs]

    def _images(self, images: list | None, n: int) -> list:
        if images is not None and len(images) != n:
            raise InvalidInputError(f"images has {len(images)} entries for {n} conversations.")
        if images is None or not self.is_multimodal:
            return [None] * n
        return list(images)

    def _render(self, messages: list[dict], has_image: bool) -> str:
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            raise InvalidInputError("Each conversation must be a list of message dicts.")
        if has_image:
            messages = with_image(messages)
        return self.processor.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True
        )

    def _generate_batch(self, texts, images, pad, kwargs) -> list[str]:
        model = self.model
        present = [load_image(img) for img in images if img is not None]
        if present:
            batch = self.processor(text=texts, images=present, padding=True, return_tensors="pt")
        elif self.processor is self.tokenizer:
            batch = self.tokenizer(
                texts, padding=True, return_tensors="pt", add_special_tokens=False
            )
        else:
            batch = self.processor(text=texts, padding=True, return_tensors="pt")
        batch = batch.to(model.device)
        generated = model.generate(**batch, pad_token_id=pad, use_cache=True, **kwargs)
        new = generated[:, batch["input_ids"].shape[1] :]
        return [t.strip() for t in self.tokenizer.batch_decode(new, skip_special_tokens=True)]

    def __repr__(self) -> str:
        what = self.source or type(self._model).__name__
        return f"HFChatGenerator({what!r}, batch_size={self.batch_size})"
