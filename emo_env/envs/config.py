"""Options of the environments (``gym.make(id, **options)``), checked at construction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rewards import presets
from rewards.errors import InvalidInputError, UnknownNameError
from rewards.prompts import TEMPLATES

__all__ = ["DEFAULT_PRESETS", "MAX_IMAGE_SIDE", "REFLECTIONS", "EnvConfig"]

#: The preset of each template when none is named (``rewards.presets.default_preset("env")``;
#: the authors' own template goes with their reward).
DEFAULT_PRESETS = {t: presets.default_preset("env", t) for t in TEMPLATES} | {
    "reference": "emo_r3_reference"
}
REFLECTIONS = ("separate", "combined")
MAX_IMAGE_SIDE = 4096  # an observation image of 4096 x 4096 x 3 is already 48 MiB


@dataclass
class EnvConfig:
    """Everything an emo environment can be configured with.

    Attributes:
        dataset: a source for :func:`emo_env.data.load_dataset` (``"embedded"``,
            ``"emoset:/path"``, a folder, manifest, parquet...) or a loaded
            ``datasets.Dataset`` with the loader's columns.
        split: the split to load (ignored for a loaded dataset).
        label_set: label set to map the dataset's labels onto (default: the dataset's).
        rubric: a :class:`~rewards.rubric.Rubric` or a preset name (default: the
            template's preset: ``emo_r3_paper`` for ``set``, ``emo_r3_reference`` for
            ``reference``, ``grpo_baseline`` for ``think``).
        judge: judge for the reflective reward of a preset (EmoReason only): a callable,
            or the mode ``"none"`` / ``"preset"`` (no judge; the reflective components
            count 1 or the preset's own scorers answer).
        template: prompt template: ``"set"``, ``"reference"`` (the authors' own, byte
            for byte) or ``"think"``; default: ``"reference"`` when ``rubric`` is
            ``"emo_r3_reference"``, else ``"set"``.
        image_size: side of the square observation image, or ``(height, width)``.
        caption_in_prompt: put the caption into the prompt (text-only policies); always
            on for samples without an image (the ``"captions"`` benchmark).
        max_action_chars: longer responses are cut to this many characters.
        image_root: root for relative image paths of a manifest.
        reflection: EmoReflect only: ``"separate"`` (default: the reference's two fresh
            prompts, consistency with the image then coherence without it) or
            ``"combined"`` (both questions in one follow-up turn of the chat).
        max_response_tokens: EmoReflect only: ``max_tokens`` of the reflective answers'
            sampling (the reference gives them the rollout's full response length, 2048).
    """

    dataset: Any = "embedded"
    split: str = "train"
    label_set: str | None = None
    rubric: Any = None
    judge: Any = None
    template: str | None = None
    image_size: int | tuple[int, int] = 224
    caption_in_prompt: bool = False
    max_action_chars: int = 65536
    image_root: str | None = None
    reflection: str = "separate"
    max_response_tokens: int = 2048

    _template_auto: bool = field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.template is None:
            self._template_auto = True
            self.template = "reference" if self.rubric == "emo_r3_reference" else "set"
        if self.reflection not in REFLECTIONS:
            raise UnknownNameError("reflection", self.reflection, REFLECTIONS)
        tokens = self.max_response_tokens
        if isinstance(tokens, bool) or not isinstance(tokens, int) or tokens < 1:
            raise InvalidInputError(f"max_response_tokens must be a positive int; got {tokens!r}.")
        if self.template not in TEMPLATES:
            raise UnknownNameError("prompt template", self.template, TEMPLATES)
        size = self.image_size
        if isinstance(size, int) and not isinstance(size, bool):
            size = (size, size)
        if (
            not isinstance(size, (tuple, list))
            or len(size) != 2
            or not all(
                isinstance(s, int) and not isinstance(s, bool) and 0 < s <= MAX_IMAGE_SIDE
                for s in size
            )
        ):
            raise InvalidInputError(
                f"image_size must be a positive int or (height, width) of at most "
                f"{MAX_IMAGE_SIDE} pixels a side; got {self.image_size!r}. The observation "
                "image is resized to it: e.g. 224 (CLIP) or 448 (Qwen2.5-VL)."
            )
        self.image_size = (int(size[0]), int(size[1]))
        if not isinstance(self.max_action_chars, int) or self.max_action_chars < 1:
            raise InvalidInputError(
                f"max_action_chars must be a positive int; got {self.max_action_chars!r}."
            )
        if isinstance(self.judge, (str, bool)):  # a mode: "none"/"preset" mean no judge
            self.judge = presets.resolve_judge(self.judge)
        if self.judge is not None and not callable(self.judge):
            raise InvalidInputError(
                f"judge must be callable (list[JudgeRequest] -> list[str | None]); got "
                f"{type(self.judge).__name__}."
            )

    def load_dataset(self) -> Any:
        """The dataset, loaded from :attr:`dataset` unless it already is one."""
        if isinstance(self.dataset, str):
            from emo_env.data import load_dataset

            return load_dataset(self.dataset, self.split, self.label_set, self.image_root)
        columns = set(getattr(self.dataset, "column_names", ()) or ())
        missing = {"id", "image", "label", "label_set"} - columns
        if missing:
            raise InvalidInputError(
                f"dataset must be a source string or a datasets.Dataset with the columns of "
                f"emo_env.data.load_dataset; missing {sorted(missing)}."
            )
        if len(self.dataset) == 0:
            raise InvalidInputError("The dataset given to the environment is empty.")
        return self.dataset

    def build_rubric(self, judge: Any = None) -> Any:
        """The rubric: :attr:`rubric` itself, or the named (or default) preset."""
        from rewards.rubric import Rubric

        if isinstance(self.rubric, Rubric):
            if self.judge is not None:
                raise InvalidInputError(
                    "judge= applies to a preset name; a Rubric object carries its own judges."
                )
            return self.rubric
        name = self.rubric or DEFAULT_PRESETS[self.template]
        if not isinstance(name, str):
            raise InvalidInputError(
                f"rubric must be a Rubric or a preset name; got {type(name).__name__}. "
                f"Presets: {', '.join(presets.names())}."
            )
        return presets.build(name, judge=judge if judge is not None else self.judge)
