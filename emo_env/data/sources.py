"""Read raw rows from each kind of source: label folders, manifests, parquet, disk, hub.

Each reader returns rows ``{"id", "path" | "image", "label", "caption", "split"}`` with
the raw label; :func:`emo_env.data.load_dataset` maps labels and builds the Dataset.

Layouts:
    folder      ``root/<label>/<image>`` or ``root/<split>/<label>/<image>``
    manifest    ``.jsonl`` / ``.json`` / ``.csv`` with an image path (``image``,
                ``image_path``, ``path``, ``file``), a ``label`` (or ``emotion``), and
                optionally ``caption``, ``id``, ``split``; relative paths are resolved
                against ``image_root`` or the manifest's folder
    parquet     a ``.parquet`` file, or a folder of them (``<split>*.parquet`` picked)
    disk        a ``datasets`` ``save_to_disk`` folder (Dataset or DatasetDict)
    hub         ``"hf:<org>/<name>"`` (needs network; ``HF_HUB_OFFLINE`` must be unset)
"""

from __future__ import annotations

import csv
import json
import os
from typing import Any

from emo_env.data._common import IMAGE_SUFFIXES, SPLITS, DataError, hash_split, require_datasets

__all__ = ["read_disk", "read_folder", "read_hub", "read_manifest", "read_parquet"]

IMAGE_KEYS = ("image", "image_path", "path", "file", "filename", "img", "images")
LABEL_KEYS = ("label", "emotion", "labels", "category", "class")
CAPTION_KEYS = ("caption", "text", "description")


def _first(record: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    return next((k for k in keys if k in record and record[k] is not None), None)


def _stem_id(root: str, path: str) -> str:
    return os.path.splitext(os.path.relpath(path, root))[0].replace(os.sep, "/")


def _label_folders(root: str, skip: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for label in sorted(os.listdir(root)):
        folder = os.path.join(root, label)
        if os.path.isdir(folder) and not label.startswith(".") and label.lower() not in skip:
            out.append((label, folder))
    return out


def _images_in(folder: str) -> list[str]:
    names = sorted(n for n in os.listdir(folder) if n.lower().endswith(IMAGE_SUFFIXES))
    return [os.path.join(folder, n) for n in names]


def read_folder(root: str, skip: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Rows of ``root/<label>/*`` or ``root/<split>/<label>/*`` (split folders win)."""
    split_dirs = [s for s in SPLITS if os.path.isdir(os.path.join(root, s))]
    layers = [(s, os.path.join(root, s)) for s in split_dirs] or [(None, root)]
    rows = []
    for split, base in layers:
        for label, folder in _label_folders(base, skip):
            for path in _images_in(folder):
                sample_id = _stem_id(root, path)
                rows.append(
                    {
                        "id": sample_id,
                        "path": path,
                        "label": label,
                        "caption": "",
                        "split": split or hash_split(sample_id),
                    }
                )
    if not rows:
        raise DataError(
            f"No images found under {root!r}: expected one sub-folder per label holding "
            f"image files ({', '.join(IMAGE_SUFFIXES)})."
        )
    return rows


def _load_records(path: str) -> list[dict[str, Any]]:
    lower = path.lower()
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            if lower.endswith(".csv"):
                return list(csv.DictReader(handle))
            if lower.endswith(".jsonl"):
                return [json.loads(line) for line in handle if line.strip()]
            data = json.load(handle)
    except (OSError, ValueError) as err:
        raise DataError(f"Cannot read manifest {path!r}: {err}.") from err
    if isinstance(data, dict):
        data = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(data, list):
        raise DataError(f"Manifest {path!r} must hold a list of records.")
    return data


def read_manifest(path: str, image_root: str | None = None) -> list[dict[str, Any]]:
    """Rows of a JSONL / JSON / CSV manifest (see the module docs for the columns)."""
    root = image_root or os.path.dirname(os.path.abspath(path))
    rows = []
    for i, record in enumerate(_load_records(path)):
        if not isinstance(record, dict):
            raise DataError(f"Manifest {path!r} record {i} is not an object: {record!r}.")
        image_key, label_key = _first(record, IMAGE_KEYS), _first(record, LABEL_KEYS)
        if image_key is None or label_key is None:
            raise DataError(
                f"Manifest {path!r} record {i} needs an image path ({' / '.join(IMAGE_KEYS)}) "
                f"and a label ({' / '.join(LABEL_KEYS)}); it has {sorted(record)}."
            )
        image = str(record[image_key])
        full = image if os.path.isabs(image) else os.path.join(root, image)
        sample_id = str(record.get("id") or os.path.splitext(image)[0].replace(os.sep, "/"))
        caption_key = _first(record, CAPTION_KEYS)
        label = record[label_key]
        if isinstance(label, str) and label.strip().lstrip("-").isdigit():
            label = int(label)
        rows.append(
            {
                "id": sample_id,
                "path": full,
                "label": label,
                "caption": str(record[caption_key]) if caption_key else "",
                "split": str(record.get("split") or hash_split(sample_id)),
            }
        )
    if not rows:
        raise DataError(f"Manifest {path!r} holds no records.")
    return rows


def _label_names(feature: Any) -> list[str] | None:
    return list(feature.names) if hasattr(feature, "names") else None


def _rows_from_table(table: Any, split: str | None, where: str) -> list[dict[str, Any]]:
    """Rows of a ``datasets.Dataset`` whose columns follow the manifest names."""
    columns = set(table.column_names)
    image_key = next((k for k in IMAGE_KEYS if k in columns), None)
    label_key = next((k for k in LABEL_KEYS if k in columns), None)
    if image_key is None or label_key is None:
        raise DataError(
            f"{where} needs an image column ({' / '.join(IMAGE_KEYS)}) and a label column "
            f"({' / '.join(LABEL_KEYS)}); it has {sorted(columns)}."
        )
    ds = require_datasets()
    feature = table.features[image_key]
    if isinstance(feature, ds.Image):
        table = table.cast_column(image_key, ds.Image(decode=False))
    names = _label_names(table.features[label_key])
    caption_key = next((k for k in CAPTION_KEYS if k in columns), None)
    rows = []
    for i, record in enumerate(table):
        image = record[image_key]
        label = record[label_key]
        if names is not None and isinstance(label, int):
            label = names[label]
        sample_id = str(record["id"]) if "id" in columns else f"{i:06d}"
        entry = {
            "id": sample_id,
            "label": label,
            "caption": str(record[caption_key] or "") if caption_key else "",
            "split": str(record.get("split") or split or hash_split(sample_id)),
        }
        if "label_set" in columns and record["label_set"]:
            entry["label_set"] = record["label_set"]  # data saved by load_dataset
        if isinstance(image, str):
            entry["path"] = image
        elif isinstance(image, dict) and (image.get("bytes") or image.get("path")):
            entry["image"] = {"bytes": image.get("bytes"), "path": image.get("path")}
        else:
            entry["image"] = image
        rows.append(entry)
    return rows


def read_parquet(path: str, split: str) -> list[dict[str, Any]]:
    """Rows of a parquet file, or of the ``<split>*.parquet`` files of a folder."""
    ds = require_datasets()
    if os.path.isdir(path):
        files = sorted(
            os.path.join(path, n)
            for n in os.listdir(path)
            if n.endswith(".parquet") and (split == "all" or n.startswith(split))
        )
        if not files:
            raise DataError(f"No {split!r} parquet files (<split>*.parquet) in {path!r}.")
        tag = None if split == "all" else split
    else:
        files, tag = [path], None
    try:
        table = ds.Dataset.from_parquet(files)
    except Exception as err:  # pyarrow raises several types for a broken file
        raise DataError(f"Cannot read parquet {files[0]!r}: {err}.") from err
    return _rows_from_table(table, tag, f"Parquet {path!r}")


def read_disk(path: str, split: str) -> list[dict[str, Any]]:
    """Rows of a ``datasets.save_to_disk`` folder (a Dataset or a DatasetDict)."""
    ds = require_datasets()
    try:
        loaded = ds.load_from_disk(path)
    except Exception as err:
        raise DataError(f"Cannot load the datasets folder {path!r}: {err}.") from err
    if isinstance(loaded, ds.DatasetDict):
        parts = list(loaded) if split == "all" else [split]
        missing = [p for p in parts if p not in loaded]
        if missing:
            raise DataError(
                f"Split {split!r} of {path!r} is empty. Splits present: {', '.join(loaded)}."
            )
        rows = []
        for part in parts:
            rows += _rows_from_table(loaded[part], part, f"Dataset {path!r}")
        return rows
    return _rows_from_table(loaded, None, f"Dataset {path!r}")


def read_hub(repo_id: str, split: str) -> list[dict[str, Any]]:
    """Rows of a Hugging Face Hub dataset (online only)."""
    ds = require_datasets()
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False"):
        raise DataError(
            f"Cannot load the hub dataset {repo_id!r}: HF_HUB_OFFLINE is set. Download it "
            "when online, save_to_disk() it, and pass that folder instead."
        )
    try:
        table = ds.load_dataset(repo_id, split=None if split == "all" else split)
    except Exception as err:
        raise DataError(f"Cannot load the hub dataset {repo_id!r}: {err}.") from err
    if isinstance(table, ds.DatasetDict):
        rows = []
        for part, sub in table.items():
            rows += _rows_from_table(sub, part, f"Hub dataset {repo_id!r}")
        return rows
    return _rows_from_table(table, split, f"Hub dataset {repo_id!r}")
