"""Read and check one HTTP request of ``/get_reward``: token, body size, JSON body.

Each check raises :class:`RequestError` with the HTTP status to answer (400 body not a
JSON object, 401 token, 413 body too large); a body missing a field raises
:class:`~rewards.errors.InvalidInputError` (answered 422 with the other field errors).

Example:
    >>> from agents.serve.request import RequestError, parse_body
    >>> parse_body(b'{"query": ["q"], "prompts": [""], "labels": ["awe"]}')["labels"]
    ['awe']
    >>> try:
    ...     parse_body(b"[1]")
    ... except RequestError as err:
    ...     err.status
    400
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from rewards.errors import InvalidInputError

__all__ = ["FIELDS", "RequestError", "authorize", "parse_body", "read_body"]

#: The fields of a ``/get_reward`` body (OpenRLHF's remote reward request).
FIELDS = ("query", "prompts", "labels")


class RequestError(Exception):
    """A request the server answers with ``status`` and ``{"error": message}``."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def authorize(request, token: str | None) -> None:
    """Check the shared token (``Authorization: Bearer``, ``X-Emo-Token`` or ``?token=``)."""
    if token is None:
        return
    given = request.headers.get("x-emo-token") or request.query_params.get("token") or ""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise RequestError(401, "Missing or wrong token (Authorization: Bearer, or ?token=).")


async def read_body(request, limit: int) -> bytes:
    """The raw body, refused (413) as soon as it exceeds ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise RequestError(400, "Invalid Content-Length header.")
        if int(declared) > limit:
            raise RequestError(413, f"Request body of {declared} bytes exceeds {limit} bytes.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(413, f"Request body exceeds {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_body(body: bytes) -> dict[str, Any]:
    """The JSON object of a body holding every field of :data:`FIELDS`."""
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise RequestError(400, f"Body is not valid JSON: {err}") from None
    if not isinstance(payload, dict):
        raise RequestError(400, "Body must be a JSON object with 'query', 'prompts', 'labels'.")
    missing = [k for k in FIELDS if k not in payload]
    if missing:
        raise InvalidInputError(f"Body lacks {missing}; send 'query', 'prompts' and 'labels'.")
    return payload
