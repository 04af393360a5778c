"""Cut the response out of an OpenRLHF query (the prompt followed by the response).

OpenRLHF decodes prompt + response tokens with special tokens kept; the response is
what follows the prompt, with trailing end-of-turn tokens and whitespace removed.

With a vision-language policy the decoded query does not start with the prompt: the
processor expands each image placeholder of the chat template (``<|image_pad|>`` once
in the prompt) into one token per image patch. The prompt is then located by its
media placeholders: the query's k-th run of media tokens (k = the number of runs in
the prompt) is the prompt's last image, and the response starts after the prompt's
text that follows that image (the generation prompt, e.g. ``<|im_start|>assistant``).
A prompt found nowhere leaves the whole query as the response (``found`` False).

Every step is linear in the query's length.

Example:
    >>> from agents.common.queries import response_from_query
    >>> response_from_query("Q: \\\\boxed{awe}<|im_end|>", "Q: ")
    ('\\\\boxed{awe}', True)
    >>> prompt = "<|vision_start|><|image_pad|><|vision_end|>Q: "
    >>> response_from_query(prompt.replace("<|image_pad|>", "<|image_pad|>" * 4) + "A", prompt)
    ('A', True)
"""

from __future__ import annotations

import re
from itertools import islice

__all__ = ["END_MARKERS", "MEDIA_TOKENS", "response_from_query", "strip_end_markers"]

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

#: Image/video placeholder tokens that a VLM processor expands into many (Qwen2/2.5/3-VL,
#: LLaVA-style ``<image>``, Gemma 3's ``<start_of_image>`` + soft tokens, Phi/MiniCPM-style
#: ``<|image|>``). A run of any of them counts as one placeholder.
MEDIA_TOKENS = (
    "<|image_pad|>",
    "<|video_pad|>",
    "<image>",
    "<video>",
    "<start_of_image>",
    "<image_soft_token>",
    "<|image|>",
)

_MEDIA_RUN = re.compile("(?:" + "|".join(map(re.escape, MEDIA_TOKENS)) + ")+")


def response_from_query(query: str, prompt: str) -> tuple[str, bool]:
    """The response part of a query and whether the prompt was found in it.

    Args:
        query: prompt + response as OpenRLHF decodes it (special tokens kept).
        prompt: the prompt string OpenRLHF sends beside it.

    Returns:
        ``(response, found)``: the text after the prompt with end-of-turn tokens and
        surrounding trailing whitespace stripped; ``found`` is False when the prompt
        could not be located (the whole query is then returned, stripped).
    """
    start = _prompt_end(query, prompt)
    text = query if start is None else query[start:]
    return strip_end_markers(text), start is not None


def _prompt_end(query: str, prompt: str) -> int | None:
    """Where the prompt ends in the query, or None."""
    if query.startswith(prompt):
        return len(prompt)
    runs = list(_MEDIA_RUN.finditer(prompt))
    if runs:
        # The query's k-th media run is the expansion of the prompt's last placeholder.
        last = next(islice(_MEDIA_RUN.finditer(query), len(runs) - 1, None), None)
        if last is not None:
            tail = prompt[runs[-1].end() :]
            at = query.find(tail, last.end())
            if at >= 0:
                return at + len(tail)
    if prompt:  # e.g. decoded with a BOS token the prompt string lacks
        at = query.find(prompt)
        if at >= 0:
            return at + len(prompt)
    return None


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
