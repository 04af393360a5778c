"""Normalise the keyword arguments a reward receives (TRL, rubric, environments).

Conventions (shared by every reward of the package):

* ``completions``: a list of strings, or of chat message lists as TRL passes for
  conversational datasets (the assistant text is taken). A lone surrogate code point
  (e.g. ``"\\ud800"``, which no tokenizer or UTF-8 encoder accepts) is replaced by
  U+FFFD, the Unicode replacement character, so one broken sample cannot crash a batch;
  ASCII texts are not inspected;
* gold labels: the ``label`` column (``labels``, ``solution`` and ``answer`` are
  accepted); each is stripped and lower-cased once, then checked against its label set
  (an unknown label raises with the closest valid one): ``" Fear "`` is ``"fear"``;
* images: the ``image`` column (``images`` accepted; a per-sample list gives its first);
* captions: the ``caption`` column (``captions`` accepted); lone surrogates in them are
  replaced as in the responses;
* label set: the ``label_set`` column or keyword (an id or a list of ids), else the
  reward's default.

Every check runs once per batch (labels once per distinct label), not once per reward.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from rewards.errors import InvalidInputError
from rewards.labels import LabelSet, get_label_set

LABEL_KEYS = ("label", "labels", "solution", "answer")
IMAGE_KEYS = ("image", "images")
CAPTION_KEYS = ("caption", "captions")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (ASCII returns at once)."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub("\ufffd", text)


def clean_captions(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` with lone surrogates replaced in the caption column (a copy if changed)."""
    for key in CAPTION_KEYS:
        value = kwargs.get(key)
        if isinstance(value, list) and not all(
            type(v) is not str or v.isascii() or _SURROGATE.search(v) is None for v in value
        ):
            cleaned = [clean_text(v) if type(v) is str else v for v in value]
            kwargs = {**kwargs, key: cleaned}
    return kwargs


def completion_text(completion: Any, index: int) -> str:
    """The response text of one completion (a str or a chat message list)."""
    if isinstance(completion, str):
        return clean_text(completion)
    if isinstance(completion, Sequence) and completion and isinstance(completion[-1], Mapping):
        content = completion[-1].get("content")
        if isinstance(content, str):
            return clean_text(content)
        if isinstance(content, Sequence):
            parts = [p.get("text", "") for p in content if isinstance(p, Mapping)]
            return clean_text("".join(p for p in parts if isinstance(p, str)))
    raise InvalidInputError(
        f"completion {index} is {type(completion).__name__}: pass each response as a str "
        "(or a chat message list like [{'role': 'assistant', 'content': '...'}])."
    )


def completion_texts(completions: Any) -> list[str]:
    """All completions as strings, with a clear error for anything else."""
    if type(completions) is not list and (
        isinstance(completions, str) or not isinstance(completions, Sequence)
    ):
        raise InvalidInputError(
            "completions must be a list of responses (str); got "
            f"{type(completions).__name__}. Wrap a single response in a list."
        )
    if {*map(type, completions)} <= {str}:  # the common case, checked in C
        if all(map(str.isascii, completions)) or _SURROGATE.search("".join(completions)) is None:
            return completions if type(completions) is list else list(completions)
        return list(map(clean_text, completions))
    return [completion_text(c, i) for i, c in enumerate(completions)]


def _column(kwargs: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[str, Any] | None:
    for key in keys:
        if kwargs.get(key) is not None:
            return key, kwargs[key]
    return None


def _as_list(name: str, value: Any, n: int) -> list[Any]:
    if type(value) is list:
        if len(value) == n:
            return value
    elif isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InvalidInputError(f"{name} must be a list with one entry per completion.")
    if len(value) != n:
        raise InvalidInputError(
            f"{name} has {len(value)} entries but there are {n} completions: pass one "
            f"{name} per completion (repeat a prompt's {name} for each of its generations)."
        )
    return value if type(value) is list else list(value)


def label_sets(kwargs: Mapping[str, Any], n: int, default: str | LabelSet) -> list[LabelSet]:
    """One label set per sample from ``label_set`` (an id, or a list of ids)."""
    value = kwargs.get("label_set")
    if value is None:
        return [get_label_set(default)] * n
    if isinstance(value, (str, LabelSet)):
        return [get_label_set(value)] * n
    return [get_label_set(v) for v in _as_list("label_set", value, n)]


def gold_label(label: Any, label_set: LabelSet, key: str = "label") -> str:
    """One gold label, stripped and lower-cased, checked against ``label_set``."""
    if not isinstance(label, str):
        raise InvalidInputError(
            f"Gold labels must be strings; got {type(label).__name__} {label!r} in {key!r}."
        )
    return label_set.check(label.strip().lower())


def gold_labels(kwargs: Mapping[str, Any], n: int, sets: list[LabelSet]) -> list[str]:
    """The gold label of each sample, normalised and checked once per distinct label."""
    found = _column(kwargs, LABEL_KEYS)
    if found is None:
        raise InvalidInputError(
            "No gold labels: pass them as label=[...] (one per completion), e.g. keep a "
            "'label' column in the dataset given to the trainer."
        )
    key, value = found
    labels = _as_list(key, value, n)
    if n == 1 and type(labels[0]) is str and labels[0] in sets[0]._gold:
        return labels  # a label name as given: stripping and lower-casing keep it
    if n and sets.count(sets[0]) == n and {*map(type, labels)} <= {str}:
        label_set = sets[0]
        canon = {label: gold_label(label, label_set, key) for label in set(labels)}
        if all(k == v for k, v in canon.items()):
            return labels
        return [canon[label] for label in labels]
    return [gold_label(label, s, key) for label, s in zip(labels, sets, strict=True)]


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


def captions(kwargs: Mapping[str, Any], n: int) -> list[str | None] | None:
    """The caption of each sample (None where there is none), or None without the column."""
    found = _column(kwargs, CAPTION_KEYS)
    if found is None:
        return None
    key, value = found
    out = _as_list(key, value, n)
    for caption in out:
        if caption is not None and not isinstance(caption, str):
            raise InvalidInputError(
                f"Captions must be strings (or None); got {type(caption).__name__} in {key!r}."
            )
    return out
