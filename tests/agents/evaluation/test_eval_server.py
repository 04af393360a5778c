"""Evaluation against an OpenAI-compatible server through the real HTTP client.

vLLM cannot run here, so a small stdlib HTTP server on 127.0.0.1 plays the served
model: it answers ``GET /v1/models`` and ``POST /v1/chat/completions`` with a fixed SET
response, and fails one request with HTTP 503 to show that an unanswered sample is
counted as failed (not scored 0) and is retried by the next run.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agents.evaluation.generate import ServerBackend
from agents.evaluation.harness import evaluate
from emo_env.data import load_dataset

ANSWER = (
    "<step1>A vast scene under the sky.</step1><step2>People would feel wonder.</step2>"
    "<step3>Positive, high arousal.</step3> \\boxed{awe}"
)


STATE = {"bodies": [], "fail_next": 0}
LOCK = threading.Lock()


class Stub(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass

    def _send(self, code: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._send(200 if self.path == "/v1/models" else 404, {"data": [{"id": "stub"}]})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with LOCK:
            STATE["bodies"].append(body)
            fail = STATE["fail_next"] > 0
            STATE["fail_next"] -= fail
        if fail:
            self._send(503, {"error": "overloaded"})
        else:
            self._send(200, {"choices": [{"message": {"role": "assistant", "content": ANSWER}}]})


@pytest.fixture()
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    STATE.update(bodies=[], fail_next=0)
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def test_server_eval_sends_images_and_retries_failed_samples_next_run(server, tmp_path):
    ds = load_dataset("embedded", split="test")
    backend = ServerBackend(server, "stub", retries=0, max_tokens=64, temperature=0.0)
    backend.check()
    STATE["fail_next"] = 1
    first = evaluate(ds, backend, output_dir=tmp_path, batch_size=4, plots=False, progress=False)
    assert first.summary["failed"] == 1 and first.summary["n"] == len(ds) - 1
    assert len(first.failed) == 1
    body = STATE["bodies"][0]
    assert body["model"] == "stub" and body["max_tokens"] == 64
    parts = body["messages"][0]["content"]
    assert parts[0]["type"] == "image_url"
    assert parts[0]["image_url"]["url"].startswith("data:image/")
    assert parts[1]["text"].startswith("Which emotion does this image evoke?")
    labels = dict(zip(ds["id"], ds["label"], strict=True))
    awe = list(labels.values()).count("awe")
    done_awe = awe - (labels[first.failed[0]] == "awe")
    assert first.summary["accuracy"] == pytest.approx(done_awe / (len(ds) - 1))
    sent = len(STATE["bodies"])
    second = evaluate(ds, backend, output_dir=tmp_path, batch_size=4, plots=False, progress=False)
    assert len(STATE["bodies"]) == sent + 1  # only the failed sample is asked again
    assert second.summary["failed"] == 0 and second.summary["n"] == len(ds)
    assert second.summary["accuracy"] == pytest.approx(awe / len(ds))
    assert second.summary["format_rate"] == 1.0


def test_server_caption_modality_and_self_judge(server, tmp_path):
    ds = load_dataset("embedded", split="test")
    backend = ServerBackend(server, "stub", modality="caption", retries=0)
    result = evaluate(
        ds, backend, judge=backend.judge(), output_dir=tmp_path, limit=2, plots=False,
        progress=False,
    )  # fmt: skip
    contents = [b["messages"][0]["content"] for b in STATE["bodies"]]
    assert len(contents) == 2 + 2 * 2  # two policy turns, then two questions per response
    assert all(isinstance(c, str) for c in contents)  # caption mode: no image is sent
    assert all(c.startswith("Image description: ") for c in contents[:2])
    assert sum(c.startswith("Can the following text describe the image?") for c in contents) == 2
    assert sum("Which emotion best describes the text above?" in c for c in contents) == 2
    # reference verdicts on the stub's answer: no yes/no word -> 0.5; not the label -> 0.0
    assert [(r["consistency"], r["coherence"]) for r in result.records] == [(0.5, 0.0)] * 2
