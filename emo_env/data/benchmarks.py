"""The benchmarks as users hold them locally: EmoSet, Emotion6, WebEmo and FI.

A benchmark source is written ``"<name>:<path>"`` (``"emoset:/data/EmoSet-118K"``);
the name fixes the dataset column, the default label set and the layout quirks below.
Every benchmark also accepts the generic layouts of :mod:`emo_env.data.sources`
(label folders, a JSONL/CSV manifest, parquet, a ``save_to_disk`` directory).

=========  ============  ==============================================================
name       label set     layout understood besides the generic ones
=========  ============  ==============================================================
emoset     mikels8       EmoSet-118K: ``train.json``/``val.json``/``test.json`` (lists
                         of ``[label, "image/<label>/<file>.jpg", annotation]``) next
                         to the ``image/`` folder
emotion6   emotion6      ``images/<label>/<n>.jpg``; the ``neutral`` folder is skipped
                         (the six-label benchmark); no official split: a stable 80/20
                         split by id
webemo     webemo25      folders or a manifest of the 25 fine labels (or 7 / 2 with
                         ``label_set=``); fine labels map to coarser sets
fi         mikels8       FI (Flickr & Instagram): ``<label>/<file>.jpg``, stable 80/20
=========  ============  ==============================================================
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from emo_env.data._common import DataError, hash_split
from rewards.errors import UnknownNameError

__all__ = ["BENCHMARKS", "Benchmark", "get_benchmark", "split_source"]


@dataclass(frozen=True)
class Benchmark:
    """How one benchmark is laid out and labelled."""

    name: str  # the ``dataset`` column
    label_set: str  # default label set
    label_sets: tuple[str, ...]  # label sets its native labels can be read as
    skip_labels: tuple[str, ...] = ()  # folders/labels not part of the benchmark
    image_subdir: str | None = None  # folder holding the label folders, if any


BENCHMARKS: dict[str, Benchmark] = {
    "emoset": Benchmark("EmoSet", "mikels8", ("mikels8",), image_subdir="image"),
    "emotion6": Benchmark(
        "Emotion6", "emotion6", ("emotion6",), skip_labels=("neutral",), image_subdir="images"
    ),
    "webemo": Benchmark("WebEmo", "webemo25", ("webemo25", "webemo7", "webemo2")),
    "fi": Benchmark("FI", "mikels8", ("mikels8",)),
}


def get_benchmark(name: str) -> Benchmark:
    """The benchmark called ``name`` (case-insensitive)."""
    key = name.lower()
    if key not in BENCHMARKS:
        raise UnknownNameError("benchmark", name, BENCHMARKS)
    return BENCHMARKS[key]


def split_source(source: str) -> tuple[Benchmark | None, str]:
    """``"emoset:/path"`` -> (EmoSet, "/path"); any other source -> (None, source)."""
    head, sep, rest = source.partition(":")
    if sep and head.lower() in BENCHMARKS and rest:
        return BENCHMARKS[head.lower()], rest
    looks_named = sep and head.isalpha() and len(head) > 1 and not rest.startswith("//")
    if looks_named and head.lower() not in ("hf", "hub"):
        raise UnknownNameError("benchmark", head, BENCHMARKS)
    return None, source


def emoset_rows(root: str) -> list[dict] | None:
    """Rows of EmoSet-118K's own split files, or None when the folder has none."""
    files = {s: os.path.join(root, f"{s}.json") for s in ("train", "val", "test")}
    if not any(os.path.isfile(p) for p in files.values()):
        return None
    rows = []
    for split, path in files.items():
        if not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8") as handle:
                entries = json.load(handle)
        except (OSError, ValueError) as err:
            raise DataError(f"Cannot read EmoSet split file {path!r}: {err}.") from err
        for i, entry in enumerate(entries):
            if not isinstance(entry, (list, tuple)) or len(entry) < 2:
                raise DataError(
                    f"{path!r} entry {i} is {entry!r}; EmoSet split files list "
                    "[label, image_path, annotation_path] triples."
                )
            label, image = entry[0], entry[1]
            rows.append(
                {
                    "id": os.path.splitext(os.path.basename(image))[0],
                    "path": os.path.join(root, image),
                    "label": label,
                    "caption": "",
                    "split": split,
                }
            )
    return rows


def default_split(sample_id: str) -> str:
    """The stable 80/20 train/test split used when a benchmark ships none."""
    return hash_split(sample_id, 0.2)
