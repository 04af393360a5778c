"""The inputs of one scoring call, validated once and shared by every reward of a rubric.

A :class:`Batch` holds the response texts and the keyword columns; the label sets, gold
labels, images and the fused parse (:func:`rewards._columns.scan_batch`) are computed on
first use and kept for the other rewards of the same call. Nothing outlives the call:
there is no cache across batches.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from rewards import _inputs
from rewards._columns import Scan, scan_batch
from rewards._fused import NEED_STEPS
from rewards.labels import LabelSet, get_label_set

__all__ = ["WATCHED", "Batch"]

#: While it holds ``(list, parser name)`` (a :class:`rewards.parsing.ParseCapture`),
#: every Batch built is appended to the list and also reads that parser's step contents.
WATCHED: ContextVar[tuple[list, str] | None] = ContextVar("rewards_watched", default=None)


class Batch:
    """One call's texts and columns, with lazily computed shared views.

    Args:
        completions: the responses (str or chat message lists).
        kwargs: the dataset columns and keywords of the call.
        needs: ``{parser name: NEED_* bits}`` the rubric's rewards declared, so that
            the first reward to ask for parse rows gets what all of them read.
    """

    __slots__ = ("_answers", "_labels", "_scans", "_sets", "kwargs", "n", "needs", "texts")

    def __init__(self, completions: Any, kwargs: dict[str, Any], needs: dict[str, int]):
        self.texts = _inputs.completion_texts(completions)
        if "caption" in kwargs or "captions" in kwargs:
            kwargs = _inputs.clean_captions(kwargs)
        self.kwargs = kwargs
        self.n = len(self.texts)
        self._sets: dict[str, list[LabelSet]] = {}
        self._labels: dict[str, list[str]] = {}
        self._scans: dict[str, Scan] = {}
        self._answers: dict[tuple[str, str], tuple[list[str | None], list[bool]]] = {}
        watched = WATCHED.get()
        if watched is not None:
            batches, name = watched
            batches.append(self)
            needs = {**needs, name: needs.get(name, 0) | NEED_STEPS}
        self.needs = needs

    def sets(self, default: str) -> list[LabelSet]:
        """The label set of each sample (``label_set`` column, else ``default``)."""
        sets = self._sets.get(default)
        if sets is None:
            value = self.kwargs.get("label_set")
            if value is None or isinstance(value, (str, LabelSet)):
                sets = [get_label_set(default if value is None else value)] * self.n
            else:
                sets = _inputs.label_sets(self.kwargs, self.n, default)
            self._sets[default] = sets
        return sets

    def uniform_set(self, default: str) -> LabelSet | None:
        """The one label set of every sample, or None when samples differ."""
        sets = self.sets(default)
        if self.n and sets.count(sets[0]) == self.n:
            return sets[0]
        return None

    def labels(self, default: str) -> list[str]:
        """Gold labels, stripped, lower-cased and checked once per distinct label."""
        labels = self._labels.get(default)
        if labels is None:
            labels = _inputs.gold_labels(self.kwargs, self.n, self.sets(default))
            self._labels[default] = labels
        return labels

    def targets(self, default: str) -> list[str | None]:
        """Each gold label read through its label set's normaliser (robust matching)."""
        key = "~" + default
        out = self._labels.get(key)
        if out is None:
            labels, sets = self.labels(default), self.sets(default)
            same = self.uniform_set(default)
            if same is not None:  # gold labels are label names: their reading is stored
                normal = same._normal
                out = [normal[label] for label in labels]
            else:
                out = [s._normal[x] for x, s in zip(labels, sets, strict=True)]
            self._labels[key] = out
        return out

    def scan(self, parser, need: int) -> Scan:
        """The fused parse of every response (:func:`rewards._columns.scan_batch`) with
        at least the ``need`` fields, and every field the rubric's rewards declared."""
        have = self._scans.get(parser.name)
        if have is not None and have.need & need == need:
            return have
        flags = self.needs.get(parser.name, 0) | need | (have.need if have else 0)
        found = self._scans[parser.name] = scan_batch(parser, self.texts, flags)
        return found

    def answers(self, parser, need: int, default: str) -> tuple[list[str | None], list[bool]]:
        """``(label each box names or None, whether it names two or more labels)``."""
        key = (parser.name, default)
        out = self._answers.get(key)
        if out is None:
            boxes = self.scan(parser, need).answer
            same = self.uniform_set(default)
            if same is not None:
                out = _read_all(same, boxes)
            else:
                reads = [
                    (None, False) if a is None else s.read(a)
                    for a, s in zip(boxes, self.sets(default), strict=True)
                ]
                out = ([r[0] for r in reads], [r[1] for r in reads])
            self._answers[key] = out
        return out


def _read_all(label_set: LabelSet, boxes: list[str | None]) -> tuple[list, list[bool]]:
    """:meth:`LabelSet.read` of every box content: the common one-word labels in C, each
    other distinct content once (box contents repeat: ``\\text{fear}``)."""
    names = list(map(label_set._single.get, boxes))  # None for None and for the rest
    several = [False] * len(boxes)
    if None in names and any(boxes):  # an empty box names nothing either
        read, seen = label_set.read, {}
        for i, (name, box) in enumerate(zip(names, boxes, strict=True)):
            if name is None and box:
                found = seen.get(box)
                if found is None:
                    found = seen[box] = read(box)
                names[i], several[i] = found
    return names, several
