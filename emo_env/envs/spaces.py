"""Text spaces that admit real prose, and fitting text into them."""

from __future__ import annotations

import string
import unicodedata
from typing import Any

__all__ = ["PROSE_CHARSET", "fit_text", "prose_space"]

# Printable ASCII with newline and tab, Latin-1 and Latin Extended-A letters, and the
# common typographic punctuation (dashes, curly quotes, ellipsis, bullets, euro sign).
PROSE_CHARSET: str = "".join(
    dict.fromkeys(
        string.printable
        + "".join(chr(c) for c in range(0xA0, 0x180))
        + "".join(chr(c) for c in range(0x2010, 0x2028))
        + "".join(chr(c) for c in range(0x2030, 0x205F))
        + "€™"
    )
)
_CHARS = frozenset(PROSE_CHARSET)


def prose_space(max_length: int, min_length: int = 0) -> Any:
    """A ``gymnasium.spaces.Text`` over :data:`PROSE_CHARSET`."""
    from gymnasium import spaces

    return spaces.Text(max_length, min_length=min_length, charset=PROSE_CHARSET)


def fit_text(text: str, max_length: int) -> str:
    """``text`` with characters outside :data:`PROSE_CHARSET` folded to ASCII (or ``?``)
    and cut to ``max_length`` characters, so observations stay inside their space."""
    if all(c in _CHARS for c in text):
        return text[:max_length]
    out = []
    for char in text:
        if char in _CHARS:
            out.append(char)
            continue
        folded = unicodedata.normalize("NFKD", char)
        kept = "".join(c for c in folded if c in _CHARS and not unicodedata.combining(c))
        out.append(kept or "?")
    return "".join(out)[:max_length]
