"""The JSON label field shared by the reward server, the reward file, the agent and verl.

OpenRLHF hands rewards a ``label`` string per prompt and no image, so emo-r3 packs the
gold label, its label set and a reference to the image into that string as JSON::

    {"label": "fear", "label_set": "mikels8", "image": "emoset/fear/001.jpg"}
    {"label": "awe", "label_set": "mikels8", "sample_id": "astronaut", "dataset": "embedded"}

``image`` is a path inside one of the server's configured image roots;
``sample_id`` (with an optional ``dataset``) names a dataset sample instead. A bare
label (``"fear"``) is accepted too and uses the default label set.

Example:
    >>> from agents.common.labels import decode_label, encode_label
    >>> text = encode_label("Fear", "mikels8", image="a/b.jpg")
    >>> text
    '{"label": "Fear", "label_set": "mikels8", "image": "a/b.jpg"}'
    >>> decode_label(text).label, decode_label("awe").label_set
    ('Fear', 'mikels8')
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from agents.common.jsoncodec import JSONError, clean_text, loads
from rewards.errors import InvalidInputError
from rewards.labels import get_label_set

__all__ = ["FIELDS", "LabelInfo", "decode_label", "encode_label", "encode_row"]

FIELDS = ("label", "label_set", "image", "sample_id", "dataset", "caption")
_FIELD_SET = frozenset(FIELDS)


@dataclass(frozen=True, slots=True)
class LabelInfo:
    """A decoded label field.

    Attributes:
        label: gold label, as written (checked against ``label_set``, ignoring case).
        label_set: label set id.
        image: image path (relative to an image root, or absolute inside one).
        sample_id: id of a dataset sample whose image is meant.
        dataset: dataset holding ``sample_id`` (the server's default when None).
        caption: a description of the image (text-only policies).
    """

    label: str
    label_set: str = "mikels8"
    image: str | None = None
    sample_id: str | None = None
    dataset: str | None = None
    caption: str | None = None

    def as_json(self) -> str:
        """The compact JSON form (fields that are None are left out)."""
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None})


def encode_label(
    label: str,
    label_set: str = "mikels8",
    *,
    image: str | None = None,
    sample_id: str | None = None,
    dataset: str | None = None,
    caption: str | None = None,
) -> str:
    """Pack a gold label and an image reference into the JSON label string.

    Raises:
        InvalidInputError: the label is not in the label set, or a field is not a string.
    """
    info = _validated(
        {
            "label": label,
            "label_set": label_set,
            "image": image,
            "sample_id": sample_id,
            "dataset": dataset,
            "caption": caption,
        },
        label_set,
    )
    return info.as_json()


def decode_label(value: Any, default_label_set: str = "mikels8") -> LabelInfo:
    """Read a label field: a JSON object string, a mapping, or a bare label name.

    Raises:
        InvalidInputError: malformed JSON, unknown keys, wrong types or an unknown label.
    """
    if type(value) is not str and isinstance(value, Mapping):  # str: no ABC check
        return _validated(dict(value), default_label_set)
    if not isinstance(value, str):
        raise InvalidInputError(
            f"A label must be a string (a label name or a JSON object); got {type(value).__name__}."
        )
    text = value.strip()
    if text.startswith("{"):
        try:
            data = loads(text)
        except JSONError as err:
            raise InvalidInputError(
                f"Label field is not valid JSON ({err}): {text[:80]!r}"
            ) from None
        if type(data) is not dict:
            raise InvalidInputError("A JSON label must be an object with a 'label' key.")
        return _validated(data, default_label_set)
    return _validated({"label": text}, default_label_set)


def encode_row(row: Mapping[str, Any], image_mode: str = "sample_id") -> str:
    """The label field for a dataset row (columns id, label, label_set, caption, dataset).

    Args:
        row: one row of ``emo_env.data.load_dataset(...)``.
        image_mode: ``"sample_id"`` refers to the image by the row's id; ``"none"`` leaves
            the image out (rule-only rewards need none).
    """
    if image_mode not in ("sample_id", "none"):
        raise InvalidInputError(f"image_mode must be 'sample_id' or 'none'; got {image_mode!r}.")
    with_id = image_mode == "sample_id"
    return encode_label(
        row["label"],
        row.get("label_set") or "mikels8",
        sample_id=str(row["id"]) if with_id and row.get("id") is not None else None,
        dataset=(row.get("dataset") or None) if with_id else None,
        caption=row.get("caption") or None,
    )


def _validated(data: dict[str, Any], default_label_set: str) -> LabelInfo:
    if not _FIELD_SET.issuperset(data):
        unknown = sorted(str(k)[:40] for k in set(data) - _FIELD_SET)
        raise InvalidInputError(f"Unknown label field(s) {unknown}; allowed: {', '.join(FIELDS)}.")
    if data.get("label") is None:
        raise InvalidInputError("A JSON label needs a 'label' key naming the gold emotion.")
    for key, value in data.items():
        if value is not None and type(value) is not str and not isinstance(value, str):
            shown = repr(value)
            shown = shown if len(shown) <= 80 else shown[:80] + "..."
            raise InvalidInputError(
                f"Label field {key!r} must be a string; got {type(value).__name__} {shown}."
            )
    set_id = data.get("label_set")
    if set_id is None:
        set_id = default_label_set
    get_label_set(set_id).check(data["label"].strip().lower())
    caption = data.get("caption")
    return LabelInfo(
        data["label"],
        set_id,
        data.get("image"),
        data.get("sample_id"),
        data.get("dataset"),
        clean_text(caption) if caption else caption,
    )
