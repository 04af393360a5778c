"""Parts of the hardened server: end-marker stripping, JSON codec, inline coalescing,
batch timeouts, image groups, dataset names."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.common import jsoncodec, queries
from agents.common.datasets import NeedsIO, SampleIndex
from agents.common.faults import ScoringTimeout, ServerFault
from agents.common.labels import LabelInfo
from agents.common.queries import END_MARKERS, strip_end_markers
from agents.common.scorer import RewardScorer, Sample
from agents.serve.batching import MicroBatcher
from agents.serve.inline import InlineScorer
from rewards.errors import InvalidInputError
from rewards.rubric import Rubric


def strip_oracle(text: str) -> str:
    """The old quadratic loop: rstrip, then remove any marker at the end, repeat."""
    stripped = True
    while stripped:
        stripped = False
        text = text.rstrip()
        for marker in END_MARKERS:
            if text.endswith(marker):
                text, stripped = text[: -len(marker)], True
    return text


PIECES = [*END_MARKERS, " ", "\n", "\u3000", "a", ">", "<", "</", "|>", "<|im_", "end|>"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.integers(0, 600))
def test_strip_end_markers_matches_the_old_loop(pieces, repeat):
    text = "".join(pieces)
    assert strip_end_markers(text) == strip_oracle(text)
    long = "Q: x" + "".join(pieces[-2:]) * repeat  # runs across the first windows
    assert strip_end_markers(long) == strip_oracle(long)


@pytest.mark.parametrize("tail", ["</s>", "</s> ", "<|im_end|>\n", " "])
def test_strip_end_markers_work_is_linear(tail, monkeypatch):
    """8 MB of markers: a number of regex windows bounded by length / 32 Ki, not length^2."""
    calls = []
    real = queries._TAIL

    class Counting:
        def match(self, text):
            calls.append(len(text))
            return real.match(text)

    monkeypatch.setattr(queries, "_TAIL", Counting())
    text = "Q: x" + tail * (8_000_000 // len(tail))
    assert strip_end_markers(text) == "Q: x"
    assert len(calls) <= 10 + len(text) // (1 << 15) and max(calls) <= 1 << 16


@pytest.mark.parametrize(
    "data",
    [b"[" * 100000, b"[1" + b"0" * 5000 + b"]", b"{", b"\xff", b'{"a": NaN}x', b""],
)
def test_json_loads_refuses_hostile_documents_with_one_error(data):
    with pytest.raises(jsoncodec.JSONError):
        jsoncodec.loads(data)


@pytest.mark.parametrize("use_orjson", [True, False])
def test_json_codec_with_and_without_orjson(use_orjson, monkeypatch):
    if not use_orjson:
        monkeypatch.setattr(jsoncodec, "_orjson", None)
    assert jsoncodec.loads(b'{"a": "\\ud800b"}') == {"a": "\ud800b"}  # the stdlib reads it
    assert jsoncodec.loads('{"b": [1, 2.5]}') == {"b": [1, 2.5]}
    assert json.loads(jsoncodec.dumps({"r": [1.0, float("nan")], "e": "é"})) == {
        "r": [1.0, None],
        "e": "é",
    }
    assert jsoncodec.clean_text("a\ud800b\udfff") == "a\ufffdb\ufffd"
    assert jsoncodec.clean_text("plain") == "plain"


def test_inline_scorer_coalesces_and_isolates_failures():
    calls = []

    def fn(items):
        calls.append(len(items))
        if "bad" in items:
            raise ValueError("bad item")
        return [x.upper() for x in items]

    async def main():
        inline = InlineScorer(fn, max_batch=3)
        futures = [inline.submit([x]) for x in ("a", "b", "c", "d", "bad", "e")]
        return await asyncio.gather(*futures, return_exceptions=True), inline

    results, inline = asyncio.run(main())
    assert results[:4] == [["A"], ["B"], ["C"], ["D"]] and results[5] == ["E"]
    assert isinstance(results[4], ValueError)
    assert calls[:2] == [3, 3]  # two full flushes; the second failed ...
    assert calls[2:] == [1, 1, 1]  # ... and was retried request by request
    assert inline.stats["requests"] == 6 and inline.stats["largest_batch"] == 3


def test_batcher_times_out_a_hanging_call_and_goes_on_with_a_fresh_worker():
    release, threads = threading.Event(), []

    def fn(items):
        threads.append(threading.current_thread())
        if items == ["hang"]:
            release.wait(60)
        return items

    async def main():
        batcher = MicroBatcher(fn, max_batch=8, max_wait=0, timeout=0.2, max_stuck=1)
        try:
            with pytest.raises(ScoringTimeout, match="--score-timeout-s"):
                await batcher.submit(["hang"])
            with pytest.raises(ServerFault, match="1 scoring calls are still running"):
                await batcher.submit(["x"])  # max_stuck reached: refused at once
            release.set()
            while threads[0].is_alive():  # the abandoned worker exits after its call
                await asyncio.sleep(0.01)
            return await batcher.submit(["ok"]), batcher.stats["timeouts"]
        finally:
            release.set()
            await batcher.close()

    assert asyncio.run(main()) == (["ok"], 1)
    assert threads[0] is not threads[-1] and threads[-1].daemon


def test_images_are_decoded_in_groups_under_the_pixel_budget(tmp_path):
    from PIL import Image

    sizes = [(30, 30), (20, 20), (30, 10), (10, 10), (40, 40)]
    for i, size in enumerate(sizes):
        Image.new("RGB", size).save(tmp_path / f"{i}.png")
    groups = []

    def area(prompts=None, completions=None, image=None, **kwargs):
        groups.append(len(image))
        return [im.size[0] * im.size[1] for im in image]

    area.needs_images = True
    scorer = RewardScorer(Rubric([area], [1.0]), image_roots=[tmp_path], max_image_pixels=1600)
    samples = [Sample("r", LabelInfo("fear", image=f"{i}.png")) for i in range(5)]
    samples = [Sample("r", s.info, scorer.resolver.check(s.info)) for s in samples]
    rewards = [r["reward"] for r in scorer.score_samples(samples)]
    assert rewards == [900, 400, 300, 100, 1600]
    assert groups == [4, 1]  # 1700 pixels, then 1600: never over 2 * 1600 at once


def test_dataset_names_are_never_loaded_and_io_is_announced(monkeypatch):
    from emo_env import data

    loaded = []
    real = data.load_dataset
    monkeypatch.setattr(data, "load_dataset", lambda s, **k: loaded.append(s) or real(s, **k))
    index = SampleIndex(["embedded"])
    with pytest.raises(NeedsIO):
        index.locate("embedded/rocket", io=False)  # would load "embedded" first
    assert index.locate("embedded/rocket")[0] == "embedded"
    assert index.locate("embedded/rocket", "embedded", io=False)[0] == "embedded"
    for name in ("/tmp", "fi:/tmp", "emoset:/", "captions"):
        with pytest.raises(InvalidInputError, match="Unknown dataset"):
            index.locate("x", name, io=False)
    assert loaded == ["embedded"]
    with pytest.raises(InvalidInputError, match="at least one dataset"):
        SampleIndex([])


def test_a_large_body_is_decoded_and_scored_off_the_loop():
    """8 MB of end markers (it froze the old server for minutes): one batched request."""
    import httpx

    from agents.serve import ServerConfig, create_app

    app = create_app(ServerConfig(preset="emo_r3_paper"))
    prefix = "Q: <step1>a</step1> \\boxed{fear}"
    query = prefix + "</s>" * 2_000_000
    expected = RewardScorer("emo_r3_paper").score_requests([prefix], ["Q: "], ["fear"])

    async def main():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as client:
            try:
                body = {"query": [query], "prompts": ["Q: "], "labels": ["fear"]}
                reply = await client.post("/get_reward", json=body)
                return reply, (await client.get("/health")).json()
            finally:
                await app.aclose()

    reply, health = asyncio.run(main())
    assert reply.status_code == 200 and reply.json() == expected
    assert (health["inline_requests"], health["batches"]) == (0, 1)
