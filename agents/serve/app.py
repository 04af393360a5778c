"""The reward server for OpenRLHF's ``--reward.remote_url`` (a FastAPI app).

Endpoints:

``POST /get_reward``
    body ``{"query": [...], "prompts": [...], "labels": [...]}`` (query = prompt +
    response, labels = JSON label fields, see :mod:`agents.common.labels`); reply
    ``{"rewards": [...], "scores": [...], "extra_logs": {component: [...]}}``.
    Concurrent requests are micro-batched (:class:`agents.serve.batching.MicroBatcher`).
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
    >>> from agents.serve import ServerConfig, create_app
    >>> app = create_app(ServerConfig(preset="emo_r3_paper"))
    >>> sorted(r.path for r in app.routes if r.path in ("/get_reward", "/health"))
    ['/get_reward', '/health']
"""

from __future__ import annotations

import asyncio
import contextlib

from agents.common.images import ImageAccessError
from agents.common.scorer import RewardScorer, merge
from agents.serve.batching import MicroBatcher
from agents.serve.config import ServerConfig
from agents.serve.request import FIELDS, RequestError, authorize, parse_body, read_body
from rewards.errors import EmoError, MissingDependencyError

__all__ = ["create_app"]


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
            authorize(request, config.token)
            body = await read_body(request, config.max_body_bytes)
            payload = parse_body(body)
            fields = tuple(payload[k] for k in FIELDS)
            if b"sample_id" in body:  # may index a dataset the first time: off the loop
                samples = await asyncio.to_thread(scorer.prepare, *fields)
            else:
                samples = scorer.prepare(*fields)
            results = await batcher.submit(samples)
        except RequestError as err:
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
