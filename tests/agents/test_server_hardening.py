"""Hostile input to a real reward server (uvicorn on loopback), one keep-alive connection.

Every bad request gets its 4xx with a JSON error, the next request on the *same* socket
is served, and /health counts every error.
"""

from __future__ import annotations

import json
import struct
import sys
import zlib

import pytest
from server_conn import KeepAliveConnection

from agents.common.labels import encode_label
from agents.common.scorer import RewardScorer
from agents.serve import ServerConfig, ServerThread
from rewards.rubric import Rubric

GOOD = (
    "<step1>A storm hits a tiny boat.</step1><step2>Scared.</step2>"
    "<step3>Negative, high arousal.</step3> \\boxed{fear}"
)
BIG_INT = 400 if hasattr(sys, "get_int_max_str_digits") else 422  # 3.11+: a parse error


def body(query="Q " + GOOD, prompt="Q ", label="fear") -> dict:
    return {"query": [query], "prompts": [prompt], "labels": [label]}


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height, with a tiny (truncated) pixel stream."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


@pytest.fixture
def image_root(tmp_path):
    from PIL import Image

    root = tmp_path / "root"
    root.mkdir()
    Image.new("RGB", (40, 10), "red").save(root / "ok.png")
    full = (root / "ok.png").read_bytes()
    Image.new("RGB", (64, 64), "blue").save(root / "whole.png")
    (root / "truncated.png").write_bytes((root / "whole.png").read_bytes()[:60])
    (root / "empty.png").write_bytes(b"")
    (root / "text.png").write_text("not an image at all")
    (root / "bomb.png").write_bytes(png_header(20000, 20000))
    assert len(full) > 60
    return root


def width_reward(prompts=None, completions=None, image=None, **kwargs):
    """Reads the image: its width / 100."""
    return [im.size[0] / 100 for im in image]


width_reward.needs_images = True  # so the scorer loads images for it

# (status, request body) pairs for every server; each is followed by a good request.
COMMON = [
    (400, b"[" * 100000),
    (BIG_INT, b'{"query": [' + b"1" * 5000 + b'], "prompts": ["Q"], "labels": ["fear"]}'),
    (400, b"{not json"),
    (400, b"\xff\xfe\x00"),
    (422, body(label='{"label": null}')),
    (422, body(label='{"label": "fe\\ud800ar"}')),
    (422, body(label=encode_label("fear", image="a" * 300 + ".png"))),
    (422, body(label=encode_label("fear", sample_id="embedded/no-such-sample"))),
    (422, body(label=encode_label("fear", sample_id="s1", dataset="/some/outside/folder"))),
    (413, body(query="Q " + "x" * 3000)),
    (413, {"query": ["y" * 250_000], "prompts": [""], "labels": ["fear"]}),
]
IMAGES = [  # only where the rubric reads images
    (422, body(label=encode_label("fear", image="text.png"))),
    (422, body(label=encode_label("fear", image="empty.png"))),
    (422, body(label=encode_label("fear", image="truncated.png"))),
    (422, body(label=encode_label("fear", image="bomb.png"))),
]


@pytest.mark.parametrize("kind", ["rules", "images"])
def test_bad_requests_get_4xx_on_one_keep_alive_connection(kind, image_root):
    if kind == "rules":
        scorer = RewardScorer("emo_r3_paper", image_roots=[image_root])
        cases, good, expected = COMMON, body(), 1.0
    else:
        scorer = RewardScorer(Rubric([width_reward], [1.0]), image_roots=[image_root])
        cases, expected = COMMON + IMAGES, 0.4
        good = body(label=encode_label("fear", image="ok.png"))
    config = ServerConfig(port=0, max_body_bytes=200_000, max_response_chars=2000)
    with ServerThread(config, scorer) as server:
        conn = KeepAliveConnection(server.base_url)
        for status, payload in cases:
            got, headers, reply = conn.post(payload)
            assert got == status, (payload if isinstance(payload, dict) else payload[:60], reply)
            assert reply["error"] and headers.get("connection") != "close"
            got, _, reply = conn.post(good)  # same socket, next request served
            assert got == 200 and reply["rewards"] == [pytest.approx(expected)]
        status, _, health = conn.request("GET", "/health")
        conn.close()
    assert status == 200 and health["errors"] == len(cases) and health["server_errors"] == 0
    assert (health["inline_requests"] > 0) == (kind == "rules")  # rule-only: on the loop


def test_messages_name_the_fix(image_root):
    rubric = Rubric([width_reward], [1.0])
    scorer = RewardScorer(rubric, image_roots=[image_root], max_image_pixels=1000)
    config = ServerConfig(port=0, max_response_chars=100)
    with ServerThread(config, scorer) as server:
        conn = KeepAliveConnection(server.base_url)
        _, _, long = conn.post(body(query="Q " + "x" * 101))

        def image(name):
            return conn.post(body(query="x", prompt="", label=encode_label("fear", image=name)))

        bomb, big, bad = (image(n)[2] for n in ("bomb.png", "whole.png", "text.png"))
        status, _, _ = conn.request("GET", "/get_reward")
        missing, _, _ = conn.request("GET", "/nothing")
        conn.close()
    assert long["error"] == (
        "Response 0 has 101 characters, over the server's limit of 100 "
        "(raise it with --max-response-chars)."
    )
    assert bomb["error"].startswith("Image 'bomb.png' has over ")
    assert bomb["error"].endswith("pixels, over the limit of 1000 (--max-image-pixels).")
    assert big["error"] == (
        "Image 'whole.png' is 64x64 = 4096 pixels, over the limit of 1000 (--max-image-pixels)."
    )
    assert "could not be decoded" in bad["error"]
    assert (status, missing) == (405, 404)


def test_lone_surrogates_in_text_are_scored(image_root):
    """A lone surrogate escape in the query is replaced by U+FFFD, then scored."""
    raw = json.dumps(body(query="Q " + GOOD + " \ud800", label=encode_label("fear")))
    with ServerThread(ServerConfig(port=0, preset="emo_r3_paper")) as server:
        conn = KeepAliveConnection(server.base_url)
        status, _, reply = conn.post(raw.encode())  # json.dumps escapes it as \ud800
        conn.close()
    assert status == 200 and reply["rewards"] == [1.0]


def test_labels_name_configured_datasets_only(tmp_path, monkeypatch):
    """A label's dataset is a name the server was started with, never a path it loads."""
    from PIL import Image

    from emo_env import data

    outside, mine = tmp_path / "outside", tmp_path / "myset"
    for folder in (outside / "fear", mine / "fear", mine / "awe"):
        folder.mkdir(parents=True)
        Image.new("RGB", (8, 8)).save(folder / "s1.png")
    loaded = []
    real = data.load_dataset
    monkeypatch.setattr(data, "load_dataset", lambda s, **k: loaded.append(s) or real(s, **k))

    def width(prompts=None, completions=None, image=None, **kwargs):
        return [im.size[0] for im in image]

    scorer = RewardScorer(Rubric([width], [1.0]), dataset=("embedded", str(mine)), load_images=True)
    with ServerThread(ServerConfig(port=0), scorer) as server:
        conn = KeepAliveConnection(server.base_url)

        def post(**ref):
            return conn.post(body(query="x", prompt="", label=encode_label("fear", **ref)))

        for dataset in (str(outside), f"fi:{outside}", "../outside", "hf:some/data"):
            status, _, reply = post(sample_id="fear/s1", dataset=dataset)
            assert status == 422 and reply["error"].startswith("Unknown dataset"), reply
            assert "configured at start, never a path" in reply["error"]
        assert post(sample_id="fear/s1", dataset=str(mine))[2]["rewards"] == [8]
        assert post(sample_id="fear/s1", dataset="myset")[2]["rewards"] == [8]  # rows' name
        assert post(sample_id="embedded/rocket")[2]["rewards"] == [640]  # the default
        status, _, reply = post(sample_id="embedded/rockt")
        assert status == 422 and reply["error"].endswith("Did you mean 'embedded/rocket'?")
        conn.close()
    assert str(outside) not in " ".join(loaded) and set(loaded) <= {"embedded", str(mine)}


def test_unknown_sample_id_is_refused_by_a_rule_only_server():
    with ServerThread(ServerConfig(port=0, preset="emo_r3_paper")) as server:
        conn = KeepAliveConnection(server.base_url)
        label = encode_label("fear", sample_id="embedded/nope")
        status, _, reply = conn.post(body(label=label))
        assert status == 422 and "No sample with id 'embedded/nope'" in reply["error"]
        label = encode_label("fear", sample_id="embedded/rocket")
        assert conn.post(body(label=label))[2]["rewards"] == [1.0]
        conn.close()
