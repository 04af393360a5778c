"""Text spaces that admit real model text, and fitting text into them.

``gymnasium.spaces.Text`` admits only strings over its charset, so real responses (emoji,
CJK, curly quotes, ``\\boxed{}`` with any symbol) would fall outside it while ``step``
accepts them. :class:`ProseText` admits any ``str`` within its length bounds and still
samples readable prose from :data:`PROSE_CHARSET`.
"""

from __future__ import annotations

import string
from typing import Any

from gymnasium import spaces

__all__ = ["PROSE_CHARSET", "ProseText", "fit_text", "prose_space"]

# What sample() draws from: printable ASCII with newline and tab, Latin-1 and Latin
# Extended-A letters, the common typographic punctuation (dashes, curly quotes, ellipsis,
# bullets, euro sign). Membership (contains) is NOT limited to it.
PROSE_CHARSET: str = "".join(
    dict.fromkeys(
        string.printable
        + "".join(chr(c) for c in range(0xA0, 0x180))
        + "".join(chr(c) for c in range(0x2010, 0x2028))
        + "".join(chr(c) for c in range(0x2030, 0x205F))
        + "€™"
    )
)


class ProseText(spaces.Text):
    """A ``Text`` space containing every ``str`` within its length bounds.

    ``sample()`` draws from :data:`PROSE_CHARSET`; ``contains`` accepts any characters
    (model output is unicode), so the space is not flattenable to charset indices.
    """

    def contains(self, x: Any) -> bool:
        return isinstance(x, str) and self.min_length <= len(x) <= self.max_length

    @property
    def is_np_flattenable(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"ProseText({self.min_length}, {self.max_length})"

    def __eq__(self, other: object, /) -> bool:
        return (
            type(other) is type(self)
            and self.min_length == other.min_length
            and self.max_length == other.max_length
        )


def prose_space(max_length: int, min_length: int = 0) -> Any:
    """A text space admitting any ``str`` of ``min_length``..``max_length`` characters."""
    return ProseText(max_length, min_length=min_length, charset=PROSE_CHARSET)


def fit_text(text: str, max_length: int) -> str:
    """``text`` cut to ``max_length`` characters, so an observation stays in its space."""
    return text if len(text) <= max_length else text[:max_length]
