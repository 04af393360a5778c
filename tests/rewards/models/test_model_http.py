"""The OpenAI-compatible client and HTTP judge against a real local server (uvicorn).

No `from __future__ import annotations` here: FastAPI resolves the handler annotations.
"""

import base64
import io
import socket
import threading
import time

import pytest
from PIL import Image

from rewards.errors import InvalidInputError, JudgeError
from rewards.judges import JudgeRequest, consistency_prompt
from rewards.models import HTTPJudge, OpenAIChatClient
from rewards.models.http import image_data_url


class Server:
    """A tiny OpenAI-compatible chat server whose behaviour depends on the model name."""

    def __init__(self):
        from fastapi import FastAPI, Request
        from fastapi.responses import JSONResponse

        self.bodies: list[dict] = []
        self.in_flight = 0
        self.peak = 0
        self.attempts: dict[str, int] = {}
        self.lock = threading.Lock()
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def chat(request: Request):
            import asyncio

            body = await request.json()
            with self.lock:
                self.bodies.append(body)
                self.in_flight += 1
                self.peak = max(self.peak, self.in_flight)
            try:
                await asyncio.sleep(0.05)
                model = body["model"]
                text = body["messages"][-1]["content"]
                key = str(text)
                with self.lock:
                    self.attempts[key] = self.attempts.get(key, 0) + 1
                    attempt = self.attempts[key]
                if model == "flaky" and attempt < 3:
                    return JSONResponse({"error": "busy"}, status_code=503)
                if model == "down":
                    return JSONResponse({"error": "down"}, status_code=503)
                if model == "wrong":
                    return JSONResponse({"error": "model not found"}, status_code=404)
                if model == "garbled":
                    return JSONResponse({"id": "x"})
                has_image = isinstance(text, list) and text[0]["type"] == "image_url"
                reply = "yes" if has_image else f"echo:{text}"
                return {"choices": [{"message": {"role": "assistant", "content": reply}}]}
            finally:
                with self.lock:
                    self.in_flight -= 1

        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{self.port}/v1"


@pytest.fixture(scope="module")
def server():
    srv = Server()
    yield srv
    srv.server.should_exit = True
    srv.thread.join(timeout=10)


def test_chat_batch_in_order_with_concurrency_limit(server):
    client = OpenAIChatClient(server.url, "echo", max_concurrency=3)
    chats = [[{"role": "user", "content": f"q{i}"}] for i in range(9)]
    replies = client.chat_batch(chats, temperature=0.0, max_tokens=4)
    assert replies == [f"echo:q{i}" for i in range(9)]
    assert server.peak <= 3
    assert server.bodies[-1]["temperature"] == 0.0 and server.bodies[-1]["max_tokens"] == 4


def test_images_travel_as_data_urls(server, tmp_path):
    img = Image.new("RGB", (6, 4), (10, 20, 30))
    client = OpenAIChatClient(server.url, "echo")
    chats = [[{"role": "user", "content": "describe"}]] * 2
    assert client.chat_batch(chats, images=[img, None]) == ["yes", "echo:describe"]
    sent = [b for b in server.bodies if isinstance(b["messages"][-1]["content"], list)][-1]
    part = sent["messages"][-1]["content"][0]["image_url"]["url"]
    assert part.startswith("data:image/png;base64,")
    decoded = Image.open(io.BytesIO(base64.b64decode(part.split(",", 1)[1])))
    assert decoded.size == (6, 4) and decoded.getpixel((0, 0)) == (10, 20, 30)
    path = tmp_path / "x.jpg"
    img.save(path)
    assert image_data_url(str(path)).startswith("data:image/jpeg;base64,")


def test_retries_then_succeeds(server):
    client = OpenAIChatClient(server.url, "flaky", retries=3, backoff=0.01)
    assert client.chat_batch([[{"role": "user", "content": "retry me"}]]) == ["echo:retry me"]
    assert client.stats == {"requests": 1, "retries": 2, "failed": 0}


def test_gives_none_after_retries_and_counts(server):
    client = OpenAIChatClient(server.url, "down", retries=1, backoff=0.01)
    assert client.chat_batch([[{"role": "user", "content": "a"}]] * 2) == [None, None]
    assert client.stats["failed"] == 2 and client.stats["retries"] == 2
    unreachable = OpenAIChatClient("http://127.0.0.1:9/v1", "x", retries=0, timeout=2)
    assert unreachable.chat_batch([[{"role": "user", "content": "a"}]]) == [None]


def test_client_errors_raise(server):
    with pytest.raises(JudgeError, match="404"):
        OpenAIChatClient(server.url, "wrong").chat_batch([[{"role": "user", "content": "a"}]])
    with pytest.raises(JudgeError, match="without choices"):
        OpenAIChatClient(server.url, "garbled").chat_batch([[{"role": "user", "content": "a"}]])
    with pytest.raises(InvalidInputError, match="http"):
        OpenAIChatClient("localhost:8000", "m")


def test_http_judge_protocol(server):
    judge = HTTPJudge(server.url, "echo", max_tokens=3)
    img = Image.new("RGB", (4, 4))
    requests = [
        JudgeRequest("consistency", consistency_prompt("A dog."), img),
        JudgeRequest("coherence", "Which emotion?"),
    ]
    assert judge(requests) == ["yes", "echo:Which emotion?"]
    assert server.bodies[-1]["max_tokens"] == 3
