"""The fused parse of a whole batch at once, field by field (column-wise).

:func:`rewards._fused.scan` parses one response into a row. A rubric scores batches,
so :func:`scan_batch` computes the same fields for every response of a batch as
columns, each with a few passes of C-level string methods over the batch
(``map(str.count, ...)``, one compiled pattern per response, slices and splits)
instead of a Python function call per field and response. Responses whose every
``<`` starts a step tag in order (the :func:`rewards._fused._plain_pattern` shape: the
common case) take this path; any other response is parsed by
:func:`~rewards._fused.scan` and its row written into the columns. Each column equals
the corresponding field of the row :func:`~rewards._fused.scan` gives for the same
response; the tests check this on generated batches.

Words are read from the *word view* of a response (:func:`word_view`): the text with
each character lower-cased, ``a-z`` and ``'`` kept, ``" "`` kept and every other
character replaced by a tab, so that a step's words are ``view[start:end].split()``
and the characters of a step that are neither word characters nor spaces are
``view.count("\\t", start, end)``, both in C.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import compress, repeat
from operator import attrgetter, le

from rewards._fused import (
    NEED_EXACT,
    NEED_LOOSE,
    NEED_MARKS,
    NEED_REPEAT,
    NEED_STEPS,
    NEED_WORDS,
    scan,
)
from rewards._scan import _SIMPLE_BOX, BOX, compact, format_ok, last_boxed, loose_format_ok

__all__ = ["LongWords", "Scan", "listed", "scan_batch", "word_view"]

_NEED_TAGS = NEED_STEPS | NEED_LOOSE | NEED_REPEAT | NEED_WORDS | NEED_MARKS
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz'")
#: bytes -> word view: a-z and ' kept, A-Z lower-cased, " " kept, anything else a tab
_VIEW = bytes(
    c if c in _WORD_BYTES else c + 32 if 65 <= c <= 90 else 32 if c == 32 else 9 for c in range(256)
)
_decode, _translate, _encode = bytes.decode, bytes.translate, str.encode
#: Tab-count standing in for "unknown" (forces the exact check of a step).
UNKNOWN = 1 << 30
#: A step longer than this (characters) keeps its distinct words, not its word list.
LONG = 2048


class LongWords(frozenset):
    """The distinct words of a long step, its word count (:attr:`size`) and, on demand,
    its word list (:meth:`listed`).

    A batch of long responses would otherwise hold every word of every step at once;
    set operations (what the guards mostly do) read the distinct words as well.
    """

    __slots__ = ("_text", "size")

    @classmethod
    def of(cls, view_piece: str) -> LongWords:
        words = view_piece.split()
        made = cls(words)
        made.size = len(words)
        made._text = view_piece
        return made

    def listed(self) -> list[str]:
        """The step's words, in order."""
        return self._text.split()


def listed(words: list[str] | LongWords) -> list[str]:
    """A step's word list, whichever way the scan kept it."""
    return words if type(words) is list else words.listed()


def word_view(text: str) -> str | None:
    """The word view of ``text`` (see the module docs), None when lower-casing changes
    its length (then positions in the view are not positions in the text).

    A non-ASCII character is lower-cased first and becomes a tab unless its lower case
    is an ASCII letter (the Kelvin sign is a ``k``), as ``str.lower`` and the word
    pattern ``[a-z']+`` read it.
    """
    if text.isascii():
        return _decode(_translate(_encode(text), _VIEW))
    low = text.lower()
    if len(low) != len(text):
        return None
    return _decode(_translate(low.encode("ascii", "replace"), _VIEW))


class Scan:
    """The fused parse fields of every response of a batch, one list per field.

    ``format``, ``answer``, ``n_boxes``: one entry per response. ``steps``, ``words``
    and ``sizes``: one list per tag (stripped step text or None; the step's words, a
    :class:`LongWords` for a long step; how many words).
    ``exact`` / ``loose``: the two reflective passages, one list each. ``repeated``:
    a tag opens twice. ``others``: per tag, an upper bound of the characters of the
    step that are neither word characters nor spaces. ``yes``: False only where the
    lower-cased response holds no ``yes`` (past :data:`LONG` characters in a batch
    scan: no ``yes`` standing as a word). ``spans``: per tag, the start and end lists
    of each step's content in the text (-1 where the step is absent or the response was
    parsed on its own). ``long``: some step may be a :class:`LongWords`. ``pieces``:
    per tag, each step's slice of the word view (batch scans asking for words or
    marks; right only where ``others`` is not :data:`UNKNOWN`), else None. Fields not
    asked for are None.
    """

    __slots__ = ("answer", "exact", "format", "loose", "n", "n_boxes", "need", "others")
    __slots__ += ("long", "pieces", "repeated", "sizes", "spans", "steps", "words", "yes")

    def row(self, i: int) -> tuple:
        """Response ``i``'s fields as the row :func:`rewards._fused.scan` gives."""

        def per_tag(columns):
            return None if columns is None else tuple(c[i] for c in columns)

        return (
            self.format[i],
            self.answer[i],
            self.n_boxes[i],
            per_tag(self.steps),
            per_tag(self.exact),
            per_tag(self.loose),
            None if self.repeated is None else self.repeated[i],
            None if self.words is None else tuple(listed(c[i]) for c in self.words),
        )


def _boxes(texts: list[str]) -> tuple[list[int], list, list[int], list[bool]]:
    """``(n_boxes, answer, last, closed)`` of each response: how many ``\\boxed{``, the
    content of the last one (:func:`rewards._scan.last_answer`), where it starts (-1:
    none) and whether it closes as a box with at most one level of inner braces.

    A response holds a second box only if a backslash precedes its last one, so the
    boxes are counted only there.
    """
    n = len(texts)
    last = list(map(str.rfind, texts, repeat(BOX)))
    if max(last, default=-1) < 0:
        return [0] * n, [None] * n, last, [False] * n
    before = list(map(str.find, texts, repeat("\\"), repeat(0), last))
    if max(before) < 0 and min(last) >= 0:  # one box in every response
        n_boxes = [1] * n
    else:
        n_boxes = [
            0 if at < 0 else 1 if b < 0 else t.count(BOX)
            for t, at, b in zip(texts, last, before, strict=True)
        ]
    found = list(map(_SIMPLE_BOX.match, texts, last))  # start -1: no box at 0 either
    if None not in found:
        return n_boxes, [m[1].strip() for m in found], last, found
    found = [
        _NESTED_BOX.match(t, at) if m is None and at >= 0 else m
        for m, at, t in zip(found, last, texts, strict=True)
    ]
    answers = [
        m[1].strip() if m is not None else None if at < 0 else last_boxed(compact(t[at:]))
        for m, at, t in zip(found, last, texts, strict=True)
    ]
    return n_boxes, answers, last, found


#: A box whose content holds no tag character and at most one level of braces
#: (``\\boxed{\\text{fear}}``): its content, as the brace walk reads it.
_NESTED_BOX = re.compile(r"\\boxed\{((?:[^{}<>/]|\{[^{}<>/]*\})*)\}")


def scan_batch(parser, texts: list[str], need: int) -> Scan:
    """The fields ``need`` asks for (``NEED_*`` bits) of every response of ``texts``."""
    if not any(texts):
        return _blank(parser, len(texts), need)
    if len(texts) == 1:
        return _one(parser, texts[0], need)
    out = Scan()
    n = out.n = len(texts)
    out.need = need
    out.n_boxes, out.answer, last_box, simple = _boxes(texts)
    out.steps = out.exact = out.loose = out.repeated = out.words = out.sizes = None
    out.others = out.yes = out.spans = out.pieces = None
    out.long = False
    if not need & (_NEED_TAGS | NEED_EXACT):
        tokens, scanners = parser.format_tokens, parser._scanners
        out.format = [
            format_ok(t, tokens) or loose_format_ok(t, scanners) if t else False for t in texts
        ]
        return out
    tags = parser.tags
    k = len(tags)
    matches = list(map(_content_pattern(tags).fullmatch, texts))
    if None in matches:  # parsed one by one below
        absent = ((0, 0),) + ((-1, -1),) * k
        regs = [absent if m is None else m.regs for m in matches]
    else:
        regs = list(map(_REGS, matches))
    spans = list(zip(*regs, strict=True))[1:] if n else [()] * k
    starts, ends = [], []
    for column in spans:
        a, b = zip(*column, strict=True) if n else ((), ())
        starts.append(a)
        ends.append(b)
    out.spans = (starts, ends)
    out.format = _plain_format(texts, starts, ends, tags, last_box, simple)
    if need & NEED_STEPS:
        out.steps = tuple(
            [None if a < 0 else t[a:b].strip() for t, a, b in zip(texts, sa, sb, strict=True)]
            for sa, sb in zip(starts, ends, strict=True)
        )
    if need & (NEED_WORDS | NEED_MARKS):
        views = _views(texts)
        unaligned = None in views
        if unaligned:  # read by their steps below
            views = [view or "" for view in views]
        pieces = [
            [v[a:b] for v, a, b in zip(views, sa, sb, strict=True)]
            for sa, sb in zip(starts, ends, strict=True)
        ]
        out.pieces = pieces
        if need & NEED_WORDS:
            out.long = max(map(len, texts)) > LONG
            out.words, out.sizes = _words(pieces, out.long)
        if need & NEED_MARKS:
            out.others = tuple(list(map(str.count, column, repeat("\t"))) for column in pieces)
            if out.long and out.words is not None:  # long views: their words say it
                out.yes = [
                    "yes" in v if len(v) <= LONG or m is None else _yes_word(v, i, out, starts)
                    for i, (v, m) in enumerate(zip(views, matches, strict=True))
                ]
            elif "yes" in "".join(views):
                out.yes = list(map(str.__contains__, views, repeat("yes")))
            else:
                out.yes = [False] * n
        if unaligned:  # lower-casing changed the length: read those by their steps
            _unaligned(out, parser, texts, need)
    if parser.has_reflection and need & (NEED_EXACT | NEED_LOOSE):
        passages = _passages(texts, starts, ends, tags)
        if need & NEED_EXACT:
            out.exact = passages
        if need & NEED_LOOSE:  # a list of its own: a fallback row may differ in the two
            out.loose = (passages[0][:], passages[1][:]) if need & NEED_EXACT else passages
    if need & NEED_REPEAT:
        out.repeated = [False] * n
    if None in matches:
        for i, m in enumerate(matches):
            if m is None:
                _patch(out, i, scan(parser, texts[i], need), need)
    return out


_REGS = attrgetter("regs")


def _yes_word(view: str, i: int, out: Scan, starts: list) -> bool:
    """Whether "yes" is a word of response ``i``'s (plain, aligned) word view: a word of
    a step, or of the view outside the steps (tags and box), read without searching the
    whole long view. A "yes" that is not a word cannot make :func:`~rewards._guards.said_yes`
    true: there a word character borders it, in the text as in the view."""
    if any("yes" in column[i] for column in out.words):  # a set for a long step
        return True
    ends = out.spans[1]
    outside, cut = [], 0
    for column, stops in zip(starts, ends, strict=True):
        if column[i] >= 0:
            outside.append(view[cut : column[i]])
            cut = stops[i]
    outside.append(view[cut:])
    return "yes" in "\t".join(outside).split()


def _one(parser, text: str, need: int) -> Scan:
    """The scan of a single response, from its :func:`rewards._fused.scan` row. ``others``
    is then exact: the step's non-space characters that are not word characters."""
    marks = need & NEED_MARKS
    row = scan(parser, text, need | NEED_STEPS | NEED_WORDS if marks else need)
    out = Scan()
    out.n, out.need, out.long = 1, need, False
    out.format, out.answer, out.n_boxes = [row[0]], [row[1]], [row[2]]
    out.steps = None if row[3] is None or not need & NEED_STEPS else tuple([s] for s in row[3])
    out.exact = None if row[4] is None else ([row[4][0]], [row[4][1]])
    out.loose = None if row[5] is None else ([row[5][0]], [row[5][1]])
    out.repeated = None if row[6] is None else [row[6]]
    out.words = out.sizes = out.others = out.yes = out.pieces = None
    k = len(parser.tags)
    out.spans = ((-1,),) * k, ((-1,),) * k
    words = row[7]
    if words is not None and need & NEED_WORDS:
        out.words = tuple([[w] for w in words])
        out.sizes = tuple([[len(w)] for w in words])
    if marks:
        out.others = tuple(
            [
                [0 if s is None else len(s) - s.count(" ") - len("".join(w))]
                for s, w in zip(row[3], words, strict=True)
            ]
        )
        out.yes = ["yes" in text.lower()]
    return out


def _blank(parser, n: int, need: int) -> Scan:
    """The scan of ``n`` empty responses (no box, no tag, no word)."""
    out = Scan()
    out.n, out.need = n, need
    k = len(parser.tags)
    out.n_boxes, out.answer, out.format = [0] * n, [None] * n, [False] * n
    tagged = need & (_NEED_TAGS | NEED_EXACT)
    out.steps = tuple([None] * n for _ in range(k)) if tagged and need & NEED_STEPS else None
    words = tagged and need & NEED_WORDS
    out.words = tuple([[]] * n for _ in range(k)) if words else None  # shared, never mutated
    out.sizes = tuple([0] * n for _ in range(k)) if words else None
    marks = tagged and need & NEED_MARKS
    out.others = tuple([0] * n for _ in range(k)) if marks else None
    out.yes = [False] * n if marks else None
    reflect = tagged and parser.has_reflection
    out.exact = ([None] * n, [None] * n) if reflect and need & NEED_EXACT else None
    out.loose = ([None] * n, [None] * n) if reflect and need & NEED_LOOSE else None
    out.repeated = [False] * n if tagged and need & NEED_REPEAT else None
    out.spans = ((-1,) * n,) * k, ((-1,) * n,) * k
    out.long, out.pieces = False, None
    return out


@lru_cache(maxsize=8)
def _content_pattern(tags: tuple[str, ...]) -> re.Pattern:
    """:func:`rewards._fused._plain_pattern` capturing only each tag's content."""
    parts = ["[^<]*"]
    for tag in tags:
        parts.append(rf"(?:<{tag}>([^<]*)</{tag}>[^<]*)?")
    return re.compile("".join(parts))


def _words(pieces: list[list[str]], long: bool) -> tuple[tuple, tuple]:
    """Each step's words (a :class:`LongWords` past :data:`LONG` characters) and count."""
    words, sizes = [], []
    for column in pieces:
        if not long:
            found = list(map(str.split, column))
            sizes.append(list(map(len, found)))
        else:
            found = [p.split() if len(p) <= LONG else LongWords.of(p) for p in column]
            sizes.append([len(w) if type(w) is list else w.size for w in found])
        words.append(found)
    return tuple(words), tuple(sizes)


def _views(texts: list[str]) -> list[str | None]:
    """:func:`word_view` of every response, in C when no lower case changes a length."""
    if all(map(str.isascii, texts)):
        return list(map(_decode, map(_translate, map(_encode, texts), repeat(_VIEW))))
    lows = list(map(str.lower, texts))
    if list(map(len, lows)) != list(map(len, texts)):
        return list(map(word_view, texts))
    ascii_bytes = map(str.encode, lows, repeat("ascii"), repeat("replace"))
    return list(map(_decode, map(_translate, ascii_bytes, repeat(_VIEW))))


def _plain_format(texts: list[str], starts, ends, tags, last_box, simple) -> list[bool]:
    """Format verdicts of plain responses (see :func:`rewards._fused._from_plain`): every
    tag present, only whitespace before the first, a box after the last with a ``}``
    after it (the last box, when it closes as a simple box, else the first one there)."""
    opening, closing = len(tags[0]) + 2, len(tags[-1]) + 3
    n = len(texts)
    if (
        n
        and starts[0].count(opening) == n  # the first tag opens each response
        and min(map(min, starts)) >= 0  # every tag present everywhere
        and None not in simple  # every last box closes as a simple box
    ):
        return [end + closing <= box for end, box in zip(ends[-1], last_box, strict=True)]
    present = map(min, *starts) if len(starts) > 1 else starts[0]
    out = [False] * n
    first, last = starts[0], ends[-1]
    for i in compress(range(n), map(le, repeat(0), present)):  # every tag present
        end, a, t = last[i] + closing, first[i], texts[i]
        out[i] = (
            last_box[i] >= end
            and (a == opening or t[: a - opening].isspace())
            and (simple[i] is not None or _closes(t, end))
        )
    return out


def _closes(text: str, start: int) -> bool:
    """A ``}`` after the first ``\\boxed{`` from ``start`` on."""
    box = text.find(BOX, start)
    return box >= 0 and text.find("}", box + len(BOX)) >= 0


def _passages(texts: list[str], starts: list, ends: list, tags) -> tuple[list, list]:
    """The reflective passages of plain responses: from the first tag's opening to the
    second's opening, and through the second's closing (None without both tags)."""
    opening, second, closing = len(tags[0]) + 2, len(tags[1]) + 2, len(tags[1]) + 3
    cons, coh = [], []
    for t, a1, a2, b2 in zip(texts, starts[0], starts[1], ends[1], strict=True):
        if a1 < 0 or a2 < 0:
            cons.append(None)
            coh.append(None)
        else:
            cons.append(t[a1 - opening : a2 - second].strip())
            coh.append(t[a1 - opening : b2 + closing].strip())
    return cons, coh


def _unaligned(out: Scan, parser, texts, need: int) -> None:
    """Words and marks of the responses without a word view, from their steps."""
    for i, text in enumerate(texts):
        if not text.isascii() and len(text.lower()) != len(text):
            _patch(out, i, scan(parser, text, need), need)


def _patch(out: Scan, i: int, row: tuple, need: int) -> None:
    """Write one response's :func:`~rewards._fused.scan` row into the columns."""
    out.format[i] = row[0]
    if out.steps is not None:
        for column, step in zip(out.steps, row[3], strict=True):
            column[i] = step
    if out.exact is not None:
        out.exact[0][i], out.exact[1][i] = row[4]
    if out.loose is not None:
        out.loose[0][i], out.loose[1][i] = row[5]
    if out.repeated is not None:
        out.repeated[i] = row[6]
    if out.words is not None:
        for column, sizes, words in zip(out.words, out.sizes, row[7], strict=True):
            column[i] = words
            sizes[i] = len(words)
    if out.others is not None:
        for column in out.others:
            column[i] = UNKNOWN
        out.yes[i] = True
