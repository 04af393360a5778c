"""Cut the response out of an OpenRLHF query (the prompt followed by the response).

OpenRLHF decodes prompt + response tokens with special tokens kept; the response is
what follows the prompt, with trailing end-of-turn tokens removed.

Example:
    >>> from agents.common.queries import response_from_query
    >>> response_from_query("Q: \\\\boxed{awe}<|im_end|>", "Q: ")
    ('\\\\boxed{awe}', True)
"""

from __future__ import annotations

__all__ = ["END_MARKERS", "response_from_query"]

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
    stripped = True
    while stripped:
        stripped = False
        text = text.rstrip()
        for marker in END_MARKERS:
            if text.endswith(marker):
                text, stripped = text[: -len(marker)], True
    return text, found
