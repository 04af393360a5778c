"""The reward server for OpenRLHF's ``--reward.remote_url``: a lean ASGI app.

Endpoints:

``POST /get_reward``
    body ``{"query": [...], "prompts": [...], "labels": [...]}`` (query = prompt +
    response, labels = JSON label fields, see :mod:`agents.common.labels`); reply
    ``{"rewards": [...], "scores": [...], "extra_logs": {component: [...]}}``.
``GET /health``
    ``{"status": "ok", ...}`` with the preset, batching statistics and error counts.

How a request is scored: a rule-only rubric (:func:`agents.common.scorer.rules_only`)
scores a small body (``inline_max_bytes``) on the event loop itself
(:class:`~agents.serve.inline.InlineScorer`: no thread hop, no batching wait; requests
arriving together share one rubric call), microseconds of work with linear parsing. Everything
else is decoded off the loop (a body over ``inline_max_bytes``, a label whose check
reads the disk) and scored by the :class:`~agents.serve.batching.MicroBatcher`'s worker
thread, with concurrent requests gathered into micro-batches and a timeout per call.
At most four requests with bodies over ``inline_max_bytes`` (or of unknown length) are
handled at once, from reading their body to replying, which bounds the memory a flood
of large requests can take.

Errors are answered with a JSON ``{"error": message}``: 400 for a body that is not a
JSON object (invalid, too deep, a number too long), 401 for a missing or wrong token,
403 for an image path outside the image roots, 404/405 for another path or method, 413
for a body over ``max_body_bytes`` or a response over ``max_response_chars``, 422 for
wrong field types, mismatched lengths, unknown labels, datasets or sample ids, and image
files that do not decode or are over ``max_image_pixels``; 500 when the rubric fails,
502 when its judge does, 503 while timed-out calls still hang, 504 past
``score_timeout_s``. Every error is counted in ``/health`` and the connection stays
usable.

The shared token (optional) is read from the ``Authorization: Bearer`` header, an
``X-Emo-Token`` header, or a ``token`` query parameter (OpenRLHF sends no headers:
use ``--reward.remote_url http://HOST:PORT/get_reward?token=...``).

Example:
    >>> from agents.serve import ServerConfig, create_app
    >>> app = create_app(ServerConfig(preset="emo_r3_paper"))
    >>> sorted(app.paths), app.state.scorer.rules_only
    (['/get_reward', '/health'], True)
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

from agents.common.datasets import NeedsIO
from agents.common.faults import ServerFault
from agents.common.images import ImageAccessError
from agents.common.jsoncodec import dumps
from agents.common.scorer import ResponseTooLong, RewardScorer, merge
from agents.serve.batching import MicroBatcher
from agents.serve.config import ServerConfig
from agents.serve.inline import InlineScorer
from agents.serve.request import (
    FIELDS,
    ClientGone,
    RequestError,
    authorize,
    parse_body,
    read_body,
    request_headers,
)
from rewards.errors import EmoError

__all__ = ["RewardApp", "create_app"]

log = logging.getLogger("agents.serve")
_JSON = [(b"content-type", b"application/json")]


def create_app(config: ServerConfig | None = None, scorer: RewardScorer | None = None):
    """Build the ASGI app (``app.state.scorer``, ``.batcher``, ``.config``, ``.errors``).

    A ``scorer`` given without a response cap gets ``config.max_response_chars``.
    """
    config = config or ServerConfig()
    scorer = scorer or config.scorer()
    if scorer.max_response_chars is None:
        scorer.max_response_chars = config.max_response_chars
    return RewardApp(config, scorer)


class RewardApp:
    """The ASGI callable behind ``emo-r3 serve`` (see the module docstring)."""

    paths = ("/get_reward", "/health")

    def __init__(self, config: ServerConfig, scorer: RewardScorer):
        self.config, self.scorer = config, scorer
        self.batcher = MicroBatcher(
            scorer.score_samples,
            config.max_batch,
            config.max_wait_ms / 1000,
            timeout=config.score_timeout_s,
        )
        self.inline = InlineScorer(scorer.score_samples, config.max_batch)
        self.state = SimpleNamespace(
            scorer=scorer, batcher=self.batcher, config=config, errors=0, server_errors=0
        )
        # bodies over inline_max_bytes: decoded off the loop, at most four in flight
        self._decoder = ThreadPoolExecutor(2, thread_name_prefix="emo-r3-decode")
        self._large = asyncio.Semaphore(4)

    async def __call__(self, scope: dict[str, Any], receive, send) -> None:
        kind = scope["type"]
        if kind == "http":
            path, method = scope["path"], scope["method"]
            if path == "/get_reward":
                if method == "POST":
                    await self._get_reward(scope, receive, send)
                else:
                    await self._fail(send, 405, "Use POST on /get_reward.", [(b"allow", b"POST")])
            elif path == "/health":
                if method in ("GET", "HEAD"):
                    await _respond(send, 200, dumps(self.health()))
                else:
                    await self._fail(send, 405, "Use GET on /health.", [(b"allow", b"GET")])
            else:
                await self._fail(send, 404, f"No route {path[:100]!r}: use POST /get_reward.")
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    def health(self) -> dict[str, Any]:
        """The ``/health`` reply."""
        stats = self.batcher.stats
        return {
            "status": "ok",
            "preset": self.scorer.rubric.__name__,
            "components": list(self.scorer.rubric.names),
            "batches": stats["batches"],
            "samples": stats["samples"],
            "largest_batch": stats["largest_batch"],
            "inline_requests": self.inline.stats["requests"],
            "timeouts": stats["timeouts"],
            "errors": self.state.errors,
            "server_errors": self.state.server_errors,
        }

    async def aclose(self) -> None:
        """Stop the batching task and the worker threads."""
        await self.batcher.close()
        self._decoder.shutdown(wait=False)

    # --- /get_reward -----------------------------------------------------------------

    async def _get_reward(self, scope, receive, send) -> None:
        try:
            headers = request_headers(scope)
            authorize(scope, headers, self.config.token)
            declared = headers.get(b"content-length", b"")
            small = declared.isdigit() and int(declared) <= self.config.inline_max_bytes
            if small:
                reply = await self._score(receive, headers)
            else:  # large bodies: a few at a time, from reading to reply (bounded memory)
                async with self._large:
                    reply = await self._score(receive, headers)
        except ClientGone:
            return
        except RequestError as err:
            return await self._fail(send, err.status, err.message)
        except ImageAccessError as err:
            return await self._fail(send, 403, str(err))
        except ResponseTooLong as err:
            return await self._fail(send, 413, str(err))
        except ServerFault as err:
            return await self._fail(send, err.status, str(err))
        except EmoError as err:
            return await self._fail(send, 422, str(err))
        except Exception as err:  # a bug or a broken dependency: answered, counted, logged
            log.exception("Unexpected error while scoring a request")
            return await self._fail(send, 500, f"Internal error: {type(err).__name__}: {err}")
        await _respond(send, 200, reply)

    async def _score(self, receive, headers) -> bytes:
        body = await read_body(receive, headers, self.config.max_body_bytes)
        small = len(body) <= self.config.inline_max_bytes
        if small:
            try:
                samples = self._decode(body, io=False)
            except NeedsIO:  # a path to check, or a dataset to index: off the loop
                samples = await self._decode_off_loop(body)
        else:
            samples = await self._decode_off_loop(body)
        if small and self.scorer.rules_only:
            results = await self.inline.submit(samples)
        else:
            results = await self.batcher.submit(samples)
        return dumps(merge(results))

    def _decode(self, body: bytes, io: bool):
        payload = parse_body(body)
        return self.scorer.prepare(*(payload[k] for k in FIELDS), io=io)

    async def _decode_off_loop(self, body: bytes):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._decoder, self._decode, body, True)

    async def _fail(self, send, status: int, message: str, headers=()) -> None:
        self.state.errors += 1
        if status >= 500:
            self.state.server_errors += 1
        if len(message) > 2000:
            message = message[:2000] + "..."
        message = message.encode("utf-8", "replace").decode("utf-8")  # lone surrogates
        await _respond(send, status, dumps({"error": message}), headers)

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _respond(send, status: int, body: bytes, headers=()) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*_JSON, (b"content-length", b"%d" % len(body)), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})
