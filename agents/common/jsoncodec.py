"""JSON in and out of reward requests: orjson when installed, the standard library else.

:func:`loads` never lets a hostile document escape as anything but :class:`JSONError`:
too deep nesting (``"[" * 100000``), a 5000-digit integer, bytes that are not UTF-8.
orjson reads the common case; what it refuses is read again by the standard library,
which also accepts lone surrogate escapes (``"\\ud800"``) that orjson rejects, so both
paths accept the same documents. :func:`dumps` returns UTF-8 bytes; :func:`clean_text`
replaces the lone surrogates a decoded string may hold (no tokenizer or UTF-8 encoder
takes them) with U+FFFD.

Example:
    >>> from agents.common.jsoncodec import JSONError, dumps, loads
    >>> loads(b'{"a": [1, 2]}'), dumps({"a": 1.5})
    ({'a': [1, 2]}, b'{"a":1.5}')
    >>> try:
    ...     loads(b"[" * 100000)
    ... except JSONError:
    ...     print("refused")
    refused
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["JSONError", "clean_text", "dumps", "loads"]

try:  # the serve extra installs it; everything works without it, only slower
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised where orjson is absent
    _orjson = None


class JSONError(ValueError):
    """A document that is not valid JSON (or too deep, or a number too long)."""


def loads(data: bytes | str) -> Any:
    """Parse a JSON document.

    Raises:
        JSONError: invalid JSON, nesting too deep, an integer of thousands of digits.
    """
    if _orjson is not None:
        try:
            return _orjson.loads(data)
        except _orjson.JSONDecodeError:
            pass  # let the standard library decide, and word the error
    try:
        return json.loads(data)
    except RecursionError:
        raise JSONError("JSON nested too deeply.") from None
    except ValueError as err:  # JSONDecodeError, UnicodeDecodeError, int digit limit
        raise JSONError(str(err)[:300]) from None


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (ASCII text returned as is)."""
    if text.isascii():
        return text
    return _SURROGATE.sub("\ufffd", text)


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON of ``obj`` (NaN written as null, as orjson does)."""
    if _orjson is not None:
        return _orjson.dumps(obj)
    return json.dumps(_no_nan(obj), separators=(",", ":"), ensure_ascii=False).encode()


def _no_nan(obj: Any) -> Any:  # pragma: no cover - the fallback path
    if isinstance(obj, float):
        return None if obj != obj or obj in (float("inf"), float("-inf")) else obj
    if isinstance(obj, dict):
        return {k: _no_nan(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_no_nan(v) for v in obj]
    return obj
