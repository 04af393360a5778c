"""The reflective step of EmoReflect-v0: its prompts, sampling, answer parsing and judge.

The reference implementation (the EMO-R3 authors' code, arXiv 2602.23802) asks two
fresh prompts after each rollout, to the current policy, with no chat history:

* consistency, with the image: the user message is the image followed by the text
  ``"\\nCan the following text describe the image?Please answer with yes or no."`` and
  the ``<step1>``..``<step2>`` passage (``"\\nAnswer 'None'"`` when none can be cut);
* coherence, text only: the ``<step1>``..``</step2>`` passage, a newline,
  ``"Which emotion best describes the text above?"``, a newline and
  ``"Answer the question using one emotional category (one word only): "`` with the
  labels (``"Answer 'None'"`` when no passage);

both sampled at temperature 0.6, top-p 0.95, one sample, up to the rollout's full
response length; the answers are verdicts, not trained on.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

from emo_env.envs.config import REFLECTIONS
from rewards.errors import InvalidInputError
from rewards.judges import IMAGE_SEPARATOR, REFLECT_SAMPLING, JudgeRequest

__all__ = [
    "IMAGE_SEPARATOR",
    "KINDS",
    "REFLECT_SAMPLING",
    "REFLECTIONS",
    "AnswerJudge",
    "observed_question",
    "parse_reflection",
    "reflection_message",
    "sampling",
]

KINDS = ("consistency", "coherence")

_ANSWER = {
    kind: re.compile(rf"<\s*answer{i}\s*>(.*?)(?:<\s*/\s*answer{i}\s*>|$)", re.S | re.I)
    for i, kind in enumerate(KINDS, start=1)
}


def sampling(max_tokens: int) -> dict[str, Any]:
    """The sampling of a reflective answer: the reference's, up to ``max_tokens``."""
    return {**REFLECT_SAMPLING, "max_tokens": max_tokens}


def observed_question(kind: str, question: str) -> str:
    """The text of a fresh reflective prompt as the policy reads it (image shown first
    for consistency, so its text starts with the reference's newline)."""
    return IMAGE_SEPARATOR + question if kind == "consistency" else question


class AnswerJudge:
    """A judge answering with verdicts given in advance: the agent's own answers.

    :meth:`load` queues an answer per (kind, prompt); each request pops the next one,
    so identical questions in a batch get their answers in order. A question it was
    never given gets None ("no verdict"), never "": a rubric borrowed from the
    environment and called outside it counts those as missing (``stats["missing"]``
    of the reflective reward), it does not score them as wrong answers.
    """

    def __init__(self) -> None:
        self._queue: dict[tuple[str, str], deque] = {}

    def load(self, kind: str, prompt: str, answer: str) -> None:
        self._queue.setdefault((kind, prompt), deque()).append(answer)

    def clear(self) -> None:
        self._queue.clear()

    def __call__(self, requests: list[JudgeRequest]) -> list[str | None]:
        out = []
        for request in requests:
            queue = self._queue.get((request.kind, request.prompt))
            out.append(queue.popleft() if queue else None)
        return out

    def __repr__(self) -> str:
        return "AnswerJudge()"


def reflection_message(questions: Mapping[str, str]) -> str:
    """The single follow-up message of ``reflection="combined"``: both questions and the
    reply format."""
    return (
        "Now check your reasoning above. Answer both questions.\n"
        f"Question 1 (about the image): {questions['consistency']}\n"
        f"Question 2:\n{questions['coherence']}\n"
        "Reply exactly in this form:\n"
        "<answer1>yes or no</answer1>\n<answer2>one emotion</answer2>"
    )


def parse_reflection(action: Any) -> dict[str, str]:
    """The two answers of a combined follow-up action (a tagged str, a mapping or a pair).

    A tag that cannot be found gives an empty answer (never "no verdict").

    Raises:
        InvalidInputError: the action is none of these forms.
    """
    if isinstance(action, str):
        out = {}
        for kind, pattern in _ANSWER.items():
            match = pattern.search(action)
            out[kind] = match.group(1).strip() if match else ""
        return out
    if isinstance(action, Mapping):
        values = [action.get(k, "") for k in KINDS]
    elif isinstance(action, Sequence) and len(action) == 2:
        values = list(action)
    else:
        values = None
    if values is None or not all(isinstance(v, str) for v in values):
        raise InvalidInputError(
            "The turn-2 action must be a str with <answer1>...</answer1><answer2>..."
            "</answer2>, a mapping {'consistency': str, 'coherence': str}, or a pair of "
            f"str; got {type(action).__name__}."
        )
    return dict(zip(KINDS, values, strict=True))
