"""One fused pass over a response: exactly the parse fields a rubric's rewards read.

:meth:`rewards.parsing.Parser.parse` builds a full :class:`~rewards.parsing.ParsedResponse`
(every field, memoised). A rubric needs fewer fields per reward, and GRPO responses are
all distinct, so rubric scoring runs :func:`scan` instead: one pass per response that
computes what the union of its rewards declared (``Reward.needs``) and shares every
search between fields (the step tags found for the step contents also decide the
format, the repeated-tag check and the loose passages). Each field equals the
corresponding :class:`~rewards.parsing.ParsedResponse` field; the tests check this on
random and adversarial responses. Linear in the length of the response.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rewards._scan import BOX, format_ok, last_answer, loose_format_ok

__all__ = [
    "ANSWER",
    "EXACT",
    "FORMAT",
    "LOOSE",
    "N_BOXES",
    "NEED_EXACT",
    "NEED_LOOSE",
    "NEED_MARKS",
    "NEED_REPEAT",
    "NEED_STEPS",
    "NEED_WORDS",
    "REPEATED",
    "STEPS",
    "WORD",
    "WORDS",
    "scan",
]

# what a reward may need beyond format, answer and box count (always computed)
NEED_STEPS, NEED_EXACT, NEED_LOOSE, NEED_REPEAT, NEED_WORDS = 1, 2, 4, 8, 16
#: batch scans only (:mod:`rewards._columns`): bounds on each step's non-word characters
NEED_MARKS = 32
_NEED_TAGS = NEED_STEPS | NEED_LOOSE | NEED_REPEAT | NEED_WORDS

# positions in a scan row
FORMAT, ANSWER, N_BOXES, STEPS, EXACT, LOOSE, REPEATED, WORDS = range(8)

#: A word, as the guards count them: a run of lower-case letters and apostrophes.
WORD = re.compile(r"[a-z']+")
# for ASCII text: every byte that cannot be in a word becomes a space, so split() = WORD
_WORD_BYTES = bytes(range(ord("a"), ord("z") + 1)) + b"'"
_NON_WORD_TO_SPACE = bytes(c if c in _WORD_BYTES else 32 for c in range(256))


def scan(parser, text: str, need: int) -> tuple:
    """``(format_ok, answer, n_boxes, steps, exact, loose, repeated, words)`` for a response.

    ``steps``, ``exact`` (the reference passages), ``loose`` (the passages cut with
    spaced tags), ``repeated`` (a tag opens twice after compaction) and ``words`` (the
    lower-cased :data:`WORD` list of each step) are None unless ``need`` asks for them
    (bits ``NEED_*``).
    """
    if not text:
        return _empty_row(parser, need)
    n_boxes = text.count(BOX)
    answer = last_answer(text) if n_boxes else None
    if need & (_NEED_TAGS | NEED_EXACT):
        plain = _plain_pattern(parser.tags).fullmatch(text)
        if plain is not None:
            return _from_plain(parser, text, plain, need, answer, n_boxes)
    steps = exact = loose = repeated = fmt = words = None
    if need & _NEED_TAGS:
        opens, closes = [], []
        for scanner in parser._scanners:
            opened = scanner.open.search(text)
            opens.append(opened)
            closes.append(None if opened is None else scanner.close.search(text, opened.end()))
        if need & (NEED_STEPS | NEED_WORDS):
            steps = tuple(
                None if c is None else text[o.end() : c.start()].strip()
                for o, c in zip(opens, closes, strict=True)
            )
            if need & NEED_WORDS:
                findall = WORD.findall
                words = tuple(findall(step.lower()) if step else [] for step in steps)
            if not need & NEED_STEPS:
                steps = None
        if need & NEED_REPEAT:
            repeated = any(
                o is not None and s.open.search(text, o.end()) is not None
                for s, o in zip(parser._scanners, opens, strict=True)
            )
        if need & NEED_LOOSE and parser.has_reflection:
            loose = _loose(parser, text, opens)
        fmt = _format_from_tags(text, opens, closes)
    if fmt is None:
        fmt = format_ok(text, parser.format_tokens) or loose_format_ok(text, parser._scanners)
    if need & NEED_EXACT and parser.has_reflection:
        exact = _exact(text)
    return fmt, answer, n_boxes, steps, exact, loose, repeated, words


@lru_cache(maxsize=64)
def _empty_row(parser, need: int) -> tuple:
    """The scan of the empty response (shared; nothing in a row is ever mutated)."""
    k = len(parser.tags)
    reflect = parser.has_reflection
    return (
        False,
        None,
        0,
        (None,) * k if need & NEED_STEPS else None,
        (None, None) if need & NEED_EXACT and reflect else None,
        (None, None) if need & NEED_LOOSE and reflect else None,
        False if need & NEED_REPEAT else None,
        tuple([] for _ in range(k)) if need & NEED_WORDS else None,
    )


@lru_cache(maxsize=8)
def _plain_pattern(tags: tuple[str, ...]) -> re.Pattern:
    """Responses whose every ``<`` starts an exact tag, each tag at most once, in order.

    ``prefix (<t>content</t> gap)? ...`` with no ``<`` in any prefix, content or gap:
    such a response holds no spaced tag, so the loose and exact readings coincide and
    every field follows from the groups. Each part stops at the next ``<``, so a
    failed match costs one pass over the text.
    """
    parts = [r"([^<]*)"]
    for tag in tags:
        parts.append(rf"(?:<{tag}>([^<]*)</{tag}>([^<]*))?")
    return re.compile("".join(parts))


def _from_plain(parser, text: str, m: re.Match, need: int, answer, n_boxes: int) -> tuple:
    regs = m.regs  # (start, end) of every group; (-1, -1) for a tag that is absent
    k = len(parser.tags)
    spans = regs[2 : 2 * k + 1 : 2]  # each tag's content; a gap follows each
    fmt = False
    if min(spans)[0] >= 0:  # every tag present, in order
        prefix_end = regs[1][1]
        if prefix_end == 0 or text[:prefix_end].isspace():
            box = text.find(BOX, regs[2 * k + 1][0])
            fmt = box >= 0 and text.find("}", box + len(BOX)) >= 0
    steps = words = exact = loose = None
    if need & NEED_STEPS:
        steps = _pieces(text, spans, str.strip)
    if need & NEED_WORDS:
        if text.isascii():  # positions survive lower(): one pass for all steps, in C
            low = text.lower().encode().translate(_NON_WORD_TO_SPACE).decode()
            words = _pieces(low, spans, str.split, [])
        else:
            words = _pieces(text, spans, _findall_lower, [])
    if parser.has_reflection and need & (NEED_EXACT | NEED_LOOSE):
        (start1, _), (start2, end2) = spans[0], spans[1]
        if start1 < 0 or start2 < 0:
            passages = (None, None)
        else:
            start = regs[1][1]
            passages = (text[start : start2 - 7].strip(), text[start : end2 + 8].strip())
        exact = passages if need & NEED_EXACT else None
        loose = passages if need & NEED_LOOSE else None
    repeated = False if need & NEED_REPEAT else None
    return fmt, answer, n_boxes, steps, exact, loose, repeated, words


def _pieces(text: str, spans: tuple, read, missing=None) -> tuple:
    """``read(text[start:end])`` for each span, ``missing`` where a span is absent."""
    if len(spans) == 3:
        (a, b), (c, d), (e, f) = spans
        return (
            missing if a < 0 else read(text[a:b]),
            missing if c < 0 else read(text[c:d]),
            missing if e < 0 else read(text[e:f]),
        )
    return tuple(missing if a < 0 else read(text[a:b]) for a, b in spans)


def _findall_lower(text: str) -> list[str]:
    return WORD.findall(text.lower())


def _format_from_tags(text: str, opens: list, closes: list) -> bool | None:
    """The format verdict from the first open/close of each tag, None when undecided.

    When every tag opens and closes, only whitespace precedes the first one and each
    tag opens after the previous one closed, the leftmost-find chain of
    :func:`~rewards._scan.loose_format_ok` meets exactly these tags; a tag that never
    opens, or never closes after its first opening, fails the chain.
    """
    if None in opens or None in closes:
        return False
    first = opens[0].start()
    if first and not text[:first].isspace():
        return None
    for prev_close, opened in zip(closes, opens[1:], strict=False):
        if opened.start() < prev_close.end():
            return None
    box = text.find(BOX, closes[-1].end())
    return box >= 0 and text.find("}", box + len(BOX)) >= 0


def _loose(parser, text: str, opens: list) -> tuple[str | None, str | None]:
    step1 = opens[0]
    if step1 is None:
        return None, None
    start, after = step1.start(), step1.end()
    scanner2 = parser._scanners[1]
    step2 = opens[1]  # the first <step2> anywhere; the passage needs the first after step1
    if step2 is not None and step2.start() < after:
        step2 = scanner2.open.search(text, after)
    closed = scanner2.close.search(text, after)
    return (
        None if step2 is None else text[start : step2.start()].strip(),
        None if closed is None else text[start : closed.end()].strip(),
    )


def _exact(text: str) -> tuple[str | None, str | None]:
    start = text.find("<step1>")
    if start < 0:
        return None, None
    cons = text.find("<step2>", start + 7)
    coh = text.find("</step2>", start + 7)
    return (
        None if cons < 0 else text[start:cons].strip(),
        None if coh < 0 else text[start : coh + 8].strip(),
    )
