"""Shared pieces of the dataset loaders: the schema, label mapping, splits, row building."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from emo_env.data.images import check_image_file, check_images
from rewards.errors import InvalidInputError, MissingDependencyError, UnknownNameError
from rewards.labels import LABEL_SETS, LabelSet, get_label_set

__all__ = [
    "COLUMNS",
    "SPLITS",
    "DataError",
    "build_dataset",
    "check_image_file",
    "check_images",
    "features",
    "hash_split",
    "infer_label_set",
    "map_label",
    "require_datasets",
]

COLUMNS = ("id", "image", "label", "label_set", "caption", "dataset")
SPLITS = ("train", "val", "test")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff")
# Order in which a label set is guessed when none is given: the first holding every label.
_GUESS_ORDER = ("mikels8", "emotion6", "webemo7", "webemo25", "webemo2", "sentiment2")


class DataError(InvalidInputError):
    """A dataset that cannot be used: missing file, unreadable image, empty split, ..."""


def require_datasets():
    """Import Hugging Face ``datasets`` or name the extra that installs it."""
    try:
        import datasets
    except ImportError as err:  # pragma: no cover - the env extra installs it
        raise MissingDependencyError("datasets", "env", "emo_env datasets") from err
    return datasets


def features():
    """The columns every loader returns, as ``datasets.Features``."""
    ds = require_datasets()
    text = ds.Value("string")
    return ds.Features(
        {
            "id": text,
            "image": ds.Image(),
            "label": text,
            "label_set": text,
            "caption": text,
            "dataset": text,
        }
    )


def hash_split(sample_id: str, test_fraction: float = 0.2) -> str:
    """``"train"`` or ``"test"``, a stable function of the id (for data without splits)."""
    digest = hashlib.sha1(sample_id.encode("utf-8")).digest()
    return "test" if int.from_bytes(digest[:4], "big") / 2**32 < test_fraction else "train"


def _lookup(raw: Any, native: LabelSet) -> str:
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise DataError(f"Labels must be names (str) or indices (int); got {raw!r}.")
    if isinstance(raw, int):
        if not 0 <= raw < len(native):
            raise DataError(
                f"Label index {raw} is out of range for {native.id!r} ({len(native)} labels: "
                f"{native.options_text()})."
            )
        return native.names[raw]
    cleaned = raw.strip().lower()
    if cleaned in native:
        return cleaned
    found = native.normalize(cleaned)
    if found is None:
        raise UnknownNameError(f"label of {native.id!r}", raw, native.names)
    return found


def map_label(raw: Any, native: str | LabelSet, target: str | LabelSet | None = None) -> str:
    """Map a raw dataset label onto a label of ``target`` (default: ``native``).

    ``raw`` is a label name of the ``native`` set (any case, a synonym is accepted) or an
    index into its names. Coarser targets are reached through the label hierarchy
    (WebEmo's 25 -> 7 labels), polarity (any set -> ``sentiment2``/``webemo2``) or the
    target's synonym table (``amusement`` -> Emotion6's ``joy``).

    Raises:
        UnknownNameError: the label is not one of ``native`` (with the closest label).
        DataError: the label has no counterpart in ``target``.
    """
    native = get_label_set(native)
    target = native if target is None else get_label_set(target)
    name = _lookup(raw, native)
    if target.id == native.id:
        return name
    label = native[name]
    if label.parent and label.parent in target:
        return label.parent
    if target.id in ("sentiment2", "webemo2") and label.polarity in target:
        return label.polarity
    if name in target:
        return name
    mapped = target.normalize(name)
    if mapped is None:
        raise DataError(
            f"Label {name!r} of {native.id!r} has no counterpart in {target.id!r} "
            f"({target.options_text()}); load the data with label_set={native.id!r}."
        )
    return mapped


def infer_label_set(raw_labels: Iterable[Any], candidates: Sequence[str] = _GUESS_ORDER) -> str:
    """The first label set (of ``candidates``) naming every label, else the closest one."""
    names = {str(x).strip().lower() for x in raw_labels if not isinstance(x, int)}
    for set_id in candidates:
        if names <= set(LABEL_SETS[set_id].names):
            return set_id
    for set_id in candidates:  # then allow synonyms
        label_set = LABEL_SETS[set_id]
        if all(label_set.normalize(n) for n in names):
            return set_id
    # none fits: the set naming most of them, so the error names the odd label out
    return max(candidates, key=lambda s: sum(bool(LABEL_SETS[s].normalize(n)) for n in names))


def build_dataset(rows: list[dict[str, Any]], split: str, source: str):
    """A ``datasets.Dataset`` with :data:`COLUMNS` from rows; rejects an empty split."""
    if not rows:
        raise DataError(f"Split {split!r} of {source!r} is empty: no samples to load.")
    ids = [row["id"] for row in rows]
    if len(set(ids)) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise DataError(f"Sample ids must be unique in {source!r}; repeated: {dupes}.")
    ds = require_datasets()
    columns = {name: [row[name] for row in rows] for name in COLUMNS}
    return ds.Dataset.from_dict(columns, features=features())


def pick_split(rows: list[dict[str, Any]], split: str, source: str) -> list[dict[str, Any]]:
    """Rows whose ``split`` is ``split`` (``"all"`` keeps every row)."""
    if not isinstance(split, str):
        raise DataError(f"split must be a str such as 'train' or 'test'; got {split!r}.")
    if split == "all":
        return rows
    chosen = [row for row in rows if row["split"] == split]
    if not chosen:
        present = sorted({row["split"] for row in rows})
        raise DataError(
            f"Split {split!r} of {source!r} is empty. Splits present: {', '.join(present)} "
            "(or 'all')."
        )
    return chosen
