"""The reward server over real HTTP on loopback, called by OpenRLHF's own request code."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re

import httpx
import pytest
from openrlhf.utils.agent import SingleTurnAgentExecutor

from agents.common.labels import encode_label
from agents.common.scorer import RewardScorer
from agents.serve import ServerConfig, ServerThread, create_app
from rewards.rubric import Rubric
from rewards.rules import AccuracyReward, FormatReward

GOOD = (
    "<step1>A storm hits a tiny boat.</step1><step2>Scared.</step2>"
    "<step3>Negative, high arousal.</step3> \\boxed{fear}"
)
LABELS = ["amusement", "anger", "awe", "contentment", "disgust", "excitement", "fear", "sadness"]


@pytest.fixture(autouse=True)
def quiet_openrlhf_retries():
    logging.getLogger("openrlhf.utils.agent").setLevel(logging.WARNING)


def fetch(url: str, queries, prompts, labels):
    """One call of OpenRLHF's HTTP reward request (aiohttp, timeout 180 s, 5 tries)."""
    return SingleTurnAgentExecutor(url)._fetch_rewards_via_http(queries, prompts, labels)


def sample_id_reward(prompts=None, completions=None, **kwargs):
    """A rule reward that echoes the number after 'ID=' (makes every sample distinct)."""
    return [int(re.search(r"ID=(\d+)", c).group(1)) / 10000 for c in completions]


def test_paper_preset_over_openrlhf_request_path():
    with ServerThread(ServerConfig(port=0)) as server:

        async def main():
            return await asyncio.gather(
                fetch(server.url, ["Q: " + GOOD + "<|im_end|>"], ["Q: "], [encode_label("fear")]),
                fetch(server.url, ["Q: " + GOOD], ["Q: "], ['{"label": "awe"}']),
            )

        right, wrong = asyncio.run(main())
    assert right == [
        {
            "rewards": [1.0],
            "scores": [1.0],
            "extra_logs": {
                "accuracy": [1.0],
                "format": [1.0],
                "consistency": [1.0],
                "coherence": [1.0],
                "not_applicable": [0.0],
            },
        }
    ]
    assert wrong[0]["rewards"] == pytest.approx([0.2])


@pytest.fixture
def enough_file_descriptors():
    """1,000 requests in flight hold ~2,000 sockets in this process (client + server)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.slow  # 1,000 real HTTP requests (~3-8 s)
def test_thousand_concurrent_single_sample_requests_no_mixups(enough_file_descriptors):
    rubric = Rubric([AccuracyReward(), FormatReward(), sample_id_reward], [0.8, 0.1, 1.0])
    config = ServerConfig(port=0, max_batch=64, max_wait_ms=5)
    n = 1000
    labels = [LABELS[i % 8] for i in range(n)]
    boxed = [LABELS[(i * 3) % 8] for i in range(n)]
    queries = [f"P{i}|" + GOOD.replace("fear", boxed[i]) + f" ID={i}" for i in range(n)]
    with ServerThread(config, RewardScorer(rubric)) as server:

        async def main():
            return await asyncio.gather(
                *(
                    fetch(server.url, [queries[i]], [f"P{i}|"], [encode_label(labels[i])])
                    for i in range(n)
                )
            )

        replies = asyncio.run(main())
        stats = dict(server.app.state.batcher.stats)
        health = httpx.get(server.base_url + "/health").json()
    for i, reply in enumerate(replies):
        expected = 0.8 * (labels[i] == boxed[i]) + 0.1 + i / 10000
        assert reply[0]["rewards"] == pytest.approx([expected]), i
    assert stats["samples"] == n and stats["largest_batch"] > 1
    assert stats["batches"] < n  # requests were gathered into micro-batches
    assert health["status"] == "ok" and health["samples"] == n


def test_malformed_burst_gets_4xx_and_the_server_keeps_serving(tmp_path):
    (tmp_path / "root").mkdir()
    config = ServerConfig(
        port=0, max_body_bytes=4096, image_roots=(str(tmp_path / "root"),), load_images=True
    )
    good = {"query": ["Q " + GOOD], "prompts": ["Q "], "labels": ["fear"]}
    bad = [
        (400, b"{not json"),
        (400, b"[1, 2, 3]"),
        (400, b"\xff\xfe"),
        (422, json.dumps({"query": "Q", "prompts": ["Q"], "labels": ["fear"]}).encode()),
        (422, json.dumps({"query": ["a", "b"], "prompts": ["a"], "labels": ["fear"]}).encode()),
        (422, json.dumps({"query": [1], "prompts": ["a"], "labels": ["fear"]}).encode()),
        (422, json.dumps({"query": ["a"], "prompts": ["a"], "labels": ["feer"]}).encode()),
        (422, json.dumps({"query": ["a"], "prompts": ["a"], "labels": [7]}).encode()),
        (422, json.dumps({"query": ["a"], "prompts": ["a"], "labels": ['{"label": ']}).encode()),
        (422, json.dumps({"prompts": ["a"], "labels": ["fear"]}).encode()),
        (413, json.dumps({**good, "query": ["x" * 5000]}).encode()),
        (403, json.dumps({**good, "labels": [encode_label("fear", image="/etc/passwd")]}).encode()),
        (403, json.dumps({**good, "labels": [encode_label("fear", image="../x.png")]}).encode()),
    ]
    app = create_app(config)

    async def burst():
        # In-process ASGI transport: every request is in flight at once on one event loop,
        # with no sockets, connection pool or timeouts, so nothing depends on timing.
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://server") as client:
            try:
                replies = await asyncio.gather(
                    *(
                        client.post("/get_reward", content=body)
                        for _ in range(20)
                        for _, body in bad
                    )
                )
                after = await client.post("/get_reward", json=good)
                health = await client.get("/health")
            finally:
                await app.state.batcher.close()
        return replies, after, health

    responses, after, health = asyncio.run(burst())
    for k, response in enumerate(responses):
        status = bad[k % len(bad)][0]
        assert response.status_code == status, response.text
        assert response.json()["error"]
    assert after.status_code == 200 and after.json()["rewards"] == [1.0]
    assert health.json()["errors"] == 20 * len(bad)


def test_image_paths_resolve_only_inside_roots(tmp_path, monkeypatch):
    from PIL import Image

    root = tmp_path / "root"
    root.mkdir()
    Image.new("RGB", (32, 16), "red").save(root / "a.png")
    Image.new("RGB", (8, 8)).save(tmp_path / "secret.png")
    os.symlink(tmp_path / "secret.png", root / "link.png")
    opened = []
    real_open = Image.open
    monkeypatch.setattr(
        Image, "open", lambda p, *a, **k: opened.append(str(p)) or real_open(p, *a, **k)
    )

    def width(prompts=None, completions=None, image=None, **kwargs):
        return [im.size[0] / 100 for im in image]

    scorer = RewardScorer(Rubric([width], [1.0]), image_roots=[root], load_images=True)
    with ServerThread(ServerConfig(port=0), scorer) as server:

        def post(label):
            body = {"query": ["x"], "prompts": [""], "labels": [label]}
            return httpx.post(server.url, json=body, timeout=120)  # first id: dataset index

        assert post(encode_label("fear", image="a.png")).json()["rewards"] == [0.32]
        assert post(encode_label("fear", image=str(root / "a.png"))).json()["rewards"] == [0.32]
        for outside in ("link.png", str(tmp_path / "secret.png"), "../secret.png"):
            response = post(encode_label("fear", image=outside))
            assert response.status_code == 403 and "outside" in response.json()["error"]
        assert post(encode_label("fear", image="missing.png")).status_code == 422
        reply = post(encode_label("fear", sample_id="embedded/rocket"))  # a dataset sample id
        assert reply.json()["rewards"] == [6.4]
        assert (
            post(encode_label("fear", sample_id="embedded/rockt"))
            .json()["error"]
            .endswith("Did you mean 'embedded/rocket'?")
        )
    assert not [p for p in opened if "secret" in p]


def test_shared_token(monkeypatch):
    config = ServerConfig(port=0, token="s3cret")
    body = {"query": ["Q " + GOOD], "prompts": ["Q "], "labels": ["fear"]}
    with ServerThread(config) as server:
        assert httpx.post(server.url, json=body).status_code == 401
        assert httpx.post(server.url + "?token=nope", json=body).status_code == 401
        assert httpx.post(server.url + "?token=s3cret", json=body).json()["rewards"] == [1.0]
        headers = {"Authorization": "Bearer s3cret"}
        assert httpx.post(server.url, json=body, headers=headers).status_code == 200
        # OpenRLHF sends no headers: the token rides in the URL it is given
        reply = asyncio.run(
            fetch(server.url + "?token=s3cret", body["query"], body["prompts"], body["labels"])
        )
        assert reply[0]["rewards"] == [1.0]


def test_defaults_bind_loopback_and_validate():
    config = ServerConfig()
    assert config.host == "127.0.0.1"
    with pytest.raises(Exception, match="max_batch"):
        create_app(ServerConfig(max_batch=0))
