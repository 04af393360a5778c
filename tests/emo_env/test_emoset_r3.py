"""The authors' EmoSet subset loader, on small copies built here in the published layouts."""

from __future__ import annotations

import io
import json
from pathlib import Path

import datasets
import gymnasium as gym
import numpy as np
import pytest
from PIL import Image

import emo_env  # noqa: F401 - registers the ids
from emo_env.data import DataError, load_dataset
from emo_env.data.emoset_r3 import HUB_ID, read_hub, read_local
from rewards.prompts import build_prompt, render_reference

# (file name, answer as published, problem); the hub copy's columns, one image a row
ROWS = {
    "train": [
        ("amusement_00001.jpg", "amusement", "<image>Which emotion does this image evoke?"),
        ("fear_00002.jpg", "Fear", "<image>What emotion? Choose one."),
        ("awe_00003.jpg", "awe", " <image>\nWhich emotion does this image evoke? "),
    ],
    "test": [
        ("sadness_00004.jpg", "sadness", "<image>Which emotion does this image evoke?"),
        ("anger_00005.jpg", "anger", "<image>Which emotion does this image evoke?"),
    ],
}
FEATURES = datasets.Features(
    {
        "images": datasets.List(datasets.Image()),
        "problem": datasets.Value("string"),
        "course_grained": datasets.Value("string"),
        "intensity": datasets.Value("string"),
        "answer": datasets.Value("string"),
    }
)


def jpeg(value: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.full((20, 30, 3), value, dtype=np.uint8)).save(buffer, "JPEG")
    return buffer.getvalue()


def split_dataset(part: str) -> datasets.Dataset:
    rows = ROWS[part]
    return datasets.Dataset.from_dict(
        {
            "images": [
                [{"bytes": jpeg(10 * i), "path": name}] for i, (name, _, _) in enumerate(rows)
            ],
            "problem": [problem for _, _, problem in rows],
            "course_grained": ["positive"] * len(rows),
            "intensity": ["high"] * len(rows),
            "answer": [answer for _, answer, _ in rows],
        },
        features=FEATURES,
    )


@pytest.fixture(scope="module")
def hub_copy(tmp_path_factory) -> Path:
    """The hub repository as downloaded: data/<split>-00000-of-00001.parquet."""
    root = tmp_path_factory.mktemp("EmoSet2k")
    for part in ROWS:
        split_dataset(part).to_parquet(str(root / "data" / f"{part}-00000-of-00001.parquet"))
    (root / "README.md").write_text("---\nlicense: unknown\n---\n")
    return root


def test_hub_layout_loads_with_ids_labels_questions(hub_copy):
    train = load_dataset(f"emoset-r3:{hub_copy}", "train")
    assert train["id"] == ["amusement_00001", "fear_00002", "awe_00003"]
    assert train["label"] == ["amusement", "fear", "awe"] and set(train["label_set"]) == {"mikels8"}
    assert train["question"] == [
        "Which emotion does this image evoke?",
        "What emotion? Choose one.",
        "Which emotion does this image evoke?",
    ]
    assert set(train["dataset"]) == {"EmoSet-R3"} and set(train["caption"]) == {""}
    assert train[1]["image"].size == (30, 20)
    both = load_dataset(f"emoset-r3:{hub_copy}", "all")
    assert len(both) == 5 and both["id"][3:] == ["sadness_00004", "anger_00005"]
    coarse = load_dataset(f"emoset-r3:{hub_copy}", "test", label_set="sentiment2")
    assert coarse["label"] == ["negative", "negative"]


def test_the_hub_reader_on_the_local_repository(hub_copy, tmp_path):
    # datasets.load_dataset, as for the hub id; a local repository folder needs no network
    records = read_hub(str(hub_copy), "all", cache_dir=str(tmp_path / "cache"))
    assert records == read_local(str(hub_copy), "all", None)
    assert [r["split"] for r in records] == ["train"] * 3 + ["test"] * 2


def test_save_to_disk_json_and_single_file_layouts(hub_copy, tmp_path):
    expected = load_dataset(f"emoset-r3:{hub_copy}", "all")
    disk = tmp_path / "disk"
    datasets.DatasetDict({p: split_dataset(p) for p in ROWS}).save_to_disk(str(disk))
    assert load_dataset(f"emoset-r3:{disk}", "all")["id"] == expected["id"]
    folder = tmp_path / "jsonl"
    for part, rows in ROWS.items():
        lines = []
        for i, (name, answer, problem) in enumerate(rows):
            (folder / "images").mkdir(parents=True, exist_ok=True)
            (folder / "images" / name).write_bytes(jpeg(10 * i))
            lines.append(
                json.dumps({"images": [f"images/{name}"], "problem": problem, "answer": answer})
            )
        (folder / f"{part}.jsonl").write_text("\n".join(lines) + "\n")
    from_json = load_dataset(f"emoset-r3:{folder}", "all")
    assert from_json["id"] == expected["id"] and from_json["label"] == expected["label"]
    assert from_json["question"] == expected["question"]
    single = load_dataset(f"emoset-r3:{folder / 'test.jsonl'}", "test")
    assert single["id"] == ["sadness_00004", "anger_00005"]
    parquet = hub_copy / "data" / "train-00000-of-00001.parquet"
    assert load_dataset(f"emoset-r3:{parquet}", "train")["id"] == expected["id"][:3]


def test_the_environment_asks_the_datasets_question_in_the_reference_template(hub_copy):
    env = gym.make("EmoReason-v0", dataset=f"emoset-r3:{hub_copy}", rubric="emo_r3_reference")
    obs, info = env.reset(options={"sample_id": "fear_00002"})
    assert obs["prompt"] == render_reference("What emotion? Choose one.")
    assert obs["prompt"] == build_prompt(
        "mikels8", "reference", question_text="What emotion? Choose one."
    )
    _, reward, *_ = env.step("<step1>a</step1><step2>b</step2><step3>c</step3>\\boxed{fear}")
    assert info["label"] == "fear" and reward == pytest.approx(1.1)


def test_errors(hub_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(DataError, match=rf"{HUB_ID}.*HF_HUB_OFFLINE.*hf download"):
        load_dataset("emoset-r3", "train")
    with pytest.raises(DataError, match=r"'train' .* and 'test'"):
        load_dataset(f"emoset-r3:{hub_copy}", "val")
    with pytest.raises(DataError, match="not a file or folder"):
        load_dataset(f"emoset-r3:{tmp_path / 'missing'}", "train")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"images": [], "problem": "q", "answer": "awe"}) + "\n")
    with pytest.raises(DataError, match="exactly one image; it holds 0"):
        load_dataset(f"emoset-r3:{bad}", "train")
    (tmp_path / "x.jpg").write_bytes(jpeg(1))
    bad.write_text(json.dumps({"images": ["x.jpg"], "problem": "q"}) + "\n")
    with pytest.raises(DataError, match="needs 'images', 'problem' and 'answer'"):
        load_dataset(f"emoset-r3:{bad}", "train")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="No 'train' parquet files"):
        load_dataset(f"emoset-r3:{empty}", "train")
