"""The caption benchmark: hand-written scene descriptions for text-only policies.

A TEXT PROXY for the paper's image benchmarks, written for this project: 464 short
descriptions of what a photograph would show (one or two sentences, at most 40 words),
58 per Mikels label, each written with one intended emotion. No caption names its
label or any emotion (not even through a synonym), so a policy has to reason from the
scene. The labels are the author's intended emotions, not votes of annotators.

Splits are fixed in ``captions.jsonl``: ``test`` (15 per label, 120 in all) and
``train`` (43 per label, 344). Ids look like ``captions/fear/017``. There are no
images: the ``image`` column is None in every row.

Example:
    >>> from emo_env.data import captions
    >>> ds = captions.load("test")
    >>> len(ds), ds[0]["image"] is None
    (120, True)
    >>> sorted(set(ds["label"])) == sorted(captions.LABELS)
    True
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from emo_env.data._common import DataError, build_dataset, map_label, pick_split
from rewards.labels import get_label_set

__all__ = ["LABELS", "MANIFEST", "NAME", "load", "records"]

NAME = "captions"
MANIFEST = Path(__file__).with_name("captions.jsonl")
LABELS = get_label_set("mikels8").names
_FIELDS = ("id", "split", "label", "caption")


@lru_cache(maxsize=1)
def records() -> tuple[dict[str, Any], ...]:
    """The rows of ``captions.jsonl``: ``id``, ``split``, ``label`` (mikels8), ``caption``."""
    rows = []
    try:
        with MANIFEST.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                row = json.loads(line)
                if not isinstance(row, dict) or any(key not in row for key in _FIELDS):
                    raise DataError(
                        f"{MANIFEST} line {number} needs the fields {list(_FIELDS)}; "
                        "reinstall emo-r3."
                    )
                rows.append(row)
    except (OSError, ValueError) as err:
        raise DataError(f"Cannot read the caption benchmark {MANIFEST}: {err}.") from err
    return tuple(rows)


@lru_cache(maxsize=16)
def load(split: str = "train", label_set: str | None = None):
    """The caption benchmark as a ``datasets.Dataset`` (see :func:`emo_env.data.load_dataset`).

    Args:
        split: ``"train"``, ``"test"`` or ``"all"``.
        label_set: map the Mikels labels onto another set (e.g. ``"sentiment2"``).

    Returns:
        Rows with ``id``, ``image`` (None), ``label``, ``label_set``, ``caption`` and
        ``dataset`` (``"captions"``).
    """
    target = label_set or "mikels8"
    rows = [
        {
            "id": row["id"],
            "image": None,
            "label": map_label(row["label"], "mikels8", target),
            "label_set": target,
            "caption": row["caption"],
            "dataset": NAME,
        }
        for row in pick_split(list(records()), split, NAME)
    ]
    return build_dataset(rows, split, NAME)
