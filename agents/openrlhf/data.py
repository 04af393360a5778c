"""Write an emo_env dataset as an OpenRLHF prompt dataset (JSONL + image files).

Each line holds ``prompt`` (``--data.input_key``), ``label`` (``--data.label_key``, a
JSON label field of :mod:`agents.common.labels` naming the sample by ``sample_id``, on
which the agent resets its environment) and, for vision policies, ``images``
(``--data.image_key``, a one-path list). Vision prompts start with OpenRLHF's
``<image>`` tag, which its prompt dataset turns into an image slot of the chat
template (as the authors' data puts ``<image>`` before the question); text-only prompts
carry the caption instead. A dataset with its own ``question`` column (``emoset-r3``)
is asked that question. Image paths in labels are
relative to ``<out_dir>/images``: serve rewards with ``--image-root <out_dir>/images``.

Example:
    >>> import tempfile, json
    >>> from agents.openrlhf.data import write_prompt_dataset
    >>> path = write_prompt_dataset(tempfile.mkdtemp(), split="test", vision=False)
    >>> row = json.loads(path.read_text().splitlines()[0])
    >>> sorted(row), row["prompt"].startswith("Image description:")
    (['label', 'prompt'], True)
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from tqdm import tqdm

from agents.common.labels import encode_label
from rewards.errors import InvalidInputError, MissingDependencyError
from rewards.prompts import build_prompt

__all__ = ["write_prompt_dataset"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def write_prompt_dataset(
    out_dir: str | os.PathLike,
    source: str = "embedded",
    split: str = "train",
    *,
    vision: bool = True,
    template: str = "set",
    label_set: str | None = None,
) -> Path:
    """Write ``<out_dir>/prompts_<split>.jsonl`` (and images) and return its path.

    Args:
        out_dir: output folder (created).
        source: an ``emo_env.data.load_dataset`` source.
        split: the split to write.
        vision: image prompts for VLM policies; False = caption-conditioned text.
        template: ``"set"`` (Structured Emotional Thinking), ``"reference"`` (the
            authors' template, byte for byte) or ``"think"``.
        label_set: label set to map labels onto (default: the dataset's).
    """
    try:
        from emo_env.data import load_dataset
    except ImportError as err:
        raise MissingDependencyError("emo_env data", "env", "prompt datasets") from err
    rows = load_dataset(source, split=split, label_set=label_set)
    out = Path(out_dir)
    image_dir = out / "images"
    image_dir.mkdir(parents=True, exist_ok=True)
    path = out / f"prompts_{split}.jsonl"
    with path.open("w") as fh:
        for row in tqdm(rows, desc=f"writing {path.name}", disable=len(rows) < 200):
            caption = row["caption"] or None
            asked = row.get("question") or None  # the dataset's own question (emoset-r3)
            sid = str(row["id"])  # the agent resets its environment on this sample
            record: dict = {}
            if vision:
                if row["image"] is None:
                    raise InvalidInputError(
                        f"Sample {row['id']!r} of {source!r} has no image (text-only data such "
                        "as 'captions'): write it with vision=False for a text policy."
                    )
                name = _UNSAFE.sub("_", str(row["id"])) + ".png"
                row["image"].convert("RGB").save(image_dir / name)
                prompt = build_prompt(row["label_set"], template, question_text=asked)
                record["prompt"] = "<image>" + prompt
                record["images"] = [str((image_dir / name).resolve())]
                label = encode_label(
                    row["label"], row["label_set"], image=name, sample_id=sid, caption=caption
                )
            else:
                record["prompt"] = build_prompt(row["label_set"], template, caption, asked)
                label = encode_label(row["label"], row["label_set"], sample_id=sid, caption=caption)
            record["label"] = label
            fh.write(json.dumps(record) + "\n")
    return path
