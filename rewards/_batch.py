"""The inputs of one scoring call, validated once and shared by every reward of a rubric.

A :class:`Batch` holds the response texts and the keyword columns; the label sets, gold
labels, images and the fused parse rows (:func:`rewards._fused.scan`) are computed on
first use and kept for the other rewards of the same call. Nothing outlives the call:
there is no cache across batches.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from rewards import _inputs
from rewards._fused import ANSWER, scan
from rewards.labels import LabelSet, get_label_set

__all__ = ["WATCHED", "Batch"]

#: While it holds a list, every Batch built is appended to it
#: (:class:`rewards.parsing.ParseCapture` reads their parse rows).
WATCHED: ContextVar[list | None] = ContextVar("rewards_watched_batches", default=None)


class Batch:
    """One call's texts and columns, with lazily computed shared views.

    Args:
        completions: the responses (str or chat message lists).
        kwargs: the dataset columns and keywords of the call.
        needs: ``{parser name: NEED_* bits}`` the rubric's rewards declared, so that
            the first reward to ask for parse rows gets what all of them read.
    """

    __slots__ = ("_answers", "_labels", "_rows", "_sets", "kwargs", "n", "needs", "texts")

    def __init__(self, completions: Any, kwargs: dict[str, Any], needs: dict[str, int]):
        self.texts = _inputs.completion_texts(completions)
        if "caption" in kwargs or "captions" in kwargs:
            kwargs = _inputs.clean_captions(kwargs)
        self.kwargs = kwargs
        self.n = len(self.texts)
        self.needs = needs
        self._sets: dict[str, list[LabelSet]] = {}
        self._labels: dict[str, list[str]] = {}
        self._rows: dict[str, tuple[int, list[tuple]]] = {}
        self._answers: dict[tuple[str, str], list[tuple[str | None, bool]]] = {}
        watched = WATCHED.get()
        if watched is not None:
            watched.append(self)

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

    def rows(self, parser, need: int) -> list[tuple]:
        """Fused parse rows of every response with at least the ``need`` fields."""
        have = self._rows.get(parser.name)
        if have is not None and have[0] & need == need:
            return have[1]
        flags = self.needs.get(parser.name, 0) | need | (have[0] if have else 0)
        texts = self.texts
        if "" in texts:  # one shared row for every empty response
            empty = scan(parser, "", flags)
            rows = [scan(parser, text, flags) if text else empty for text in texts]
        else:
            rows = [scan(parser, text, flags) for text in texts]
        self._rows[parser.name] = (flags, rows)
        return rows

    def answers(self, parser, need: int, default: str) -> list[tuple[str | None, bool]]:
        """``(label the box names or None, box names two or more labels)`` per response."""
        key = (parser.name, default)
        out = self._answers.get(key)
        if out is None:
            rows = self.rows(parser, need)
            sets = self.sets(default)
            same = self.uniform_set(default)
            if same is not None:
                read = same.read
                out = [(None, False) if r[ANSWER] is None else read(r[ANSWER]) for r in rows]
            else:
                out = [
                    (None, False) if r[ANSWER] is None else s.read(r[ANSWER])
                    for r, s in zip(rows, sets, strict=True)
                ]
            self._answers[key] = out
        return out
