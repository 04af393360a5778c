"""The conversation a policy is asked, shared by training and evaluation, and the run file.

Training (``agents.trl``) and evaluation (``emo-r3 eval``) build every prompt through
:func:`prompt_messages`, so a checkpoint is evaluated with exactly the prompt it was
trained on. Two prompt styles exist (:data:`PROMPT_STYLES`):

* ``"paper"``: the paper's question with its SET (or ``<think>``) instructions
  (:func:`rewards.prompts.build_prompt`) as one user turn; a text-only policy reads the
  image's caption first, and with a one-shot example (``shot``) a worked exchange comes
  before the question;
* ``"compact"``: one system line stating the SET format, then ``Scene: <caption>`` and
  the options (text-only SET prompts).

A training run records its prompt settings in :data:`RUN_FILE` (``emo_r3_run.json``)
next to the weights it saves (:func:`write_run_settings`); ``emo-r3 eval --model DIR``
finds it in ``DIR`` or its parent (:func:`find_run_file`) and asks the same prompts.
Keys: ``template``, ``one_shot``, ``prompt_style``, ``caption_in_prompt``,
``system_prompt``, ``label_set``, ``preset``, ``max_completion_length`` (others are kept
and ignored).

Example:
    >>> from agents.common.prompts import PromptSettings
    >>> chat = PromptSettings(one_shot=True).messages("mikels8", "A storm.", index=1)
    >>> [m["role"] for m in chat], chat[-1]["content"].splitlines()[0]
    (['user', 'assistant', 'user'], 'Image description: A storm.')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from rewards.errors import InvalidInputError, UnknownNameError
from rewards.labels import get_label_set
from rewards.prompts import TEMPLATES, build_prompt

__all__ = [
    "COMPACT_SYSTEM",
    "ONE_SHOT_EXAMPLES",
    "PROMPT_STYLES",
    "RUN_FILE",
    "PromptSettings",
    "compact_messages",
    "find_run_file",
    "prompt_messages",
    "read_run_settings",
    "write_run_settings",
]

#: The file a training run writes next to its saved weights (and its output folder).
RUN_FILE = "emo_r3_run.json"

#: Prompt styles: the paper's SET question, or the short system + scene prompt.
PROMPT_STYLES = ("paper", "compact")

#: The compact style's system instruction (the SET format in one line).
COMPACT_SYSTEM = (
    "Answer in three steps, <step1> the scene </step1> <step2> the feeling </step2> "
    "<step3> positive or negative, high or low arousal </step3>, then one option in \\boxed{}."
)

#: Worked examples (caption, SET answer) shown before the question when ``one_shot``;
#: row ``i`` gets example ``i % 3``, so the boxed label of the demonstration varies.
ONE_SHOT_EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "A shadowy figure follows a lone walker down a dark, empty alley at night.",
        "<step1> A shadowy figure follows a lone walker in a dark alley. </step1>\n"
        "<step2> A person would feel threatened and scared. </step2>\n"
        "<step3> Negative, high arousal. </step3>\n\\boxed{fear}",
    ),
    (
        "An old couple sits on a porch swing at sunset, holding hands and smiling.",
        "<step1> An old couple holds hands on a porch at sunset. </step1>\n"
        "<step2> A person would feel calm, warm and satisfied. </step2>\n"
        "<step3> Positive, low arousal. </step3>\n\\boxed{contentment}",
    ),
    (
        "A puppy tangled in a roll of toilet paper looks up with a guilty face.",
        "<step1> A puppy is tangled in toilet paper with a guilty face. </step1>\n"
        "<step2> A person would laugh and find it funny. </step2>\n"
        "<step3> Positive, high arousal. </step3>\n\\boxed{amusement}",
    ),
)


def compact_messages(label_set: str, caption: str) -> list[dict[str, str]]:
    """The compact prompt: the SET format as a system line, then the scene and the options.

    Example:
        >>> compact_messages("mikels8", "A storm over a boat.")[1]["content"].splitlines()[0]
        'Scene: A storm over a boat.'
    """
    options = get_label_set(label_set).options_text()
    return [
        {"role": "system", "content": COMPACT_SYSTEM},
        {"role": "user", "content": f"Scene: {caption.strip()}\nOptions: {options}."},
    ]


def prompt_messages(
    label_set: str,
    caption: str | None,
    *,
    style: str = "paper",
    template: str = "set",
    shot: int | None = None,
    system_prompt: str | None = None,
) -> list[dict[str, str]]:
    """The conversation for one sample (training and evaluation use this one function).

    Args:
        label_set: label set whose labels are the options.
        caption: the scene description for a text-only policy (None: the policy sees the
            image, which the trainer or generator adds to the user turn).
        style: ``"paper"`` or ``"compact"`` (text-only SET prompts).
        template: ``"set"`` or ``"think"``.
        shot: index of the worked one-shot example shown first (``paper`` style), or None.
        system_prompt: a system turn placed first (``compact``: replaces its system line).
    """
    if style not in PROMPT_STYLES:
        raise UnknownNameError("prompt style", style, PROMPT_STYLES)
    if template not in TEMPLATES:
        raise UnknownNameError("prompt template", template, TEMPLATES)
    if style == "compact":
        if caption is None or template != "set" or shot is not None:
            raise InvalidInputError(
                "The compact prompt is for text-only SET prompts with a caption and no "
                "one-shot example; use style='paper' otherwise."
            )
        chat = compact_messages(label_set, caption)
        if system_prompt is not None:
            chat[0] = {"role": "system", "content": system_prompt}
        return chat
    user = {"role": "user", "content": build_prompt(label_set, template, caption=caption)}
    chat = [{"role": "system", "content": system_prompt}] if system_prompt is not None else []
    if shot is not None:
        example_caption, answer = ONE_SHOT_EXAMPLES[shot % len(ONE_SHOT_EXAMPLES)]
        chat += [
            {"role": "user", "content": build_prompt(label_set, template, example_caption)},
            {"role": "assistant", "content": answer},
        ]
    return [*chat, user]


@dataclass(frozen=True)
class PromptSettings:
    """How a run asks its questions (what :data:`RUN_FILE` records).

    Attributes:
        template: answer format, ``"set"`` or ``"think"``.
        one_shot: a worked example before each question (text-only SET ``paper`` prompts;
            ignored for a policy that sees images, as in training).
        prompt_style: ``"paper"`` or ``"compact"``.
        caption_in_prompt: whether the policy read captions (text-only) rather than images;
            None: not recorded.
        system_prompt: a system turn, if the run used one besides the style's own.
        label_set: the label set trained on (informational).
        preset: the training reward preset (informational).
        max_completion_length: the training completion limit in tokens.
        source: the file the settings came from, or ``"flags"``.
        extra: other keys of the run file, kept as they are.
    """

    template: str = "set"
    one_shot: bool = False
    prompt_style: str = "paper"
    caption_in_prompt: bool | None = None
    system_prompt: str | None = None
    label_set: str | None = None
    preset: str | None = None
    max_completion_length: int | None = None
    source: str = "flags"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        where = "" if self.source == "flags" else f" (in {self.source})"
        if self.template not in TEMPLATES:
            raise UnknownNameError(f"prompt template{where}", self.template, TEMPLATES)
        if self.prompt_style not in PROMPT_STYLES:
            raise UnknownNameError(f"prompt style{where}", self.prompt_style, PROMPT_STYLES)
        checks = {
            "one_shot": (bool,),
            "caption_in_prompt": (bool, type(None)),
            "system_prompt": (str, type(None)),
            "label_set": (str, type(None)),
            "preset": (str, type(None)),
        }
        for name, types in checks.items():
            if not isinstance(getattr(self, name), types):
                raise InvalidInputError(
                    f"{name}{where} must be {' or '.join(t.__name__ for t in types)}; got "
                    f"{getattr(self, name)!r}."
                )
        limit = self.max_completion_length
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                                  or limit < 1):  # fmt: skip
            raise InvalidInputError(
                f"max_completion_length{where} must be a positive integer; got {limit!r}."
            )

    @classmethod
    def from_dict(cls, values: dict[str, Any], source: str = "flags") -> PromptSettings:
        """Settings from a run file's object; unknown keys go to :attr:`extra`."""
        if not isinstance(values, dict):
            raise InvalidInputError(f"{source} must hold a JSON object; got {values!r:.60}.")
        known = {f.name for f in fields(cls)} - {"source", "extra"}
        given = {k: v for k, v in values.items() if k in known}
        extra = {k: v for k, v in values.items() if k not in known}
        return cls(**given, source=source, extra=extra)

    def as_dict(self) -> dict[str, Any]:
        """The recorded keys (no ``source``/``extra``), JSON-able."""
        out = asdict(self)
        out.pop("extra")
        out.pop("source")
        return out

    def messages(
        self, label_set: str, caption: str | None, *, index: int = 0
    ) -> list[dict[str, str]]:
        """The conversation for the sample at ``index`` of its split (it picks the one-shot
        example); ``caption`` None means the policy sees the image."""
        text_only = caption is not None
        if self.prompt_style == "compact" and not text_only:
            raise InvalidInputError(
                "This run's prompt style is 'compact', which is for text-only policies "
                "reading captions; evaluate with --modality caption."
            )
        shot = index if self.one_shot and text_only and self.template == "set" else None
        return prompt_messages(
            label_set,
            caption,
            style=self.prompt_style,
            template=self.template,
            shot=shot,
            system_prompt=self.system_prompt,
        )


def find_run_file(path: str | Path) -> Path | None:
    """The :data:`RUN_FILE` of a model folder, its parent (a checkpoint inside an output
    folder), or ``path`` itself when it is the file; None when there is none."""
    path = Path(path).expanduser()
    if path.is_file():
        return path if path.name.endswith(".json") else None
    for folder in (path, path.parent):
        candidate = folder / RUN_FILE
        if candidate.is_file():
            return candidate
    return None


def read_run_settings(path: str | Path) -> PromptSettings:
    """The prompt settings recorded in a run file (clear errors for a bad file)."""
    from agents.common.atomic import read_json

    path = Path(path)
    values = read_json(path, what="training run file", fix="Fix or delete it.")
    if values is None:
        raise InvalidInputError(f"No training run file at {str(path)!r}.")
    return PromptSettings.from_dict(values, source=str(path))


def write_run_settings(folder: str | Path, settings: PromptSettings, **more: Any) -> Path:
    """Write :data:`RUN_FILE` into ``folder`` (atomically): the prompt settings plus
    ``more`` (e.g. ``base_model``, ``dataset``); returns its path."""
    from agents.common.atomic import write_json

    return write_json(Path(folder) / RUN_FILE, {**settings.extra, **more, **settings.as_dict()})
