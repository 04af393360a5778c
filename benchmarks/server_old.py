"""The reward server's request path before it was made lean, kept as bench_server's anchor.

A frozen copy of the FastAPI app of commit 0e08059 (``agents/serve/app.py`` and
``request.py``): every request goes through Starlette's Request, the standard-library
JSON parser, ``RewardScorer.prepare`` and the :class:`MicroBatcher` (a thread hop and
up to ``max_wait_ms`` of batching wait), served by uvicorn on asyncio + h11 (the
environment had neither uvloop nor httptools). Only bench_server.py uses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from agents.common.images import ImageAccessError
from agents.common.scorer import RewardScorer, merge
from agents.serve.batching import MicroBatcher
from agents.serve.config import ServerConfig
from rewards.errors import EmoError

__all__ = ["create_old_app"]

FIELDS = ("query", "prompts", "labels")


class _RequestError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


async def _read_body(request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise _RequestError(400, "Invalid Content-Length header.")
        if int(declared) > limit:
            raise _RequestError(413, f"Request body of {declared} bytes exceeds {limit} bytes.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _RequestError(413, f"Request body exceeds {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_body(body: bytes) -> dict:
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise _RequestError(400, f"Body is not valid JSON: {err}") from None
    if not isinstance(payload, dict):
        raise _RequestError(400, "Body must be a JSON object with 'query', 'prompts', 'labels'.")
    return payload


def create_old_app(config: ServerConfig, scorer: RewardScorer):
    """The old FastAPI app (``app.state.batcher`` exposed), on the given scorer."""
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse

    batcher = MicroBatcher(scorer.score_samples, config.max_batch, config.max_wait_ms / 1000)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        await batcher.close()

    app = FastAPI(title="emo-r3 reward server", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.batcher = batcher

    async def get_reward(request) -> JSONResponse:
        try:
            body = await _read_body(request, config.max_body_bytes)
            payload = _parse_body(body)
            fields = tuple(payload[k] for k in FIELDS)
            if b"sample_id" in body:
                samples = await asyncio.to_thread(scorer.prepare, *fields)
            else:
                samples = scorer.prepare(*fields)
            results = await batcher.submit(samples)
        except _RequestError as err:
            return JSONResponse({"error": err.message}, status_code=err.status)
        except ImageAccessError as err:
            return JSONResponse({"error": str(err)}, status_code=403)
        except EmoError as err:
            return JSONResponse({"error": str(err)}, status_code=422)
        return JSONResponse(merge(results))

    app.add_route("/get_reward", get_reward, methods=["POST"])
    return app
