"""The embedded default dataset: real photographs that ship in installed packages.

A DEMO AND SMOKE SET, NOT A BENCHMARK: 23 images (14 photographs from scikit-image,
scikit-learn and matplotlib, 9 simple cartoon drawings made with Pillow for the labels
no shipped photograph shows honestly, e.g. anger), each labelled with a Mikels emotion
and captioned by hand. Only the manifest (``manifest.jsonl``) ships here; the images
are read from the installed packages, or drawn, at load time. Splits are fixed in the
manifest: ``train`` (15) and ``test`` (8, one per label).

Example:
    >>> from emo_env.data import embedded
    >>> ds = embedded.load("test")
    >>> len(ds), sorted(set(ds["label"])) == sorted(embedded.LABELS)
    (8, True)
"""

from __future__ import annotations

import io
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from emo_env.data._common import DataError, build_dataset, map_label, pick_split
from rewards.errors import MissingDependencyError
from rewards.labels import get_label_set

__all__ = ["LABELS", "MANIFEST", "NAME", "image_bytes", "load", "records"]

NAME = "embedded"
MANIFEST = Path(__file__).with_name("manifest.jsonl")
LABELS = get_label_set("mikels8").names
# package -> pip extra that installs it
_PACKAGES = {"skimage": "demo-data", "sklearn": "demo-data", "matplotlib": "demo-data"}


@lru_cache(maxsize=1)
def records() -> tuple[dict[str, Any], ...]:
    """The manifest rows: id, split, label (mikels8), source reference, caption."""
    rows = []
    with MANIFEST.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                rows.append(json.loads(line))
    return tuple(rows)


def _package_file(package: str, path: str) -> bytes:
    if package not in _PACKAGES:
        raise DataError(f"Embedded source package {package!r} is not one of {list(_PACKAGES)}.")
    try:
        root = resources.files(package)
    except ModuleNotFoundError as err:
        raise MissingDependencyError(package, _PACKAGES[package], "the embedded dataset") from err
    target = root.joinpath(path)
    if not target.is_file():
        raise DataError(
            f"The embedded image {path!r} is missing from the installed {package!r}; "
            "reinstall it (pip install 'emo-r3[demo-data]')."
        )
    return target.read_bytes()


def _drawing(name: str) -> bytes:
    from emo_env.data.embedded.drawings import draw

    buffer = io.BytesIO()
    draw(name).save(buffer, format="PNG")
    return buffer.getvalue()


@lru_cache(maxsize=64)
def image_bytes(sample_id: str) -> bytes:
    """The encoded image (PNG or JPEG bytes) of one embedded sample."""
    for row in records():
        if row["id"] == sample_id:
            source = row["source"]
            if "drawing" in source:
                return _drawing(source["drawing"])
            return _package_file(source["package"], source["path"])
    raise DataError(f"No embedded sample has id {sample_id!r}.")


@lru_cache(maxsize=16)
def load(split: str = "train", label_set: str | None = None):
    """The embedded set as a ``datasets.Dataset`` (see :func:`emo_env.data.load_dataset`).

    Args:
        split: ``"train"``, ``"test"`` or ``"all"``.
        label_set: map the Mikels labels onto another set (e.g. ``"sentiment2"``).
    """
    target = label_set or "mikels8"
    rows = []
    for row in pick_split(list(records()), split, NAME):
        rows.append(
            {
                "id": row["id"],
                "image": {"bytes": image_bytes(row["id"]), "path": None},
                "label": map_label(row["label"], "mikels8", target),
                "label_set": target,
                "caption": row["caption"],
                "dataset": NAME,
            }
        )
    return build_dataset(rows, split, NAME)
