"""Read and check one ASGI request of ``/get_reward``: token, body size, JSON body.

Each check raises :class:`RequestError` with the HTTP status to answer (400 body not a
JSON object or not valid JSON, too deep, a number too long; 401 token; 413 body too
large); a body missing a field raises :class:`~rewards.errors.InvalidInputError`
(answered 422 with the other field errors). Everything here reads the raw ASGI scope and
messages: no framework sits between uvicorn and the handlers.

Example:
    >>> from agents.serve.request import RequestError, parse_body
    >>> parse_body(b'{"query": ["q"], "prompts": [""], "labels": ["awe"]}')["labels"]
    ['awe']
    >>> try:
    ...     parse_body(b"[" * 100000)
    ... except RequestError as err:
    ...     err.status
    400
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from agents.common.jsoncodec import JSONError, loads
from rewards.errors import InvalidInputError

__all__ = [
    "FIELDS",
    "ClientGone",
    "RequestError",
    "authorize",
    "parse_body",
    "read_body",
    "request_headers",
]

#: The fields of a ``/get_reward`` body (OpenRLHF's remote reward request).
FIELDS = ("query", "prompts", "labels")

_WANTED = (b"authorization", b"x-emo-token", b"content-length")


class RequestError(Exception):
    """A request the server answers with ``status`` and ``{"error": message}``."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class ClientGone(Exception):
    """The client disconnected before its body arrived (nothing is answered)."""


def request_headers(scope: dict[str, Any]) -> dict[bytes, bytes]:
    """The headers the server reads (token, content length), lower-case names."""
    return {k: v for k, v in scope["headers"] if k in _WANTED}


def authorize(scope: dict[str, Any], headers: dict[bytes, bytes], token: str | None) -> None:
    """Check the shared token (``Authorization: Bearer``, ``X-Emo-Token`` or ``?token=``)."""
    if token is None:
        return
    given = headers.get(b"x-emo-token", b"")
    if not given and scope.get("query_string"):
        try:
            query = parse_qs(scope["query_string"].decode("latin-1"), max_num_fields=20)
        except ValueError:
            raise RequestError(400, "Too many query parameters.") from None
        given = query.get("token", [""])[0].encode("utf-8", "replace")
    auth = headers.get(b"authorization", b"")
    if auth[:7].lower() == b"bearer ":
        given = auth[7:].strip()
    if not hmac.compare_digest(given, token.encode()):
        raise RequestError(401, "Missing or wrong token (Authorization: Bearer, or ?token=).")


async def read_body(
    receive: Callable[[], Awaitable[dict[str, Any]]],
    headers: dict[bytes, bytes],
    limit: int,
) -> bytes:
    """The raw body, refused (413) as soon as it is declared or grows over ``limit`` bytes.

    Raises:
        RequestError: 400 for a malformed Content-Length, 413 for a body over ``limit``.
        ClientGone: the client disconnected first.
    """
    declared = headers.get(b"content-length")
    if declared is not None:
        if not declared.isdigit() or len(declared) > 18:
            raise RequestError(400, "Invalid Content-Length header.")
        if int(declared) > limit:
            raise RequestError(
                413, f"Request body of {int(declared)} bytes exceeds {limit} bytes (--max-body-mb)."
            )
    message = await receive()
    if message["type"] == "http.disconnect":
        raise ClientGone
    body = message.get("body", b"")
    if not message.get("more_body", False):  # the usual case: one message
        if len(body) > limit:
            raise RequestError(413, f"Request body exceeds {limit} bytes (--max-body-mb).")
        return body
    chunks, size = [body], len(body)
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise RequestError(413, f"Request body exceeds {limit} bytes (--max-body-mb).")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def parse_body(body: bytes) -> dict[str, Any]:
    """The JSON object of a body holding every field of :data:`FIELDS`."""
    try:
        payload = loads(body)
    except JSONError as err:
        raise RequestError(400, f"Body is not valid JSON: {err}") from None
    if not isinstance(payload, dict):
        raise RequestError(400, "Body must be a JSON object with 'query', 'prompts', 'labels'.")
    missing = [k for k in FIELDS if k not in payload]
    if missing:
        raise InvalidInputError(f"Body lacks {missing}; send 'query', 'prompts' and 'labels'.")
    return payload
