"""The EmoSet subset the EMO-R3 authors train and validate on (about 2.1k + 2k images).

Their run (``examples/qwen2_5_vl_3b_emor3.sh`` of their repository) reads
``data.train_files=fuyyy74/EmoSet2k@train`` and ``data.val_files=fuyyy74/EmoSet2k@test``
from the Hugging Face Hub, with ``prompt_key: problem``, ``answer_key: answer`` and
``image_key: images`` (``examples/config.yaml``). Each row has:

==================  ====================================================================
``images``          a list holding the image (``datasets.Image``: bytes and file name)
``problem``         the question, with an ``<image>`` placeholder where the image goes
``answer``          the emotion, one of the eight Mikels labels of EmoSet
``course_grained``  the coarse label (read, not used), ``intensity`` likewise
==================  ====================================================================

Sources (``load_dataset("emoset-r3:<where>")``):

* ``"emoset-r3"``: the authors' hub dataset (online only);
* ``"emoset-r3:<org>/<name>"`` or ``"emoset-r3:hf:<org>/<name>"``: another hub copy;
* ``"emoset-r3:<folder>"``: a local copy: the hub repository as downloaded
  (``<folder>/data/<split>-*.parquet``), a folder of ``<split>-*.parquet`` files, or a
  ``save_to_disk`` folder; ``"emoset-r3:<file>.parquet"`` one split's file;
* ``"emoset-r3:<file>.jsonl"`` / ``.json`` (or a folder with ``<split>.jsonl``): the
  same fields with ``images`` as image paths, relative to the file's folder or
  ``image_root`` (EasyR1's local-file layout).

Rows become the loader's columns (``id`` from the image's file name, else
``<split>/<row>``) plus ``question``: ``problem`` without its ``<image>`` placeholder
(the environments show the image apart and ask this question).
"""

from __future__ import annotations

import json
import os
from typing import Any

from emo_env.data._common import DataError, build_dataset, check_images, map_label
from rewards.labels import get_label_set

__all__ = ["HUB_ID", "NAME", "load", "read_hub", "read_local"]

HUB_ID = "fuyyy74/EmoSet2k"
NAME = "EmoSet-R3"
SPLITS = ("train", "test")
NATIVE = "mikels8"
IMAGE_MARK = "<image>"


def _splits(split: str) -> tuple[str, ...]:
    if split == "all":
        return SPLITS
    if split not in SPLITS:
        raise DataError(
            f"The authors' EmoSet subset has the splits 'train' (about 2.1k images) and "
            f"'test' (2k); got split={split!r}. Use 'train', 'test' or 'all'."
        )
    return (split,)


def read_hub(repo_id: str, split: str, cache_dir: str | None = None) -> list[dict[str, Any]]:
    """Records of a hub copy (``repo_id``) or of a local repository folder, by split.

    Uses ``datasets.load_dataset`` (online for a hub id; a local folder needs no network).
    """
    from emo_env.data._common import require_datasets

    ds = require_datasets()
    offline = os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False")
    if offline and not os.path.isdir(repo_id):
        raise DataError(
            f"Cannot load the hub dataset {repo_id!r}: HF_HUB_OFFLINE is set. When online, "
            f"download it (`hf download {repo_id} --repo-type dataset --local-dir <folder>`) "
            "and pass 'emoset-r3:<folder>'."
        )
    records = []
    for part in _splits(split):
        try:
            table = ds.load_dataset(repo_id, split=part, cache_dir=cache_dir)
        except Exception as err:  # network, missing split, bad files: several types
            raise DataError(f"Cannot load split {part!r} of {repo_id!r}: {err}.") from err
        rows = table.with_format("arrow")[:].to_pylist()  # images stay undecoded
        records += [dict(r, split=part) for r in rows]
    return records


def _parquet_files(folder: str, split: str) -> dict[str, list[str]]:
    base = os.path.join(folder, "data") if os.path.isdir(os.path.join(folder, "data")) else folder
    names = sorted(n for n in os.listdir(base) if n.endswith(".parquet"))
    found = {p: [os.path.join(base, n) for n in names if n.startswith(p)] for p in _splits(split)}
    missing = [p for p, files in found.items() if not files]
    if missing:
        raise DataError(
            f"No {missing[0]!r} parquet files (<split>-*.parquet) in {base!r}; the hub copy "
            "of the authors' subset holds data/train-*.parquet and data/test-*.parquet."
        )
    return found


def _read_parquet(files: list[str], part: str) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    rows = []
    for path in files:
        try:
            rows += pq.read_table(path).to_pylist()
        except Exception as err:  # pyarrow raises several types for a broken file
            raise DataError(f"Cannot read parquet {path!r}: {err}.") from err
    return [dict(r, split=part) for r in rows]


def _read_json(path: str, part: str | None) -> list[dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as handle:
            if path.lower().endswith(".jsonl"):
                data = [json.loads(line) for line in handle if line.strip()]
            else:
                data = json.load(handle)
    except (OSError, ValueError) as err:
        raise DataError(f"Cannot read {path!r}: {err}.") from err
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise DataError(f"{path!r} must hold a list of records (objects).")
    return [dict(r, split=r.get("split") or part) for r in data]


def read_local(location: str, split: str, image_root: str | None) -> list[dict[str, Any]]:
    """Records of a local copy (see the module docs for the layouts)."""
    path = os.path.expanduser(location)
    lower = path.lower()
    if os.path.isfile(path) and lower.endswith(".parquet"):
        return _read_parquet([path], split)
    if os.path.isfile(path) and lower.endswith((".jsonl", ".json")):
        rows = _read_json(path, None if split == "all" else split)
        return _paths(rows, image_root or os.path.dirname(os.path.abspath(path)))
    if not os.path.isdir(path):
        raise DataError(
            f"EmoSet-R3 source not found: {location!r} is not a file or folder. Use "
            f"'emoset-r3' (the hub dataset {HUB_ID}, online) or 'emoset-r3:<local copy>'."
        )
    if any(
        os.path.isfile(os.path.join(path, n)) for n in ("dataset_info.json", "dataset_dict.json")
    ):
        return _read_disk(path, split)
    jsons = {p: os.path.join(path, f"{p}.jsonl") for p in _splits(split)}
    if all(os.path.isfile(f) for f in jsons.values()):
        rows = [r for p, f in jsons.items() for r in _read_json(f, p)]
        return _paths(rows, image_root or path)
    return [
        r for part, files in _parquet_files(path, split).items() for r in _read_parquet(files, part)
    ]


def _read_disk(path: str, split: str) -> list[dict[str, Any]]:
    from emo_env.data._common import require_datasets

    ds = require_datasets()
    try:
        loaded = ds.load_from_disk(path)
    except Exception as err:
        raise DataError(f"Cannot load the datasets folder {path!r}: {err}.") from err
    if not isinstance(loaded, ds.DatasetDict):
        loaded = {split if split != "all" else "train": loaded}
    rows = []
    for part in _splits(split):
        if part not in loaded:
            raise DataError(f"{path!r} has no {part!r} split; it has {', '.join(loaded)}.")
        rows += [dict(r, split=part) for r in loaded[part].with_format("arrow")[:].to_pylist()]
    return rows


def _paths(rows: list[dict[str, Any]], root: str) -> list[dict[str, Any]]:
    for row in rows:
        images = row.get("images")
        if isinstance(images, list):
            row["images"] = [
                os.path.join(root, i) if isinstance(i, str) and not os.path.isabs(i) else i
                for i in images
            ]
    return rows


def _image(row: dict[str, Any], where: str) -> Any:
    images = row.get("images")
    if isinstance(images, (str, dict)):
        images = [images]
    if not isinstance(images, list) or len(images) != 1:
        count = len(images) if isinstance(images, list) else 0
        raise DataError(f"{where}: 'images' must hold exactly one image; it holds {count}.")
    image = images[0]
    if isinstance(image, str):
        return image
    if isinstance(image, dict) and (image.get("bytes") or image.get("path")):
        if image.get("bytes"):
            return {"bytes": image["bytes"], "path": image.get("path")}
        return image["path"]
    raise DataError(f"{where}: unreadable image entry {str(image)[:80]!r}.")


def _stem(image: Any) -> str | None:
    path = image if isinstance(image, str) else image.get("path")
    return os.path.splitext(os.path.basename(path))[0] if path else None


def load(
    source: str,
    split: str,
    label_set: str | None,
    image_root: str | None,
    *,
    verify_images: bool = True,
):
    """The authors' EmoSet subset as a ``datasets.Dataset`` (loader columns + ``question``)."""
    _, _, where = source.partition(":")
    if not isinstance(split, str):
        raise DataError(f"split must be a str such as 'train' or 'test'; got {split!r}.")
    if (
        not where
        or where.startswith(("hf:", "hub:"))
        or (where.count("/") == 1 and not os.path.exists(os.path.expanduser(where)))
    ):
        records = read_hub(where.split(":", 1)[1] if ":" in where else (where or HUB_ID), split)
    else:
        records = read_local(where, split, image_root)
    if split != "all":  # a single file is read as the asked split
        records = [r for r in records if r["split"] in (split, None)]
    target = get_label_set(label_set or NATIVE).id
    images = [_image(r, f"{source!r} row {i} ({r.get('split')})") for i, r in enumerate(records)]
    stems = [_stem(i) for i in images]
    use_stems = all(stems) and len(set(stems)) == len(stems)
    rows, questions = [], []
    for i, (record, image) in enumerate(zip(records, images, strict=True)):
        if "answer" not in record or "problem" not in record:
            raise DataError(
                f"{source!r} row {i} needs 'images', 'problem' and 'answer' (the authors' "
                f"fields); it has {sorted(record)}."
            )
        part = record["split"] or (split if split != "all" else "train")
        rows.append(
            {
                "id": str(record.get("id") or (stems[i] if use_stems else f"{part}/{i:05d}")),
                "image": {"path": image, "bytes": None} if isinstance(image, str) else image,
                "label": map_label(record["answer"], NATIVE, target),
                "label_set": target,
                "caption": "",
                "dataset": NAME,
            }
        )
        questions.append(str(record["problem"] or "").replace(IMAGE_MARK, "").strip())
    check_images(
        [r["image"]["path"] if r["image"]["bytes"] is None else r["image"] for r in rows],
        verify_images,
    )
    dataset = build_dataset(rows, split, source)
    return dataset.add_column("question", questions)
