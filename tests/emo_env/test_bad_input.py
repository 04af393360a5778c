"""Bad input at the environment boundary: clear errors at make (data, options) or reset."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from conftest import write_image
from PIL import Image

import emo_env  # noqa: F401 - registers the ids
from emo_env.data import DataError, load_dataset
from emo_env.envs.reason import EmoReasonEnv
from rewards.errors import InvalidInputError, UnknownNameError


def one_colour_png(width: int, height: int) -> bytes:
    """A real 1-bit greyscale PNG of one colour, built row by row (small in memory)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)  # filter byte + packed pixels
    packer = zlib.compressobj(9)
    parts = [packer.compress(row) for _ in range(height)] + [packer.flush()]
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(parts))
        + chunk(b"IEND", b"")
    )


def folder_with(tmp_path: Path, name: str, data: bytes) -> Path:
    """A label folder dataset with good images plus ``fear/<name>`` holding ``data``."""
    root = tmp_path / "data"
    for k, label in enumerate(("awe", "fear", "sadness")):
        for n in range(2):
            write_image(root / label / f"{n}.png", 30 * k + n)
    (root / "fear" / name).write_bytes(data)
    return root


def encoded(fmt: str) -> bytes:
    array = np.random.default_rng(0).integers(0, 255, (48, 48, 3)).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, fmt)
    return buffer.getvalue()


def test_reset_options_are_validated():
    env = EmoReasonEnv(split="test")
    with pytest.raises(InvalidInputError, match=r"sample_id must be a str .* list \['x'\]"):
        env.reset(options={"sample_id": ["x"]})
    with pytest.raises(InvalidInputError, match=r"options must be a dict .* got list"):
        env.reset(options=["index"])
    with pytest.raises(InvalidInputError, match="not both"):
        env.reset(options={"sample_id": "embedded/rocket", "index": 0})
    with pytest.raises(UnknownNameError, match="index"):
        env.reset(options={1: 2})
    with pytest.raises(InvalidInputError, match="index must be an int"):
        env.reset(options={"index": [0]})
    assert env.reset(options={"sample_id": "embedded/rocket"})[1]["sample_id"] == "embedded/rocket"
    vec = gym.make_vec("EmoReason-v0", num_envs=2, split="test")
    with pytest.raises(InvalidInputError, match="options must be a dict"):
        vec.reset(options="index")


@pytest.mark.parametrize("size", [100000, (224, 5000), 0, (224,), 224.0])
def test_image_size_bounds_at_make(size):
    with pytest.raises(InvalidInputError, match=r"image_size .* at most 4096 pixels a side"):
        gym.make("EmoReason-v0", image_size=size)


def test_truncated_png_fails_at_make(tmp_path):
    png = encoded("PNG")
    root = folder_with(tmp_path, "cut.png", png[: len(png) // 2])
    bad = str(root / "fear" / "cut.png")
    with pytest.raises(DataError, match=rf"Unreadable image '{bad}': Truncated"):
        gym.make("EmoReason-v0", dataset=str(root), split="all")


def test_decompression_bomb_fails_at_make(tmp_path):
    data = one_colour_png(20000, 20000)
    assert len(data) < 200_000  # small on disk, 400 M pixels decoded
    root = folder_with(tmp_path, "bomb.png", data)
    with pytest.raises(DataError, match="decompression bomb"):
        gym.make("EmoReason-v0", dataset=str(root), split="all")


def test_pixel_cap_below_pils_own_limit(tmp_path):
    root = folder_with(tmp_path, "large.png", one_colour_png(9000, 9000))
    with pytest.raises(
        DataError, match=r"9000x9000 \(81\.0 M pixels\), over the 67\.1 M pixel cap"
    ):
        load_dataset(str(root), "all")


def test_truncated_jpeg_gets_a_data_error_at_reset(tmp_path):
    jpeg = encoded("JPEG")
    root = folder_with(tmp_path, "cut.jpg", jpeg[: len(jpeg) // 2])
    env = gym.make("EmoReason-v0", dataset=str(root), split="all")  # JPEG ends unread here
    env.reset(options={"sample_id": "fear/0"})
    with pytest.raises(DataError, match=r"image of sample 'fear/cut' cannot be decoded"):
        env.reset(options={"sample_id": "fear/cut"})


def test_unverified_load_still_names_the_sample_at_reset(tmp_path):
    png = encoded("PNG")
    root = folder_with(tmp_path, "cut.png", png[:200])
    ds = load_dataset(str(root), "all", verify_images=False)
    env = gym.make("EmoReason-v0", dataset=ds)
    with pytest.raises(DataError, match=r"sample 'fear/cut' cannot be decoded"):
        env.reset(options={"sample_id": "fear/cut"})


def test_embedded_bytes_are_checked_too(tmp_path):
    import datasets

    png = encoded("PNG")
    table = datasets.Dataset.from_dict(
        {
            "image": [{"bytes": png, "path": "a.png"}, {"bytes": png[:300], "path": "b.png"}],
            "label": ["awe", "fear"],
        },
        features=datasets.Features({"image": datasets.Image(), "label": datasets.Value("string")}),
    )
    path = tmp_path / "data.parquet"
    table.to_parquet(str(path))
    with pytest.raises(DataError, match=r"Unreadable image 'b\.png'"):
        load_dataset(str(path), "all")


def test_judge_modes_are_accepted_like_every_other_entry_point():
    good = "<step1>A storm.</step1><step2>Scared.</step2><step3>Negative, high.</step3>"
    for mode in ("none", "preset", False):
        env = gym.make("EmoReason-v0", rubric="emo_r3_paper", judge=mode)
        assert env.unwrapped.config.judge is None
        _, info = env.reset(seed=0)
        label = info["label"]
        _, reward, *_ = env.step(f"{good} \\boxed{{{label}}}")
        assert reward == 1.0  # no judge: the reflective components count 1
    with pytest.raises(InvalidInputError, match="asks the policy"):
        gym.make("EmoReason-v0", judge="policy")
    with pytest.raises(UnknownNameError, match="Did you mean 'none'"):
        gym.make("EmoReason-v0", judge="nope")
