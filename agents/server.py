"""The reward server for OpenRLHF's ``--reward.remote_url`` (FastAPI on uvicorn).

Endpoints:

``POST /get_reward``
    body ``{"query": [...], "prompts": [...], "labels": [...]}`` (query = prompt +
    response, labels = JSON label fields, see :mod:`agents.labels_codec`); reply
    ``{"rewards": [...], "scores": [...], "extra_logs": {component: [...]}}``.
    Concurrent requests are micro-batched (:class:`agents.batching.MicroBatcher`).
``GET /health``
    ``{"status": "ok", ...}`` with the preset and batching statistics.

Errors are answered with a JSON ``{"error": message}`` and a 4xx status: 400 for a body
that is not a JSON object, 401 for a missing or wrong token, 403 for an image path
outside the image roots, 413 for an oversized body, 422 for wrong field types,
mismatched lengths or unknown labels. The server keeps serving after any of them.

The shared token (optional) is read from the ``Authorization: Bearer`` header, an
``X-Emo-Token`` header, or a ``token`` query parameter (OpenRLHF sends no headers:
use ``--reward.remote_url http://HOST:PORT/get_reward?token=...``).

Example:
    >>> from agents.server import ServerConfig, create_app
    >>> app = create_app(ServerConfig(preset="emo_r3_paper"))
    >>> sorted(r.path for r in app.routes if r.path in ("/get_reward", "/health"))
    ['/get_reward', '/health']
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from agents.batching import MicroBatcher
from agents.image_refs import ImageAccessError
from agents.reward_api import RewardScorer, merge
from rewards.errors import EmoError, InvalidInputError, MissingDependencyError
from rewards.presets import DEFAULT_PRESETS

__all__ = ["ServerConfig", "ServerThread", "create_app", "serve"]


@dataclass
class ServerConfig:
    """Settings of the reward server.

    Attributes:
        host: interface to bind (loopback unless told otherwise).
        port: TCP port.
        preset: reward preset; ``preset_args`` are options of
            :func:`rewards.presets.build` (``judge`` included).
        label_set: default label set of bare labels.
        image_roots: folders image paths in labels may point into.
        dataset: dataset of ``sample_id`` image references.
        max_batch: most samples scored per rubric call.
        max_wait_ms: how long a micro-batch may wait to fill.
        max_body_bytes: largest accepted request body.
        token: shared secret; None = no authentication.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    preset: str = DEFAULT_PRESETS["serve"]
    preset_args: dict[str, Any] = field(default_factory=dict)
    label_set: str = "mikels8"
    image_roots: tuple[str, ...] = ()
    dataset: str = "embedded"
    load_images: bool | None = None
    max_batch: int = 64
    max_wait_ms: float = 20.0
    max_body_bytes: int = 8 * 1024 * 1024
    token: str | None = None

    def scorer(self) -> RewardScorer:
        return RewardScorer(
            self.preset,
            self.preset_args,
            self.label_set,
            self.image_roots,
            self.dataset,
            self.load_images,
        )


class _HTTPError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def create_app(config: ServerConfig | None = None, scorer: RewardScorer | None = None):
    """Build the FastAPI app (``app.state.batcher`` and ``app.state.scorer`` exposed)."""
    try:
        from fastapi import FastAPI
        from fastapi.responses import JSONResponse
    except ImportError as err:
        raise MissingDependencyError("fastapi", "serve", "the reward server") from err
    config = config or ServerConfig()
    scorer = scorer or config.scorer()
    batcher = MicroBatcher(scorer.score_samples, config.max_batch, config.max_wait_ms / 1000)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        await batcher.close()

    app = FastAPI(title="emo-r3 reward server", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.scorer, app.state.batcher, app.state.config = scorer, batcher, config
    app.state.errors = 0

    def fail(status: int, message: str) -> JSONResponse:
        app.state.errors += 1
        return JSONResponse({"error": message}, status_code=status)

    async def health(request) -> JSONResponse:
        return JSONResponse(
            {
                "status": "ok",
                "preset": scorer.rubric.__name__,
                "components": list(scorer.rubric.names),
                "batches": batcher.stats["batches"],
                "samples": batcher.stats["samples"],
                "largest_batch": batcher.stats["largest_batch"],
                "errors": app.state.errors,
            }
        )

    async def get_reward(request) -> JSONResponse:
        try:
            _authorize(request, config.token)
            body = await _read_body(request, config.max_body_bytes)
            payload = _parse(body)
            fields = (payload["query"], payload["prompts"], payload["labels"])
            if b"sample_id" in body:  # may index a dataset the first time: off the loop
                samples = await asyncio.to_thread(scorer.prepare, *fields)
            else:
                samples = scorer.prepare(*fields)
            results = await batcher.submit(samples)
        except _HTTPError as err:
            return fail(err.status, err.message)
        except ImageAccessError as err:
            return fail(403, str(err))
        except EmoError as err:
            return fail(422, str(err))
        return JSONResponse(merge(results))

    # Plain Starlette routes: the handlers read the raw body themselves, so they control
    # size limits and error messages (no pydantic model in between).
    app.add_route("/health", health, methods=["GET"])
    app.add_route("/get_reward", get_reward, methods=["POST"])

    return app


def _authorize(request, token: str | None) -> None:
    if token is None:
        return
    given = request.headers.get("x-emo-token") or request.query_params.get("token") or ""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise _HTTPError(401, "Missing or wrong token (Authorization: Bearer, or ?token=).")


async def _read_body(request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise _HTTPError(400, "Invalid Content-Length header.")
        if int(declared) > limit:
            raise _HTTPError(413, f"Request body of {declared} bytes exceeds {limit} bytes.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _HTTPError(413, f"Request body exceeds {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise _HTTPError(400, f"Body is not valid JSON: {err}") from None
    if not isinstance(payload, dict):
        raise _HTTPError(400, "Body must be a JSON object with 'query', 'prompts', 'labels'.")
    missing = [k for k in ("query", "prompts", "labels") if k not in payload]
    if missing:
        raise InvalidInputError(f"Body lacks {missing}; send 'query', 'prompts' and 'labels'.")
    return payload


def serve(config: ServerConfig, log_level: str = "warning") -> None:
    """Run the server with uvicorn until interrupted."""
    try:
        import uvicorn
    except ImportError as err:
        raise MissingDependencyError("uvicorn", "serve", "the reward server") from err
    app = create_app(config)
    uvicorn.run(
        app,
        host=config.host,
        port=config.port,
        log_level=log_level,
        access_log=False,  # the token may travel in the query string
        limit_concurrency=4096,
        timeout_keep_alive=30,
    )


class ServerThread:
    """Run the server on a background thread (tests, benchmarks, notebooks).

    ``port=0`` picks a free port; :attr:`url` is the ``/get_reward`` address once
    started. Use as a context manager.
    """

    def __init__(self, config: ServerConfig | None = None, scorer: RewardScorer | None = None):
        import threading

        import uvicorn

        self.config = config or ServerConfig(port=0)
        self.app = create_app(self.config, scorer)
        self._server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                host=self.config.host,
                port=self.config.port,
                log_level="warning",
                access_log=False,
                limit_concurrency=4096,
                backlog=4096,
            )
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self.url = ""

    def __enter__(self) -> ServerThread:
        import time

        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("The reward server did not start.")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://{self.config.host}:{port}"
        self.url = f"{self.base_url}/get_reward"
        return self

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
