"""Datasets for the environments and trainers: benchmarks held locally, an embedded
default, and the caption benchmark for text-only policies.

Every loader returns a ``datasets.Dataset`` with the columns ``id`` (unique, stable),
``image`` (``datasets.Image()``, decoded to PIL; None in every row of a text-only
dataset such as ``"captions"``), ``label`` (a label name of ``label_set``),
``label_set``, ``caption`` ("" when none) and ``dataset``.

Example:
    >>> from emo_env.data import get_sample, load_dataset
    >>> ds = load_dataset("embedded", split="test")
    >>> sorted(ds.column_names)
    ['caption', 'dataset', 'id', 'image', 'label', 'label_set']
    >>> get_sample(ds, "embedded/rocket")["label"]
    'awe'
"""

from __future__ import annotations

import os
from typing import Any

from emo_env.data._common import (
    COLUMNS,
    DataError,
    build_dataset,
    check_images,
    infer_label_set,
    map_label,
    pick_split,
)
from emo_env.data.benchmarks import BENCHMARKS, Benchmark, emoset_rows, split_source
from rewards.errors import InvalidInputError, UnknownNameError
from rewards.labels import get_label_set

__all__ = [
    "BENCHMARKS",
    "COLUMNS",
    "DataError",
    "get_sample",
    "load_dataset",
    "map_label",
    "sample_index",
]

_MANIFEST_SUFFIXES = (".jsonl", ".json", ".csv")


def load_dataset(
    source: str = "embedded",
    split: str = "train",
    label_set: str | None = None,
    image_root: str | None = None,
    *,
    verify_images: bool = True,
):
    """Load a dataset as a ``datasets.Dataset`` with the columns of :data:`COLUMNS`.

    Args:
        source: ``"embedded"`` (the demo set); ``"captions"`` (the text-only caption
            benchmark, no images); ``"<benchmark>:<path>"`` with benchmark
            ``emoset``, ``emotion6``, ``webemo`` or ``fi``; ``"emoset-r3"`` (the
            authors' EmoSet training subset, online) or ``"emoset-r3:<local copy>"``
            (see :mod:`emo_env.data.emoset_r3`); a folder of per-label
            sub-folders (optionally under ``train/``, ``val/``, ``test/``); a JSONL, JSON
            or CSV manifest; a parquet file or folder; a ``save_to_disk`` folder; or
            ``"hf:<org>/<name>"`` for a hub dataset when online.
        split: ``"train"``, ``"val"``, ``"test"`` or ``"all"``. Sources without a split
            get a stable 80/20 train/test split by sample id.
        label_set: label set of the returned labels (default: the benchmark's, else the
            first set naming every label); coarser sets are reached by the label
            hierarchy or polarity (e.g. ``"sentiment2"``).
        image_root: folder that relative image paths of a manifest are resolved against
            (default: the manifest's folder).
        verify_images: open every image header at load time (off: only check existence).

    Raises:
        DataError: missing file, unreadable image, empty split, repeated ids.
        UnknownNameError: an unknown benchmark, label set or label (closest name given).
    """
    if not isinstance(source, str) or not source:
        raise InvalidInputError(f"source must be a non-empty str; got {source!r}.")
    if label_set is not None:
        label_set = get_label_set(label_set).id
    if source == "embedded":
        from emo_env.data import embedded

        return embedded.load(split, label_set)
    if source == "captions":
        from emo_env.data import captions

        return captions.load(split, label_set)
    if source == "emoset-r3" or source.startswith("emoset-r3:"):
        from emo_env.data import emoset_r3

        return emoset_r3.load(source, split, label_set, image_root, verify_images=verify_images)
    bench, location = split_source(source)
    rows, name = _read(location, split, image_root, bench)
    rows = pick_split(rows, split, source)
    candidates = bench.label_sets if bench else None
    stored = {r.get("label_set") for r in rows}
    if len(stored) == 1 and None not in stored:  # data saved from load_dataset keeps its set
        native = get_label_set(stored.pop()).id
    else:
        labels = [r["label"] for r in rows]
        native = infer_label_set(labels, *([candidates] if candidates else []))
    target = label_set or native
    check_images([r["path"] if "path" in r else r.get("image") for r in rows], verify_images)
    text_only = _text_only(rows)
    out = []
    for row in rows:
        image = row.get("image") if "path" not in row else {"path": row["path"], "bytes": None}
        if image is None and not text_only:
            raise DataError(
                f"Sample {row['id']!r} of {source!r} has no image (only a dataset whose rows "
                "all lack an image and all have a caption loads as text-only)."
            )
        out.append(
            {
                "id": row["id"],
                "image": image,
                "label": map_label(row["label"], native, target),
                "label_set": target,
                "caption": row["caption"],
                "dataset": name,
            }
        )
    return build_dataset(out, split, source)


def _read(location: str, split: str, image_root: str | None, bench: Benchmark | None):
    skip = bench.skip_labels if bench else ()
    name = bench.name if bench else None
    if location.startswith(("hf:", "hub:")):
        from emo_env.data.sources import read_hub

        repo = location.split(":", 1)[1]
        return read_hub(repo, split), name or repo
    from emo_env.data import sources

    path = os.path.expanduser(location)
    default_name = name or os.path.splitext(os.path.basename(os.path.normpath(path)))[0]
    if os.path.isfile(path):
        lower = path.lower()
        if lower.endswith(".parquet"):
            return sources.read_parquet(path, split), default_name
        if lower.endswith(_MANIFEST_SUFFIXES):
            rows = sources.read_manifest(path, image_root)
            return _drop(rows, skip), default_name
        raise DataError(
            f"Cannot tell how to read {path!r}: use a .jsonl/.json/.csv manifest, a .parquet "
            "file, a folder of per-label sub-folders, or a save_to_disk folder."
        )
    if not os.path.isdir(path):
        raise DataError(
            f"Dataset source not found: {location!r} is neither 'embedded', an existing file "
            "or folder, nor 'hf:<org>/<name>'."
        )
    if os.path.isfile(os.path.join(path, "dataset_info.json")) or os.path.isfile(
        os.path.join(path, "dataset_dict.json")
    ):
        return sources.read_disk(path, split), default_name
    if bench is not None and bench.name == "EmoSet":
        rows = emoset_rows(path)
        if rows is not None:
            return rows, name
    if any(n.endswith(".parquet") for n in os.listdir(path)):
        return sources.read_parquet(path, split), default_name
    manifests = [n for n in os.listdir(path) if n.lower() in ("manifest.jsonl", "manifest.csv")]
    if manifests:
        rows = sources.read_manifest(os.path.join(path, manifests[0]), image_root)
        return _drop(rows, skip), default_name
    if bench is not None and bench.image_subdir:
        sub = os.path.join(path, bench.image_subdir)
        if os.path.isdir(sub):
            path = sub
    return sources.read_folder(path, skip), default_name


def _text_only(rows: list[dict[str, Any]]) -> bool:
    """Whether every row lacks an image and has a caption (a saved text-only dataset)."""
    return all(
        "path" not in r and r.get("image") is None and str(r.get("caption") or "").strip()
        for r in rows
    )


def _drop(rows: list[dict[str, Any]], skip: tuple[str, ...]) -> list[dict[str, Any]]:
    return [r for r in rows if str(r["label"]).strip().lower() not in skip]


def sample_index(dataset: Any) -> dict[str, int]:
    """``{sample id: row}`` of a dataset (cached on the dataset's fingerprint)."""
    key = getattr(dataset, "_fingerprint", None) or id(dataset)
    cached = _INDEX.get(key)
    if cached is None:
        ids = dataset["id"]
        cached = {sample_id: i for i, sample_id in enumerate(ids)}
        if len(_INDEX) > 32:
            _INDEX.clear()
        _INDEX[key] = cached
    return cached


_INDEX: dict[Any, dict[str, int]] = {}


def get_sample(dataset: Any, sample_id: str) -> dict[str, Any]:
    """The row (``image`` decoded to PIL) of the sample with id ``sample_id``.

    Raises:
        UnknownNameError: no sample has that id (the closest id is suggested).
    """
    index = sample_index(dataset)
    if sample_id not in index:
        raise UnknownSampleError(sample_id, index)
    return dataset[index[sample_id]]


class UnknownSampleError(UnknownNameError):
    """No sample of the dataset has this id; the message suggests the closest id."""

    def __init__(self, sample_id: object, index: dict[str, int]):
        import difflib

        near = difflib.get_close_matches(str(sample_id), list(index), n=3, cutoff=0.5)
        super().__init__("sample id", sample_id, near)
        hint = f" Did you mean {near[0]!r}?" if near else ""
        self.message = f"No sample has id {sample_id!r} ({len(index)} samples).{hint}"
        self.args = (self.message,)
