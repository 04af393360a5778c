"""Linear-time string scans behind the parsers (private; :mod:`rewards.parsing` is public).

Every function here runs in time linear in the length of its input, whatever the input:
no regular expression that rescans from every tag, no ``.*`` between literals, no
search restarted at each position. Each one equals a plainer (and on some inputs
quadratic or exponential) regular-expression definition, named in its docstring; the
property tests in ``tests/rewards/test_scan_equivalence.py`` check the two agree.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "BOX",
    "TagScanner",
    "compact",
    "cut",
    "format_ok",
    "last_answer",
    "last_boxed",
    "loose_format_ok",
    "tag_scanner",
]

BOX = "\\boxed{"
_CLOSE_RUN = re.compile(r"\}+")
_SIMPLE_BOX = re.compile(r"\\boxed\{([^{}<>/]*)\}")


def compact(text: str) -> str:
    """Delete every whitespace run next to a ``<``, ``>`` or ``/``.

    Equals ``re.sub(r"\\s*(<|>|/)\\s*", r"\\1", text)`` (the reference's step), which is
    quadratic on long whitespace runs. A whitespace run is deleted exactly when one of
    its two neighbours is one of the three characters, so the text is split on each of
    them in turn and the pieces are stripped at the sides that touch a separator
    (``str.strip`` and the regex ``\\s`` use the same definition of whitespace).
    """
    for char in "<>/":
        if char in text:
            parts = text.split(char)
            stripped = list(map(str.strip, parts))
            stripped[0] = parts[0].rstrip()
            stripped[-1] = parts[-1].lstrip()
            text = char.join(stripped)
    return text


def format_ok(packed: str, tokens: tuple[str, ...]) -> bool:
    """Whether ``packed`` starts with ``tokens[0]`` and holds the others after it, in order.

    Equals ``re.fullmatch(".*".join(map(re.escape, tokens)) + ".*", packed, re.DOTALL)``:
    for literal tokens separated by ``.*`` the leftmost occurrence of each token after
    the previous one's end is as good as any, so one ``str.find`` per token decides.
    """
    if not packed.startswith(tokens[0]):
        return False
    pos = len(tokens[0])
    for token in tokens[1:]:
        pos = packed.find(token, pos)
        if pos < 0:
            return False
        pos += len(token)
    return True


def last_boxed(text: str) -> str | None:
    """Content of the last ``\\boxed{`` (brace-balanced, stripped), None if it never closes.

    Equals walking the characters after the last ``\\boxed{`` with a depth counter
    (``{`` +1, ``}`` closes at depth 0, else -1), taking each run of ``}`` at once.
    """
    start = text.rfind(BOX)
    if start < 0:
        return None
    body = pos = start + len(BOX)
    depth = 0
    while True:
        close = text.find("}", pos)
        if close < 0:
            return None
        depth += text.count("{", pos, close)
        if depth == 0:
            return text[body:close].strip()
        run = _CLOSE_RUN.match(text, close).end() - close
        if run > depth:
            close += depth
            return text[body:close].strip()
        depth -= run
        pos = close + run


def last_answer(text: str) -> str | None:
    """``last_boxed(compact(text))`` without compacting more than the last box's tail.

    Compaction is local (a whitespace run is deleted or kept by its two neighbours), a
    ``\\boxed{`` holds no ``<``, ``>``, ``/`` or whitespace, and the text from the last
    raw ``\\boxed{`` on starts with a non-space: so its compaction is the tail of the
    compacted text from its last ``\\boxed{`` on.
    """
    start = text.rfind(BOX)
    if start < 0:
        return None
    simple = _SIMPLE_BOX.match(text, start)  # no brace or tag character inside: as it is
    if simple is not None:
        return simple.group(1).strip()
    return last_boxed(compact(text[start:]))


def loose_format_ok(text: str, scanners: tuple[TagScanner, ...]) -> bool:
    """``format_ok(compact(text), tokens)`` for the tags of ``scanners``, on the raw text.

    A ``<tag>`` of the compacted text is a ``<\\s*tag\\s*>`` of the raw text (and
    ``</tag>`` a ``<\\s*/\\s*tag\\s*>``), in the same order; the compacted text starts
    with the first tag when the raw text does after whitespace. So the same chain of
    leftmost finds runs on the raw text with the loose tag patterns.
    """
    first = scanners[0]
    opened = first.lead.match(text)
    if opened is None:
        return False
    pos = opened.end()
    for i, scanner in enumerate(scanners):
        if i:
            opened = scanner.open.search(text, pos)
            if opened is None:
                return False
            pos = opened.end()
        closed = scanner.close.search(text, pos)
        if closed is None:
            return False
        pos = closed.end()
    box = text.find(BOX, pos)
    return box >= 0 and text.find("}", box + len(BOX)) >= 0


def cut(text: str, start_tag: str, end_tag: str, include_end: bool) -> str | None:
    """From the first ``start_tag`` to the nearest ``end_tag`` after it, stripped.

    Equals ``re.search(start + ".*?" + (end if include_end else "(?=" + end + ")"),
    text, re.DOTALL).group(0).strip()`` (None when there is no match): a later
    ``start_tag`` cannot find an ``end_tag`` the first one missed.
    """
    start = text.find(start_tag)
    if start < 0:
        return None
    end = text.find(end_tag, start + len(start_tag))
    if end < 0:
        return None
    return text[start : end + len(end_tag) if include_end else end].strip()


class TagScanner:
    """Finds ``<tag>``/``</tag>`` with whitespace allowed around ``<``, ``/``, ``>``.

    ``open`` matches ``<\\s*tag\\s*>`` and ``close`` matches ``<\\s*/\\s*tag\\s*>``; both
    start with the literal ``<``, so a search is linear in the text.
    """

    __slots__ = ("close", "lead", "name", "open")

    def __init__(self, name: str):
        self.name = name
        self.open = re.compile(rf"<\s*{re.escape(name)}\s*>")
        self.close = re.compile(rf"<\s*/\s*{re.escape(name)}\s*>")
        self.lead = re.compile(rf"\s*<\s*{re.escape(name)}\s*>")  # an open tag first

    def content(self, text: str) -> str | None:
        """Stripped text between the first open tag and the nearest close tag after it.

        Equals ``re.search(r"<\\s*T\\s*>(.*?)<\\s*/\\s*T\\s*>", text, re.DOTALL)``'s group 1,
        stripped: when the first open tag has no close after it, no later one has.
        """
        opened = self.open.search(text)
        if opened is None:
            return None
        closed = self.close.search(text, opened.end())
        if closed is None:
            return None
        return text[opened.end() : closed.start()].strip()


@lru_cache(maxsize=64)
def tag_scanner(name: str) -> TagScanner:
    """The (shared) scanner for one tag name."""
    return TagScanner(name)
