"""Parsers for the two answer formats: Structured Emotional Thinking and ``<think>``.

One parser per output format; each owns its format check so that the format and
accuracy rewards never disagree about what was parsed. Parsing is pure string work
(no dependencies), linear in the length of the response whatever it holds (repeated
tags, long whitespace runs, deeply nested braces), and memoised, so a rubric that asks
several rewards about the same response parses it once.

The conventions of the authors' reference code (EMO-R3, arXiv 2602.23802) are kept
exactly:

* before the format and answer checks, whitespace around every ``<``, ``>`` and ``/``
  is deleted (:func:`compact`);
* the answer is the content of the LAST ``\\boxed{`` (brace-balanced, stripped); when
  that box never closes, or there is none, the reference answer is the string
  ``"None"`` (:attr:`ParsedResponse.reference_answer`), and :attr:`ParsedResponse.answer`
  is ``None``;
* the reflective passages are cut from the raw response: from the first ``<step1>``
  up to the nearest following ``<step2>`` (consistency), or through the nearest
  following ``</step2>`` (coherence), then stripped.

Example:
    >>> from rewards.parsing import get_parser
    >>> p = get_parser("set").parse(
    ...     "<step1>a dog plays</step1><step2>joy</step2><step3>positive, high</step3>"
    ...     " \\\\boxed{amusement}")
    >>> p.format_ok, p.answer, p.steps[2]
    (True, 'amusement', 'positive, high')
    >>> p.consistency_passage
    '<step1>a dog plays</step1>'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from operator import is_

from rewards import _batch
from rewards._fused import NEED_STEPS as _NEED_STEPS
from rewards._fused import scan as _scan_row
from rewards._scan import BOX, compact, cut, format_ok, last_boxed, tag_scanner
from rewards.errors import UnknownNameError

__all__ = [
    "REFERENCE_NO_ANSWER",
    "ParseCapture",
    "ParsedResponse",
    "Parser",
    "SETParser",
    "ThinkParser",
    "compact",
    "count_boxes",
    "extract_last_boxed",
    "get_parser",
    "loose_passages",
    "parser_names",
]

REFERENCE_NO_ANSWER = "None"
_BOX = BOX


def extract_last_boxed(text: str) -> str | None:
    """Content of the last ``\\boxed{...}`` (brace-balanced, stripped), else None.

    Only the last ``\\boxed{`` is considered: when it does not close, the result is
    None even if an earlier box closed (the reference's behaviour).
    """
    return last_boxed(text)


def count_boxes(text: str) -> int:
    """How many ``\\boxed{`` openings the text holds."""
    return text.count(_BOX)


@dataclass(frozen=True, slots=True)
class ParsedResponse:
    """What a parser found in one response.

    Attributes:
        text: the raw response.
        format_ok: the compacted response fully matches the format's pattern.
        answer: last boxed answer (stripped), None when the last box does not close.
        steps: content of each reasoning tag (stripped), None where absent.
        n_boxes: number of ``\\boxed{`` openings.
        consistency_passage: raw ``<step1>`` .. before ``<step2>``, stripped, or None.
        coherence_passage: raw ``<step1>`` .. ``</step2>`` inclusive, stripped, or None.
        malformed: short codes of what is wrong ("empty", "missing_step2",
            "steps_out_of_order", "no_box", "unclosed_box", "multiple_boxes", ...).
        loose_passages: the two passages cut with tags that may hold spaces
            (``< step1 >``), as the paper and robust scorings use.
    """

    text: str
    format_ok: bool
    answer: str | None
    steps: tuple[str | None, ...]
    n_boxes: int
    consistency_passage: str | None
    coherence_passage: str | None
    malformed: tuple[str, ...]
    loose_passages: tuple[str | None, str | None] = (None, None)

    @property
    def reference_answer(self) -> str:
        """The answer as the reference code sees it: ``"None"`` when no box closes."""
        return REFERENCE_NO_ANSWER if self.answer is None else self.answer

    @property
    def reasoning(self) -> str:
        """All step contents joined by newlines (empty when there are none)."""
        return "\n".join(s for s in self.steps if s)


class Parser:
    """A response format: its reasoning tags and the reference format pattern."""

    name: str = ""
    tags: tuple[str, ...] = ()
    has_reflection: bool = False

    def __init__(self) -> None:
        self.format_tokens = (
            *(token for t in self.tags for token in (f"<{t}>", f"</{t}>")),
            _BOX,
            "}",
        )
        self._scanners = tuple(tag_scanner(t) for t in self.tags)
        self._n_lt = 2 * len(self.tags)  # "<" in a clean response: one per tag token

    def __reduce__(self):
        return get_parser, (self.name,)

    def parse(self, text: str) -> ParsedResponse:
        """Parse one response (memoised on the text)."""
        return _parse(self.name, text)

    def summary(
        self, text: str
    ) -> tuple[bool, str | None, tuple[str | None, ...], tuple[str, ...]]:
        """``(format_ok, answer, steps, malformed)``, equal to those fields of :meth:`parse`.

        One fused scan (as a rubric runs), without building or memoising a full parse:
        what a caller that already scored a response needs to describe it. Only a
        response that is not clean (some malformation code applies) pays for a full
        parse, to name its malformations.

        Example:
            >>> get_parser("set").summary("<step1>a</step1><step2>b</step2> \\\\boxed{awe}")
            (False, 'awe', ('a', 'b', None), ('missing_step3',))
        """
        return self._summarize(text, _scan_row(self, text, _NEED_STEPS))

    def _summarize(self, text: str, row: tuple) -> tuple:
        """:meth:`summary` from the fused scan row of ``text`` (with the steps)."""
        fmt, answer, n_boxes, steps = row[0], row[1], row[2], row[3]
        # format_ok puts every tag token in order in the compacted text; when those are
        # its only "<" (compaction keeps every "<"), no tag repeats or comes out of order
        # and the one box follows the last closing tag: the response is clean
        if fmt and n_boxes == 1 and answer and all(steps) and text.count("<") == self._n_lt:
            return fmt, answer, steps, ()
        return fmt, answer, steps, self._parse(text).malformed

    def _parse(self, text: str) -> ParsedResponse:
        packed = compact(text)
        answer = last_boxed(packed)
        n_boxes = packed.count(_BOX)
        steps = tuple(scanner.content(text) for scanner in self._scanners)
        if self.has_reflection:
            cons = cut(text, "<step1>", "<step2>", include_end=False)
            coh = cut(text, "<step1>", "</step2>", include_end=True)
            loose = loose_passages(text)
        else:
            cons = coh = None
            loose = (None, None)
        return ParsedResponse(
            text=text,
            format_ok=format_ok(packed, self.format_tokens),
            answer=answer,
            steps=steps,
            n_boxes=n_boxes,
            consistency_passage=cons,
            coherence_passage=coh,
            malformed=self._malformed(text, packed, steps, answer, n_boxes),
            loose_passages=loose,
        )

    def _malformed(self, text, packed, steps, answer, n_boxes) -> tuple[str, ...]:
        if not text.strip():
            return ("empty",)
        issues = []
        opens = []
        for tag, step in zip(self.tags, steps, strict=True):
            where = packed.find(f"<{tag}>")
            if step is None:
                issues.append(f"unclosed_{tag}" if where >= 0 else f"missing_{tag}")
            elif not step:
                issues.append(f"empty_{tag}")
            if packed.count(f"<{tag}>") > 1:
                issues.append(f"repeated_{tag}")
            opens.append(where)
        present = [i for i in opens if i >= 0]
        if present != sorted(present):
            issues.append("steps_out_of_order")
        if n_boxes == 0:
            issues.append("no_box")
        elif answer is None:
            issues.append("unclosed_box")
        elif not answer:
            issues.append("empty_box")
        if n_boxes > 1:
            issues.append("multiple_boxes")
        last_close = packed.rfind(f"</{self.tags[-1]}>") if self.tags else -1
        if n_boxes and last_close > packed.rfind(_BOX):
            issues.append("box_before_reasoning")
        return tuple(issues)


class ParseCapture:
    """The fused parses the rubric calls inside a ``with`` block made, read back.

    A caller that describes the responses it has just scored (an environment's
    ``info``) gets their :meth:`Parser.summary` from the parse the rubric call made of
    the same texts instead of scanning every response a second time: while the block
    runs, every scoring call also reads the step contents for ``parser``.

    Args:
        parser: the parser (or its name) whose summaries are wanted.

    Example:
        >>> from rewards import presets
        >>> rubric = presets.build("emo_r3_robust")
        >>> texts = ["<step1>a</step1><step2>b</step2><step3>c</step3> \\\\boxed{awe}"]
        >>> with ParseCapture("set") as capture:
        ...     results = rubric.score_batch(texts, labels=["awe"])
        >>> capture.summaries(texts)
        [(True, 'awe', ('a', 'b', 'c'), ())]
    """

    __slots__ = ("_batches", "_token", "parser")

    def __init__(self, parser: str | Parser = "set"):
        self.parser = get_parser(parser)

    def __enter__(self) -> ParseCapture:
        self._batches: list = []
        self._token = _batch.WATCHED.set((self._batches, self.parser.name))
        return self

    def __exit__(self, *exc: object) -> None:
        _batch.WATCHED.reset(self._token)

    def summaries(self, texts: list[str]) -> list[tuple]:
        """:meth:`Parser.summary` of each text: from a captured parse of the same text
        objects when a scoring call parsed them, else from a new scan."""
        parser = self.parser
        for batch in reversed(self._batches):
            found = batch._scans.get(parser.name)
            seen = batch.texts
            if (
                found is not None
                and found.need & _NEED_STEPS
                and (seen is texts or (len(seen) == len(texts) and all(map(is_, seen, texts))))
            ):
                steps = zip(*found.steps, strict=True)
                rows = zip(found.format, found.answer, found.n_boxes, steps, strict=True)
                return list(map(parser._summarize, texts, rows))
        return list(map(parser.summary, texts))


def loose_passages(text: str) -> tuple[str | None, str | None]:
    """The two reflective passages cut with tags that may hold spaces (``< step1 >``).

    Consistency: from the first ``<\\s*step1\\s*>`` up to the nearest following
    ``<\\s*step2\\s*>``; coherence: through the nearest following ``<\\s*/\\s*step2\\s*>``;
    both stripped, None when nothing matches.
    """
    opened = _STEP1.open.search(text)
    if opened is None:
        return None, None
    start, after = opened.start(), opened.end()
    step2 = _STEP2.open.search(text, after)
    closed = _STEP2.close.search(text, after)
    return (
        None if step2 is None else text[start : step2.start()].strip(),
        None if closed is None else text[start : closed.end()].strip(),
    )


_STEP1 = tag_scanner("step1")
_STEP2 = tag_scanner("step2")


class SETParser(Parser):
    """Structured Emotional Thinking: ``<step1>..<step2>..<step3>..`` then ``\\boxed{}``."""

    name = "set"
    tags = ("step1", "step2", "step3")
    has_reflection = True


class ThinkParser(Parser):
    """The GRPO baseline's format: ``<think>...</think>`` then ``\\boxed{}``."""

    name = "think"
    tags = ("think",)


_PARSERS: dict[str, Parser] = {"set": SETParser(), "think": ThinkParser()}


@lru_cache(maxsize=16384)
def _parse(name: str, text: str) -> ParsedResponse:
    return _PARSERS[name]._parse(text)


def parser_names() -> tuple[str, ...]:
    """Names of the registered parsers."""
    return tuple(_PARSERS)


def get_parser(name: str | Parser) -> Parser:
    """Return the parser called ``name`` ("set" or "think"); a Parser passes through."""
    if isinstance(name, Parser):
        return name
    try:
        return _PARSERS[name]
    except (KeyError, TypeError):
        raise UnknownNameError("parser", name, _PARSERS) from None
