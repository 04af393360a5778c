"""Turn an emo_env dataset into GRPO prompts (conversational).

Two prompt styles (:data:`PROMPT_STYLES`):

* ``"paper"``: the paper's SET question (:func:`rewards.prompts.build_prompt`) as one
  user turn, optionally after a worked one-shot exchange (``one_shot``);
* ``"compact"``: a one-line system instruction and ``Scene: <caption>`` plus the options
  (about 75 tokens with SmolLM2's tokenizer, against 180 for the paper's question and
  400 with its one-shot example). Small policies
  need the format warm start (:mod:`agents.trl.warmstart`) to answer in SET with it.

Vision-language policies see the image (TRL inserts the ``image`` column into the
prompt) and the plain question; text-only policies read the image's caption in the
prompt instead, and the image travels to the rewards under :data:`HIDDEN_IMAGE` (TRL
would otherwise treat the run as multimodal). The reward wrapper maps it back to
``image``, so image-based scorers work with either kind of policy.

The conversations come from :func:`agents.common.prompts.prompt_messages`, the one
function ``emo-r3 eval`` uses too, so a checkpoint is evaluated with its training prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agents.common.prompts import (
    COMPACT_SYSTEM,
    ONE_SHOT_EXAMPLES,
    PROMPT_STYLES,
    compact_messages,
    prompt_messages,
)
from rewards.errors import InvalidInputError

__all__ = [
    "COMPACT_SYSTEM",
    "HIDDEN_IMAGE",
    "ONE_SHOT_EXAMPLES",
    "PROMPT_STYLES",
    "compact_messages",
    "load_split",
    "prompt_dataset",
    "prompt_messages",
]

#: Column holding the image for rewards when the policy is text-only.
HIDDEN_IMAGE = "source_image"


def load_split(name: str, split: str):
    """Load ``split`` of the emo_env dataset ``name`` (a ``datasets.Dataset``)."""
    from emo_env.data import load_dataset

    return load_dataset(name, split=split)


def _as_dataset(data: Any):
    from datasets import Dataset

    if isinstance(data, Dataset):
        return data
    if isinstance(data, Sequence) and data and isinstance(data[0], dict):
        return Dataset.from_list(list(data))
    raise InvalidInputError(
        f"Expected a datasets.Dataset or a list of row dicts; got {type(data).__name__}."
    )


def _check_images(ds: Any) -> None:
    """Raise when rows have no image (text-only data such as ``"captions"``)."""
    from datasets import Image

    column = ds.select_columns(["image"])
    if isinstance(column.features["image"], Image):  # read the stored values, not decoded
        column = column.cast_column("image", Image(decode=False))
    missing = sum(image is None for image in column["image"])
    if missing:
        raise InvalidInputError(
            f"{missing} of {len(ds)} rows have no image (a text-only set such as 'captions'): "
            "train a text-only policy on it, or pick an image dataset for a vision-language "
            "policy."
        )


def prompt_dataset(
    data: Any,
    *,
    vlm: bool,
    template: str = "set",
    limit: int = 0,
    one_shot: bool = False,
    style: str = "paper",
):
    """Add a conversational ``prompt`` column to an emo_env dataset.

    Args:
        data: a ``datasets.Dataset`` (or list of rows) with ``label`` and ``label_set``
            columns, plus ``image`` (VLM) or ``caption`` (text-only).
        vlm: whether the policy sees images.
        template: prompt template (``"set"`` or ``"think"``).
        limit: keep only the first ``limit`` rows (0: all).
        one_shot: precede each question with a worked example exchange (text-only SET
            prompts; small policies rarely produce the format unprompted).
        style: ``"paper"`` or ``"compact"`` (see :data:`PROMPT_STYLES`).

    Returns:
        The dataset with ``prompt`` added; for text-only policies ``image`` is renamed to
        :data:`HIDDEN_IMAGE`.
    """
    ds = _as_dataset(data)
    if limit:
        ds = ds.select(range(min(limit, len(ds))))
    needed = ["label", "label_set", "image" if vlm else "caption"]
    missing = [c for c in needed if c not in ds.column_names]
    if missing:
        kind = "a vision-language" if vlm else "a text-only"
        raise InvalidInputError(
            f"Training {kind} policy needs dataset columns {needed}; missing {missing} "
            f"(columns: {ds.column_names})."
        )
    if len(ds) == 0:
        raise InvalidInputError("The training dataset is empty.")
    if vlm:
        _check_images(ds)
    sets = ds["label_set"]
    captions = [None] * len(ds) if vlm else ds["caption"]
    if one_shot and (vlm or template != "set"):
        raise InvalidInputError("one_shot examples exist for text-only SET prompts only.")
    if style == "compact" and vlm:
        raise InvalidInputError("The compact prompt is for text-only policies; use 'paper'.")
    prompts = [
        prompt_messages(s, c, style=style, template=template, shot=i if one_shot else None)
        for i, (s, c) in enumerate(zip(sets, captions, strict=True))
    ]
    if "prompt" in ds.column_names:
        ds = ds.remove_columns("prompt")
    ds = ds.add_column("prompt", prompts)
    if not vlm and "image" in ds.column_names:
        ds = ds.rename_column("image", HIDDEN_IMAGE)
    return ds
