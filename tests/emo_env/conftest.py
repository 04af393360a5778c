"""Fixtures of the emo_env tests: tiny image datasets built in a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


def write_image(path: Path, value: int = 0, size: tuple[int, int] = (12, 10)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    array = np.full((size[1], size[0], 3), value % 256, dtype=np.uint8)
    array[0, 0] = (255, 0, 0)
    Image.fromarray(array).save(path)
    return path


@pytest.fixture
def label_folder(tmp_path: Path) -> Path:
    """``root/<label>/<n>.png`` for three Emotion6 labels plus a ``neutral`` folder."""
    root = tmp_path / "folder"
    for k, label in enumerate(("anger", "joy", "sadness", "neutral")):
        for n in range(4):
            write_image(root / label / f"{n}.png", 40 * k + n)
    return root


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    """A JSONL manifest with relative paths, captions, ids and splits (Mikels labels)."""
    rows = []
    for n, label in enumerate(("awe", "Fear", "sad", "contentment", "awe", "anger")):
        write_image(tmp_path / "imgs" / f"{n}.png", n)
        rows.append(
            {
                "image": f"imgs/{n}.png",
                "label": label,
                "caption": f"picture {n}",
                "id": f"m{n}",
                "split": "test" if n % 3 == 0 else "train",
            }
        )
    path = tmp_path / "data.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path
