"""The judge protocol of the reflective reward, its prompts and its verdict parsers.

A *judge* is any callable taking ``list[JudgeRequest]`` and returning
``list[str | None]``, one answer per request (None = no verdict). Reflective rewards
send every request of a batch in one call, so a model judge can batch them.

The prompts are the reference implementation's, byte for byte:

* consistency: ``"Can the following text describe the image?Please answer with yes or no."``
  immediately followed by the passage (``<step1>`` up to ``<step2>``), with the image;
* coherence: the passage (``<step1>`` through ``</step2>``), a newline,
  ``"Which emotion best describes the text above?"``, a newline, and
  ``"Answer the question using one emotional category (one word only): "`` with the
  labels joined by ``", "`` and a final ``"."``;
* when no passage can be cut, the whole prompt is ``"Answer 'None'"``.

Example:
    >>> from rewards.judges import ConstantJudge, JudgeRequest
    >>> judge = ConstantJudge(consistency="Yes.", coherence="awe")
    >>> judge([JudgeRequest("coherence", "...", label_set="mikels8")])
    ['awe']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from rewards.errors import InvalidInputError, JudgeError
from rewards.labels import LabelSet, get_label_set

__all__ = [
    "COHERENCE_INSTRUCTION",
    "IMAGE_SEPARATOR",
    "REFLECT_SAMPLING",
    "COHERENCE_QUESTION",
    "CONSISTENCY_QUESTION",
    "NO_PASSAGE_PROMPT",
    "CallableJudge",
    "ConstantJudge",
    "Judge",
    "JudgeRequest",
    "call_judge",
    "coherence_prompt",
    "coherence_suffix",
    "consistency_prompt",
    "paper_coherence",
    "paper_consistency",
    "reference_coherence",
    "reference_consistency",
    "robust_coherence",
]

CONSISTENCY_QUESTION = "Can the following text describe the image?Please answer with yes or no."
COHERENCE_QUESTION = "Which emotion best describes the text above?"
COHERENCE_INSTRUCTION = "Answer the question using one emotional category (one word only): "
NO_PASSAGE_PROMPT = "Answer 'None'"
#: What the reference puts between the image and the consistency question: its prompt is
#: ``"<image>\nCan the following text ..."``, so the text after the image starts with "\n".
IMAGE_SEPARATOR = "\n"
#: The reference's sampling of the reflective answers (one sample each).
REFLECT_SAMPLING = {"temperature": 0.6, "top_p": 0.95, "n": 1}

Kind = Literal["consistency", "coherence"]
KINDS = ("consistency", "coherence")


@dataclass(frozen=True, slots=True)
class JudgeRequest:
    """One reflective question.

    Attributes:
        kind: ``"consistency"`` (image + text) or ``"coherence"`` (text only).
        prompt: the exact question text; the image is passed separately.
        image: the image for consistency questions (PIL, array, path), else None.
        label_set: the label set (id or :class:`LabelSet`) of the sample.
        passage: the passage quoted in the prompt (None when none could be cut).
    """

    kind: Kind
    prompt: str
    image: Any = None
    label_set: str | LabelSet = "mikels8"
    passage: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidInputError(f"JudgeRequest.kind must be one of {KINDS}; got {self.kind!r}.")


@runtime_checkable
class Judge(Protocol):
    """Anything answering a batch of reflective questions."""

    def __call__(self, requests: list[JudgeRequest]) -> list[str | None]: ...


def consistency_prompt(passage: str | None) -> str:
    """The consistency question for a passage (``"Answer 'None'"`` when there is none)."""
    return NO_PASSAGE_PROMPT if passage is None else CONSISTENCY_QUESTION + passage


def coherence_prompt(passage: str | None, label_set: str | LabelSet) -> str:
    """The coherence question for a passage, listing the label set's labels."""
    if passage is None:
        return NO_PASSAGE_PROMPT
    return passage + coherence_suffix(label_set)


def coherence_suffix(label_set: str | LabelSet) -> str:
    """What follows the passage in a coherence question (the question and the options)."""
    options = get_label_set(label_set).options_text()
    return f"\n{COHERENCE_QUESTION}\n{COHERENCE_INSTRUCTION}{options}."


_new = object.__new__
_SETTERS = tuple(
    JudgeRequest.__dict__[f].__set__ for f in ("kind", "prompt", "image", "label_set", "passage")
)


def make_request(kind: str, prompt: str, image: Any, label_set: str, passage: str | None):
    """A :class:`JudgeRequest` for a kind known to be valid, without re-checking it.

    Sets the slots directly (the dataclass is frozen), about twice as fast as the
    checked constructor; used where requests are built for every response of a batch.
    """
    set_kind, set_prompt, set_image, set_label_set, set_passage = _SETTERS
    request = _new(JudgeRequest)
    set_kind(request, kind)
    set_prompt(request, prompt)
    set_image(request, image)
    set_label_set(request, label_set)
    set_passage(request, passage)
    return request


_ANSWER_TYPES = {str, type(None)}


def call_judge(judge: Callable, requests: list[JudgeRequest]) -> list[str | None]:
    """Call ``judge`` once on all requests and check that it kept the contract."""
    if not requests:
        return []
    answers = judge(requests)
    if type(answers) is not list and (
        not isinstance(answers, Sequence) or isinstance(answers, str)
    ):
        raise JudgeError(
            f"Judge {judge!r} returned {type(answers).__name__}; a judge must return a list "
            "with one str (or None) per request."
        )
    if len(answers) != len(requests):
        raise JudgeError(
            f"Judge {judge!r} returned {len(answers)} answers for {len(requests)} requests; "
            "return exactly one answer (str or None) per request, in order."
        )
    if {*map(type, answers)} <= _ANSWER_TYPES:
        return answers if type(answers) is list else list(answers)
    for i, answer in enumerate(answers):
        if answer is not None and not isinstance(answer, str):
            raise JudgeError(
                f"Judge {judge!r} answered request {i} with {type(answer).__name__}; "
                "answers must be str or None."
            )
    return list(answers)


# --- verdict parsers -----------------------------------------------------------------


def reference_consistency(answer: str | None) -> float:
    """Reference: 1 if "yes" occurs (any case), else 0 if "no" occurs, else 0.5; None -> 1."""
    if answer is None:
        return 1.0
    lowered = answer.lower()
    if "yes" in lowered:
        return 1.0
    if "no" in lowered:
        return 0.0
    return 0.5


def reference_coherence(answer: str | None, label: str) -> float:
    """Reference: 0.5 if empty or "none", 1 if lower-cased answer == label, else 0; None -> 1."""
    if answer is None:
        return 1.0
    if answer == "" or answer.lower() == "none":
        return 0.5
    return 1.0 if answer.lower() == label else 0.0


_LEADING_WORD = re.compile(r"[a-z]+")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_WORD = re.compile(r"\b(yes|no)\b")


def paper_consistency(answer: str | None) -> float | None:
    """A sound yes/no reading: the first word decides, else a lone yes or no word.

    "Nothing", "not sure" or "I know" count as no verdict of yes (0.0); returns None
    only when the answer itself is None.
    """
    if answer is None:
        return None
    lowered = answer.lower()
    # the common answers: "yes"/"no" as the leading run of a-z letters
    if lowered[:3] == "yes" and lowered[3:4] not in _LETTERS:
        return 1.0
    if lowered[:2] == "no" and lowered[2:3] not in _LETTERS:
        return 0.0
    first = _LEADING_WORD.search(lowered)
    if first and first.group(0) in ("yes", "no"):
        return 1.0 if first.group(0) == "yes" else 0.0
    words = set(_WORD.findall(lowered))
    return 1.0 if words == {"yes"} else 0.0


_STRIP = re.compile(r"[^\w]+")


def paper_coherence(answer: str | None, label: str) -> float | None:
    """Binary: 1 if the answer, ignoring case, spaces and punctuation, is the label."""
    if answer is None:
        return None
    return 1.0 if _STRIP.sub("", answer.lower()) == _STRIP.sub("", label.lower()) else 0.0


def robust_coherence(answer: str | None, label: str, label_set: LabelSet) -> float | None:
    """Binary, forgiving synonyms: 1 if the answer normalises to the label."""
    if answer is None:
        return None
    return 1.0 if label_set.normalize(answer) == label_set.normalize(label) else 0.0


# --- simple judges ---------------------------------------------------------------------


class ConstantJudge:
    """Answers every question of a kind with the same text (tests, dry runs)."""

    def __init__(self, consistency: str | None = "yes", coherence: str | None = None):
        self.answers = {"consistency": consistency, "coherence": coherence}
        self.calls = 0

    def __call__(self, requests: list[JudgeRequest]) -> list[str | None]:
        self.calls += 1
        return [self.answers[r.kind] for r in requests]

    def __repr__(self) -> str:
        return f"ConstantJudge({self.answers})"


class CallableJudge:
    """Adapts a per-request function ``fn(request) -> str | None`` into a batch judge."""

    def __init__(self, fn: Callable[[JudgeRequest], str | None]):
        if not callable(fn):
            raise InvalidInputError("CallableJudge needs a function fn(request) -> str | None.")
        self.fn = fn

    def __call__(self, requests: list[JudgeRequest]) -> list[str | None]:
        return [self.fn(r) for r in requests]

    def __repr__(self) -> str:
        return f"CallableJudge({getattr(self.fn, '__name__', self.fn)!r})"
