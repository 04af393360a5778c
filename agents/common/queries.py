"""Cut the response out of an OpenRLHF query (the prompt followed by the response).

OpenRLHF decodes prompt + response tokens with special tokens kept; the response is
what follows the prompt, with trailing end-of-turn tokens removed.

Example:
    >>> from agents.common.queries import response_from_query
    >>> response_from_query("Q: \\\\boxed{awe}<|im_end|>", "Q: ")
    ('\\\\boxed{awe}', True)
"""

from __future__ import annotations

import re

__all__ = ["END_MARKERS", "response_from_query", "strip_end_markers"]

#: End-of-turn tokens of common chat templates, stripped from the end of a response.
END_MARKERS = (
    "<|im_end|>",
    "<|endoftext|>",
    "<|eot_id|>",
    "<end_of_turn>",
    "<|end|>",
    "</s>",
    "<eos>",
)


def response_from_query(query: str, prompt: str) -> tuple[str, bool]:
    """The response part of a query and whether the prompt was found in it."""
    if query.startswith(prompt):
        text, found = query[len(prompt) :], True
    elif prompt and prompt in query:
        text, found = query[query.rindex(prompt) + len(prompt) :], True
    else:
        text, found = query, False
    return strip_end_markers(text), found


# The tail of whitespace and end markers, read on the reversed text: one left-to-right
# match, linear in the tail. No marker is a suffix of another, so removing them one at a
# time in any order leaves the same text as this greedy match.
_TAIL = re.compile(r"\s*(?:(?:" + "|".join(re.escape(m[::-1]) for m in END_MARKERS) + r")\s*)*")
_LONGEST = max(map(len, END_MARKERS))
_MAX_WINDOW = 1 << 16


def strip_end_markers(text: str) -> str:
    """``text`` without its trailing whitespace and end-of-turn markers, in linear time.

    The tail is read backwards in windows of at most 64 Ki characters, so a long run of
    markers (``"</s>" * 2_000_000``) never holds the interpreter for long at a time.

    Example:
        >>> strip_end_markers("answer </s>\\n<|endoftext|>  ")
        'answer'
    """
    if not text or not (text[-1] == ">" or text[-1].isspace()):
        return text
    n, pos, window = len(text), 0, 256
    while True:
        stop = min(n, pos + window)
        end = pos + _TAIL.match(text[n - stop : n - pos][::-1]).end()
        if stop < n and end > pos and end >= stop - _LONGEST:
            pos, window = end, min(2 * window, _MAX_WINDOW)  # the window may cut a marker
            continue
        return text[: n - end]
