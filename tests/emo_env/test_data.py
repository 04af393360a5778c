"""Dataset loaders: the embedded set, every source kind, benchmark layouts, clear errors."""

from __future__ import annotations

import json

import datasets
import pytest
from conftest import write_image
from PIL import Image

from emo_env.data import DataError, get_sample, load_dataset, map_label
from emo_env.data import embedded as emb
from emo_env.data.benchmarks import BENCHMARKS
from rewards.errors import InvalidInputError, UnknownNameError

COLUMNS = ["id", "image", "label", "label_set", "caption", "dataset"]


def test_embedded_columns_splits_and_labels():
    train, test = load_dataset("embedded", "train"), load_dataset("embedded", "test")
    assert train.column_names == COLUMNS and test.column_names == COLUMNS
    assert isinstance(train.features["image"], datasets.Image)
    assert (len(train), len(test)) == (15, 8)
    assert set(list(train["id"])).isdisjoint(list(test["id"]))
    assert sorted(list(test["label"])) == sorted(emb.LABELS)  # one test sample per label
    assert set(list(train["label"])) == set(emb.LABELS)
    assert set(list(train["label_set"])) == {"mikels8"} and set(list(train["dataset"])) == {
        "embedded"
    }
    assert all(caption.strip() for caption in list(train["caption"]))
    everything = load_dataset("embedded", "all")
    assert len(everything) == 23 and len(set(list(everything["id"]))) == 23


def test_embedded_images_are_real_and_stable():
    ds = load_dataset("embedded", "all")
    for row in ds:
        assert isinstance(row["image"], Image.Image)
        assert min(row["image"].size) >= 128
    coffee = get_sample(ds, "embedded/coffee")
    assert coffee["label"] == "contentment" and coffee["image"].size == (600, 400)
    assert emb.image_bytes("embedded/angry-face") == emb.image_bytes.__wrapped__(
        "embedded/angry-face"
    )  # drawings are deterministic


def test_embedded_label_set_mapping():
    ds = load_dataset("embedded", "all", label_set="sentiment2")
    by_id = dict(zip(list(ds["id"]), list(ds["label"]), strict=True))
    assert by_id["embedded/coffee"] == "positive" and by_id["embedded/moon"] == "negative"
    with pytest.raises(DataError, match="'awe' of 'mikels8' has no counterpart in 'emotion6'"):
        load_dataset("embedded", "all", label_set="emotion6")


def test_get_sample_unknown_id_suggests_closest():
    ds = load_dataset("embedded", "test")
    with pytest.raises(UnknownNameError, match="Did you mean 'embedded/rocket'"):
        get_sample(ds, "embedded/rockt")


def test_folder_with_benchmark_prefix(label_folder):
    ds = load_dataset(f"emotion6:{label_folder}", "all")
    assert sorted(set(list(ds["label"]))) == ["anger", "joy", "sadness"]  # neutral skipped
    assert len(ds) == 12 and set(list(ds["dataset"])) == {"Emotion6"}
    assert set(list(ds["label_set"])) == {"emotion6"} and "anger/0" in list(ds["id"])
    train, test = load_dataset(f"emotion6:{label_folder}", "train"), None
    test = load_dataset(f"emotion6:{label_folder}", "test")
    assert sorted(list(train["id"]) + list(test["id"])) == sorted(
        list(ds["id"])
    )  # stable hash split
    assert load_dataset(f"emotion6:{label_folder}", "test")["id"] == list(test["id"])


def test_plain_folder_infers_label_set_and_keeps_neutral_error(label_folder):
    with pytest.raises(UnknownNameError, match="'neutral'"):
        load_dataset(str(label_folder), "all")


def test_split_folders(tmp_path):
    for split in ("train", "test"):
        for label in ("awe", "fear"):
            write_image(tmp_path / split / label / f"{split}.png")
    ds = load_dataset(str(tmp_path), "test")
    assert sorted(list(ds["id"])) == ["test/awe/test", "test/fear/test"]
    assert set(list(ds["label_set"])) == {"mikels8"}


def test_jsonl_manifest(manifest):
    ds = load_dataset(str(manifest), "test")
    assert list(ds["id"]) == ["m0", "m3"]
    assert list(ds["label"]) == ["awe", "contentment"] and list(ds["caption"]) == [
        "picture 0",
        "picture 3",
    ]
    train = load_dataset(str(manifest), "train")
    assert list(train["label"]) == ["fear", "sadness", "awe", "anger"]  # case and synonyms mapped
    assert set(list(train["dataset"])) == {"data"}
    assert get_sample(train, "m1")["image"].size == (12, 10)


def test_csv_manifest_with_image_root(tmp_path):
    write_image(tmp_path / "pics" / "a.png")
    write_image(tmp_path / "pics" / "b.png")
    path = tmp_path / "sub" / "list.csv"
    path.parent.mkdir()
    path.write_text("path,emotion\na.png,joy\nb.png,surprise\n")
    ds = load_dataset(str(path), "all", image_root=str(tmp_path / "pics"))
    assert list(ds["label"]) == ["joy", "surprise"] and set(list(ds["label_set"])) == {"emotion6"}
    assert list(ds["caption"]) == ["", ""]


def test_parquet_and_save_to_disk_round_trip(manifest, tmp_path):
    ds = load_dataset(str(manifest), "all")
    ds.to_parquet(str(tmp_path / "d.parquet"))
    back = load_dataset(str(tmp_path / "d.parquet"), "all")
    assert list(back["id"]) == list(ds["id"]) and list(back["label"]) == list(ds["label"])
    assert back[0]["image"].size == (12, 10)
    six = load_dataset(str(manifest), "all", label_set="sentiment2")
    six.to_parquet(str(tmp_path / "s.parquet"))
    assert set(load_dataset(str(tmp_path / "s.parquet"), "all")["label_set"]) == {"sentiment2"}
    datasets.DatasetDict({"train": ds, "test": ds.select([0])}).save_to_disk(tmp_path / "disk")
    assert load_dataset(str(tmp_path / "disk"), "test")["id"] == ["m0"]
    with pytest.raises(DataError, match="Splits present: train, test"):
        load_dataset(str(tmp_path / "disk"), "val")


def test_emoset_split_files(tmp_path):
    entries = []
    for n, label in enumerate(("amusement", "fear")):
        write_image(tmp_path / "image" / label / f"{label}_{n:05d}.jpg")
        entries.append([label, f"image/{label}/{label}_{n:05d}.jpg", "annotation/x.json"])
    (tmp_path / "train.json").write_text(json.dumps(entries))
    (tmp_path / "test.json").write_text(json.dumps(entries[:1]))
    ds = load_dataset(f"emoset:{tmp_path}", "train")
    assert list(ds["id"]) == ["amusement_00000", "fear_00001"]
    assert set(list(ds["dataset"])) == {"EmoSet"} and list(ds["label"]) == ["amusement", "fear"]
    assert len(load_dataset(f"EmoSet:{tmp_path}", "test")) == 1


def test_webemo_fine_labels_map_to_coarse(tmp_path):
    for label in ("rage", "optimism", "horror"):
        write_image(tmp_path / label / "x.png")
    fine = load_dataset(f"webemo:{tmp_path}", "all")
    assert set(list(fine["label_set"])) == {"webemo25"}
    coarse = load_dataset(f"webemo:{tmp_path}", "all", label_set="webemo7")
    assert dict(zip(list(coarse["id"]), list(coarse["label"]), strict=True)) == {
        "horror/x": "fear",
        "optimism/x": "joy",
        "rage/x": "anger",
    }
    two = load_dataset(f"webemo:{tmp_path}", "all", label_set="webemo2")
    assert sorted(list(two["label"])) == ["negative", "negative", "positive"]


@pytest.mark.parametrize(
    ("raw", "native", "target", "expected"),
    [
        ("Scared", "mikels8", None, "fear"),
        (2, "mikels8", None, "awe"),
        ("amusement", "mikels8", "emotion6", "joy"),
        ("sadness", "mikels8", "sentiment2", "negative"),
        ("zest", "webemo25", "webemo7", "joy"),
    ],
)
def test_map_label(raw, native, target, expected):
    assert map_label(raw, native, target) == expected


def test_unknown_label_names_closest(tmp_path):
    write_image(tmp_path / "i.png")
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps({"image": "i.png", "label": "angerr"}) + "\n")
    with pytest.raises(UnknownNameError, match="Did you mean 'anger'"):
        load_dataset(str(path), "all", label_set="mikels8")


def test_missing_and_unreadable_images(tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps({"image": "nope.png", "label": "awe"}) + "\n")
    with pytest.raises(DataError, match=r"Image file not found: .*nope\.png"):
        load_dataset(str(path), "all")
    (tmp_path / "bad.png").write_bytes(b"not an image at all")
    path.write_text(json.dumps({"image": "bad.png", "label": "awe"}) + "\n")
    with pytest.raises(DataError, match=r"Unreadable image .*bad\.png"):
        load_dataset(str(path), "all")


def test_empty_split_and_bad_sources(manifest, tmp_path, monkeypatch):
    with pytest.raises(DataError, match=r"Split 'val' .* is empty\. Splits present: test, train"):
        load_dataset(str(manifest), "val")
    with pytest.raises(DataError, match="Dataset source not found"):
        load_dataset(str(tmp_path / "missing"), "train")
    with pytest.raises(UnknownNameError, match="Did you mean 'emoset'"):
        load_dataset("emost:/data", "train")
    with pytest.raises(InvalidInputError, match="non-empty str"):
        load_dataset(None)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="No images found"):
        load_dataset(str(tmp_path / "empty"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(DataError, match="HF_HUB_OFFLINE"):
        load_dataset("hf:someone/emotions")
    assert set(BENCHMARKS) == {"emoset", "emotion6", "webemo", "fi"}
