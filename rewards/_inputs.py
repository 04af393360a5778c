"""Normalise the keyword arguments a reward receives (TRL, rubric, environments).

Conventions (shared by every reward of the package):

* ``completions``: a list of strings, or of chat message lists as TRL passes for
  conversational datasets (the assistant text is taken);
* gold labels: the ``label`` column (``labels``, ``solution`` and ``answer`` are accepted);
* images: the ``image`` column (``images`` accepted; a per-sample list gives its first);
* label set: the ``label_set`` column or keyword (an id or a list of ids), else the
  reward's default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rewards.errors import InvalidInputError
from rewards.labels import LabelSet, get_label_set

LABEL_KEYS = ("label", "labels", "solution", "answer")
IMAGE_KEYS = ("image", "images")


def completion_text(completion: Any, index: int) -> str:
    """The response text of one completion (a str or a chat message list)."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Sequence) and completion and isinstance(completion[-1], Mapping):
        content = completion[-1].get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, Sequence):
            parts = [p.get("text", "") for p in content if isinstance(p, Mapping)]
            return "".join(p for p in parts if isinstance(p, str))
    raise InvalidInputError(
        f"completion {index} is {type(completion).__name__}: pass each response as a str "
        "(or a chat message list like [{'role': 'assistant', 'content': '...'}])."
    )


def completion_texts(completions: Any) -> list[str]:
    """All completions as strings, with a clear error for anything else."""
    if isinstance(completions, str) or not isinstance(completions, Sequence):
        raise InvalidInputError(
            "completions must be a list of responses (str); got "
            f"{type(completions).__name__}. Wrap a single response in a list."
        )
    return [completion_text(c, i) for i, c in enumerate(completions)]


def _column(kwargs: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[str, Any] | None:
    for key in keys:
        if kwargs.get(key) is not None:
            return key, kwargs[key]
    return None


def _as_list(name: str, value: Any, n: int) -> list[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InvalidInputError(f"{name} must be a list with one entry per completion.")
    if len(value) != n:
        raise InvalidInputError(
            f"{name} has {len(value)} entries but there are {n} completions: pass one "
            f"{name} per completion (repeat a prompt's {name} for each of its generations)."
        )
    return list(value)


def label_sets(kwargs: Mapping[str, Any], n: int, default: str | LabelSet) -> list[LabelSet]:
    """One label set per sample from ``label_set`` (an id, or a list of ids)."""
    value = kwargs.get("label_set")
    if value is None:
        return [get_label_set(default)] * n
    if isinstance(value, (str, LabelSet)):
        return [get_label_set(value)] * n
    return [get_label_set(v) for v in _as_list("label_set", value, n)]


def gold_labels(kwargs: Mapping[str, Any], n: int, sets: list[LabelSet]) -> list[str]:
    """The gold label of each sample, checked against its label set."""
    found = _column(kwargs, LABEL_KEYS)
    if found is None:
        raise InvalidInputError(
            "No gold labels: pass them as label=[...] (one per completion), e.g. keep a "
            "'label' column in the dataset given to the trainer."
        )
    key, value = found
    labels = _as_list(key, value, n)
    for label, label_set in zip(labels, sets, strict=True):
        if not isinstance(label, str):
            raise InvalidInputError(
                f"Gold labels must be strings; got {type(label).__name__} {label!r} in {key!r}."
            )
        label_set.check(label.strip().lower())
    return labels


def images(kwargs: Mapping[str, Any], n: int) -> list[Any]:
    """The image of each sample (None where there is none)."""
    found = _column(kwargs, IMAGE_KEYS)
    if found is None:
        return [None] * n
    key, value = found
    out = []
    for item in _as_list(key, value, n):
        if isinstance(item, (list, tuple)):
            item = item[0] if item else None
        out.append(item)
    return out
