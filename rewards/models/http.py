"""An OpenAI-compatible chat client (vLLM, SGLang, TGI, llama.cpp servers) for batches.

:class:`OpenAIChatClient` posts one ``/chat/completions`` request per conversation,
at most ``max_concurrency`` at a time (a thread pool over one ``httpx.Client``), with a
timeout and retries (exponential back-off) on connection errors, timeouts, 429 and 5xx
replies. Images go as ``data:`` URLs in ``image_url`` parts. A request that still fails
after its retries gives None (counted in ``stats["failed"]``); a 4xx reply other than
429 is a configuration error and raises :class:`~rewards.errors.JudgeError` at once.

Example:
    >>> from rewards.models import OpenAIChatClient
    >>> client = OpenAIChatClient("http://localhost:8000/v1", "Qwen/Qwen2.5-VL-3B-Instruct")
    >>> client.chat_batch([[{"role": "user", "content": "Say yes."}]])  # doctest: +SKIP
    ['Yes.']
"""

from __future__ import annotations

import base64
import io
import mimetypes
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rewards.errors import InvalidInputError, JudgeError
from rewards.models._common import load_image, require

__all__ = ["OpenAIChatClient", "image_data_url"]

_RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


def image_data_url(image: Any) -> str:
    """A ``data:`` URL of an image (files keep their bytes; others are PNG-encoded)."""
    if isinstance(image, str) and image.startswith(("data:", "http://", "https://")):
        return image
    if isinstance(image, (str, os.PathLike)) and os.path.isfile(image):
        mime = mimetypes.guess_type(os.fspath(image))[0] or "image/png"
        with open(image, "rb") as f:
            return f"data:{mime};base64," + base64.b64encode(f.read()).decode()
    buffer = io.BytesIO()
    load_image(image).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _with_image_url(messages: list[dict], url: str) -> list[dict]:
    out = [dict(m) for m in messages]
    for message in reversed(out):
        if message.get("role") == "user":
            content = message.get("content")
            parts = [{"type": "text", "text": content}] if isinstance(content, str) else content
            message["content"] = [{"type": "image_url", "image_url": {"url": url}}, *parts]
            return out
    raise InvalidInputError("An image was given but the conversation has no user message.")


class OpenAIChatClient:
    """Batched, concurrency-limited chat completions against an OpenAI-compatible server.

    Args:
        base_url: server root including ``/v1`` (e.g. ``http://localhost:8000/v1``).
        model: the served model name.
        api_key: sent as a Bearer token (default ``$OPENAI_API_KEY``, else none).
        max_concurrency: requests in flight at once.
        timeout: seconds per request.
        retries: extra attempts after a retryable failure.
        backoff: first back-off in seconds (doubles each retry).
    """

    def __init__(self, base_url: str, model: str, api_key: str | None = None,
                 max_concurrency: int = 16, timeout: float = 60, retries: int = 3,
                 backoff: float = 0.5):  # fmt: skip
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise InvalidInputError(f"base_url must be an http(s) URL; got {base_url!r}.")
        if max_concurrency < 1 or retries < 0 or timeout <= 0:
            raise InvalidInputError("Need max_concurrency >= 1, retries >= 0 and timeout > 0.")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        self.max_concurrency, self.timeout, self.retries = max_concurrency, timeout, retries
        self.backoff = backoff
        self.stats = {"requests": 0, "retries": 0, "failed": 0}
        self._client = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_client"] = None
        state["_lock"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        if self._client is None:
            httpx = require("httpx", "judge", "the HTTP judge")
            headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
            limits = httpx.Limits(max_connections=self.max_concurrency)
            self._client = httpx.Client(headers=headers, timeout=self.timeout, limits=limits)
        return self._client

    def chat_batch(self, messages_batch: list[list[dict]], images: list | None = None,
                   **sampling: Any) -> list[str | None]:  # fmt: skip
        """One reply per conversation (None where the server failed for good).

        Args:
            messages_batch: conversations of ``{"role", "content"}`` messages.
            images: one image or None per conversation (sent as a data URL).
            **sampling: request fields such as ``temperature``, ``top_p``, ``max_tokens``.
        """
        n = len(messages_batch)
        if images is not None and len(images) != n:
            raise InvalidInputError(f"images has {len(images)} entries for {n} conversations.")
        bodies = []
        for i, messages in enumerate(messages_batch):
            image = images[i] if images is not None else None
            if image is not None:
                messages = _with_image_url(messages, image_data_url(image))
            bodies.append({"model": self.model, "messages": messages, **sampling})
        if n <= 1:
            return [self._post(b) for b in bodies]
        with ThreadPoolExecutor(min(self.max_concurrency, n)) as pool:
            return list(pool.map(self._post, bodies))

    def _post(self, body: dict) -> str | None:
        httpx = require("httpx", "judge", "the HTTP judge")
        url = self.base_url + "/chat/completions"
        with self._lock:
            self.stats["requests"] += 1
        for attempt in range(self.retries + 1):
            if attempt:
                with self._lock:
                    self.stats["retries"] += 1
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                reply = self.client.post(url, json=body)
            except httpx.TransportError:  # connection errors and timeouts
                continue
            if reply.status_code in _RETRY_STATUS:
                continue
            if reply.status_code >= 400:
                raise JudgeError(
                    f"{url} answered {reply.status_code}: {reply.text[:300]} (model "
                    f"{self.model!r}); check the URL, model name and request fields."
                )
            try:
                content = reply.json()["choices"][0]["message"]["content"]
            except (ValueError, KeyError, IndexError, TypeError) as err:
                raise JudgeError(
                    f"{url} returned a reply without choices[0].message.content: {reply.text[:300]}"
                ) from err
            return content if isinstance(content, str) else None
        with self._lock:
            self.stats["failed"] += 1
        return None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __repr__(self) -> str:
        return f"OpenAIChatClient({self.base_url!r}, model={self.model!r})"
