"""Supervised targets for the paper's SFT baseline: a SET response with the gold label.

The paper's table has an SFT row (Qwen2.5-VL-3B fine-tuned on the same data and
prompt); the text it was trained on is not published. The targets here are built from
a fixed template, not written by a person or a model, and they say only what the
dataset holds:

* ``<step1>`` the image's caption when the dataset has one, else the fixed sentence
  :data:`NO_CAPTION`;
* ``<step2>`` ``A person looking at it would feel <label>.``;
* ``<step3>`` the label's polarity and arousal from the label set
  (``Negative, high arousal.``; the arousal is left out where the label set does not
  fix it);
* then ``\\boxed{<label>}``.

So SFT teaches the format and the label, with reasoning that restates them; it is a
baseline, not a model of human reasoning. Every target scores format 1 and accuracy 1
under the reward presets (tested).

Example:
    >>> from agents.trl.sft_data import sft_target
    >>> print(sft_target("fear", "mikels8", "A dark alley at night."))
    <step1>A dark alley at night.</step1>
    <step2>A person looking at it would feel fear.</step2>
    <step3>Negative, high arousal.</step3>
    \\boxed{fear}
"""

from __future__ import annotations

from typing import Any

from rewards.errors import InvalidInputError
from rewards.labels import get_label_set
from rewards.prompts import build_prompt, template_format

__all__ = ["NO_CAPTION", "sft_dataset", "sft_target"]

#: Step 1 of a target when the dataset has no caption for the image.
NO_CAPTION = "The scene in the image holds what triggers the emotion."


def sft_target(label: str, label_set: str, caption: str | None = None) -> str:
    """The SET target for one sample (see module docs)."""
    entry = get_label_set(label_set)[label.strip().lower()]
    affect = entry.polarity.capitalize()
    if entry.arousal:
        affect += f", {entry.arousal} arousal"
    step1 = " ".join((caption or "").split()) or NO_CAPTION
    return (
        f"<step1>{step1}</step1>\n"
        f"<step2>A person looking at it would feel {entry.name}.</step2>\n"
        f"<step3>{affect}.</step3>\n"
        f"\\boxed{{{entry.name}}}"
    )


def sft_dataset(data: Any, *, vlm: bool, template: str = "set", limit: int = 0):
    """Prompt-completion rows for TRL's SFTTrainer from an emo_env dataset.

    The prompt is the GRPO prompt (:func:`rewards.prompts.build_prompt`: the image and
    the question for a VLM, the caption and the question for a text-only policy; the
    dataset's own question where it has one); the completion is :func:`sft_target`.

    Args:
        data: a ``datasets.Dataset`` with the loader's columns.
        vlm: the policy sees images (an ``image`` column is kept for TRL).
        template: a SET template (``"set"`` or ``"reference"``).
        limit: keep only the first ``limit`` rows (0: all).

    Raises:
        InvalidInputError: a non-SET template, missing columns or images, no rows.
    """
    if template_format(template) != "set":
        raise InvalidInputError(
            f"SFT targets are SET responses; template {template!r} asks for another format. "
            "Use 'set' or 'reference'."
        )
    ds = data.select(range(min(limit, len(data)))) if limit else data
    if len(ds) == 0:
        raise InvalidInputError("The SFT dataset is empty.")
    missing = [
        c for c in ("label", "label_set", "image" if vlm else "caption") if c not in ds.column_names
    ]
    if missing:
        raise InvalidInputError(f"SFT needs dataset columns {missing} (have {ds.column_names}).")
    questions = ds["question"] if "question" in ds.column_names else [None] * len(ds)
    captions = ds["caption"] if "caption" in ds.column_names else [None] * len(ds)
    prompts, completions = [], []
    for label, label_set, caption, asked in zip(
        ds["label"], ds["label_set"], captions, questions, strict=True
    ):
        text = build_prompt(label_set, template, None if vlm else caption, asked)
        target = sft_target(label, label_set, caption)
        prompts.append([{"role": "user", "content": text}])
        completions.append([{"role": "assistant", "content": target}])
    if not vlm:
        from datasets import Dataset

        return Dataset.from_dict({"prompt": prompts, "completion": completions})
    _check_images(ds)
    out = ds.select_columns(["image"])  # TRL puts it into the prompt; not decoded here
    return out.add_column("prompt", prompts).add_column("completion", completions)


def _check_images(ds: Any) -> None:
    from datasets import Image

    column = ds.select_columns(["image"])
    if isinstance(column.features["image"], Image):  # the stored values, not decoded
        column = column.cast_column("image", Image(decode=False))
    if any(image is None for image in column["image"]):
        raise InvalidInputError(
            "A vision-language policy needs an image in every row (a text-only set such as "
            "'captions' trains a text-only policy)."
        )
