"""Compose reward functions with weights into one reward with a per-component breakdown.

A :class:`Rubric` holds reward callables (plain TRL-style functions or
:class:`~rewards.base.MultiReward` objects that yield several components) and one
weight per component. It is itself a TRL reward function::

    rubric(prompts, completions, label=[...]) -> list[float]     # the weighted totals

and :meth:`Rubric.score_batch` returns a :class:`ScoreResult` per sample with the total
and every component. A component value of None ("does not apply") adds nothing to the
total and is reported as None.

Example:
    >>> from rewards.rubric import Rubric
    >>> from rewards.rules import AccuracyReward, FormatReward
    >>> rubric = Rubric([AccuracyReward(), FormatReward()], weights=[0.9, 0.1])
    >>> r = "<step1>x</step1><step2>y</step2><step3>z</step3> \\\\boxed{fear}"
    >>> [round(s.total, 3) for s in rubric.score_batch([r], labels=["fear"])]
    [1.0]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import add, mul
from typing import Any

from rewards._batch import Batch
from rewards.base import MultiReward, Reward, component_names
from rewards.errors import InvalidInputError

__all__ = ["Rubric", "ScoreResult"]


@dataclass(frozen=True, slots=True, eq=False)
class ScoreResult:
    """The reward of one sample: weighted total and every component's raw value."""

    total: float
    components: dict[str, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, **self.components}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ScoreResult):
            return NotImplemented
        return self.total == other.total and self.components == other.components

    __hash__ = None  # type: ignore[assignment]  # holds a dict


_new = object.__new__
_TOTAL = ScoreResult.__dict__["total"]
_COMPONENTS = ScoreResult.__dict__["components"]
_SET_TOTAL = _TOTAL.__set__
_SET_COMPONENTS = _COMPONENTS.__set__


class _BatchResult(ScoreResult):
    """A :class:`ScoreResult` of a scored batch: its components dict is built from the
    batch's columns on first access (most callers read only the total)."""

    __slots__ = ("_columns", "_index")

    def _components(self) -> dict[str, float | None]:
        try:
            return _COMPONENTS.__get__(self)
        except AttributeError:
            i = self._index
            made = {name: values[i] for name, values in self._columns.items()}
            _SET_COMPONENTS(self, made)
            return made

    components = property(_components, _SET_COMPONENTS)  # type: ignore[assignment]

    def __reduce__(self):
        return ScoreResult, (self.total, self.components)

    def __repr__(self) -> str:
        return f"ScoreResult(total={self.total!r}, components={self.components!r})"


_SET_SOURCE = _BatchResult.__dict__["_columns"].__set__
_SET_INDEX = _BatchResult.__dict__["_index"].__set__

# how the rubric calls each of its functions
_COLUMNS, _COLUMNS_MULTI, _LEGACY_MULTI, _PLAIN = range(4)


def _result(total: float, components: dict[str, float | None]) -> ScoreResult:
    result = _new(ScoreResult)
    _SET_TOTAL(result, total)
    _SET_COMPONENTS(result, components)
    return result


def _results(totals: list[float], parts: dict[str, list]) -> list[ScoreResult]:
    """One :class:`ScoreResult` per total, components read from ``parts`` when asked."""
    n = len(totals)
    results = list(map(_new, repeat(_BatchResult, n)))
    any(map(_SET_TOTAL, results, totals))  # the setters return None: any() runs them all
    any(map(_SET_SOURCE, results, repeat(parts, n)))
    any(map(_SET_INDEX, results, range(n)))
    return results


def _kind(func: Any) -> int:
    if isinstance(func, MultiReward):
        overridden = type(func).score_components is not MultiReward.score_components
        return _LEGACY_MULTI if overridden else _COLUMNS_MULTI
    return _COLUMNS if isinstance(func, Reward) else _PLAIN


class Rubric:
    """Weighted sum of reward components.

    Args:
        funcs: reward callables; each contributes one component named by its
            ``__name__``, or several (a :class:`MultiReward`'s ``components``).
        weights: one weight per component, as a list in component order or a mapping
            ``{component: weight}`` naming every component.
        name: ``__name__`` of the rubric as a TRL reward function.

    One call validates the inputs once and shares them, with one fused parse per
    response, between the built-in rewards (:class:`~rewards._batch.Batch`).
    """

    def __init__(
        self,
        funcs: Sequence[Callable],
        weights: Sequence[float] | Mapping[str, float] | None = None,
        name: str = "rubric",
    ):
        if isinstance(funcs, Callable) or not isinstance(funcs, Sequence) or not funcs:
            raise InvalidInputError("Rubric needs a non-empty list of reward functions.")
        for f in funcs:
            if not callable(f):
                raise InvalidInputError(f"Rubric entry {f!r} is not callable.")
        self.funcs = list(funcs)
        self.names = [n for f in self.funcs for n in component_names(f)]
        if len(set(self.names)) != len(self.names):
            dupes = sorted({n for n in self.names if self.names.count(n) > 1})
            raise InvalidInputError(
                f"Rubric components must have distinct names; {dupes} repeat. Give each "
                "reward its own name (name=... on the factory)."
            )
        self.weights = self._check_weights(weights)
        self.__name__ = name

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @property
    def _plan(self) -> tuple[list[tuple[Any, int, str]], dict[str, int]]:
        """``([(func, how to call it, first component name)], {parser: NEED_* bits})``."""
        plan = self.__dict__.get("_plan_cache")
        if plan is None or plan[0] != self.funcs:
            calls, needs = [], {}
            for f in self.funcs:
                calls.append((f, _kind(f), component_names(f)[0]))
                if isinstance(f, Reward):
                    name = f.parser.name
                    needs[name] = needs.get(name, 0) | getattr(f, "needs", 0)
            plan = (list(self.funcs), calls, needs)
            self.__dict__["_plan_cache"] = plan
        return plan[1], plan[2]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_plan_cache", None)
        return state

    def _check_weights(self, weights) -> dict[str, float]:
        if weights is None:
            weights = [1.0] * len(self.names)
        if isinstance(weights, Mapping):
            missing = [n for n in self.names if n not in weights]
            extra = [k for k in weights if k not in self.names]
            if missing or extra:
                raise InvalidInputError(
                    f"Rubric weights must name every component exactly: missing {missing}, "
                    f"unknown {extra}. Components: {self.names}."
                )
            values = [weights[n] for n in self.names]
        else:
            values = list(weights)
            if len(values) != len(self.names):
                raise InvalidInputError(
                    f"Rubric got {len(values)} weights for {len(self.names)} components "
                    f"{self.names}: pass one weight per component."
                )
        for v in values:
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
                raise InvalidInputError(f"Rubric weights must be finite numbers; got {v!r}.")
        return dict(zip(self.names, (float(v) for v in values), strict=True))

    # --- scoring -------------------------------------------------------------------

    def components(self, prompts: Any, completions: Any, **kwargs: Any) -> dict[str, list]:
        """Every component's values for a batch, ``{name: [value per sample]}``."""
        calls, needs = self._plan
        return self._components(Batch(completions, kwargs, needs), prompts, calls)

    def _components(self, batch: Batch, prompts: Any, calls) -> dict[str, list]:
        out: dict[str, list] = {}
        n = batch.n
        for f, kind, name in calls:
            if kind == _COLUMNS:
                out[name] = f.columns(batch)
            elif kind == _COLUMNS_MULTI:
                out.update(f.columns(batch))
            else:
                if kind == _LEGACY_MULTI:
                    parts = f.score_components(prompts, batch.texts, **batch.kwargs)
                else:
                    parts = {name: f(prompts=prompts, completions=batch.texts, **batch.kwargs)}
                for part, values in parts.items():
                    out[part] = self._check_values(part, values, n)
        return out

    @staticmethod
    def _check_values(name: str, values: Any, n: int) -> list:
        if not isinstance(values, Sequence) or len(values) != n:
            got = len(values) if isinstance(values, Sequence) else type(values).__name__
            raise InvalidInputError(
                f"Reward {name!r} returned {got} values for {n} completions; a reward must "
                "return one float (or None) per completion."
            )
        for v in values:
            if v is not None and (not isinstance(v, (int, float)) or not math.isfinite(v)):
                raise InvalidInputError(
                    f"Reward {name!r} returned {v!r}; values must be finite floats or None."
                )
        return [None if v is None else float(v) for v in values]

    def _totals(self, parts: dict[str, list], n: int) -> list[float]:
        """Weighted sums, component by component in order (a None adds nothing)."""
        weights = self.weights
        if n == 1:  # one sample: plain arithmetic, same order of additions
            total = 0.0
            for name, values in parts.items():
                value = values[0]
                if value:
                    total += weights[name] * value
            return [total]
        totals = [0.0] * n
        for name, values in parts.items():
            if not any(values):  # all zero (or None): adding w * 0.0 changes no total
                continue
            w = weights[name]
            if None in values:
                totals = [
                    t if v is None else t + w * v for t, v in zip(totals, values, strict=True)
                ]
            elif values.count(values[0]) == n:  # one value (a judge-free 1.0): one product
                totals = list(map(add, totals, repeat(w * values[0], n)))
            else:
                totals = list(map(add, totals, map(mul, repeat(w, n), values)))
        return totals

    def totals(self, parts: Mapping[str, Sequence[float | None]]) -> list[float]:
        """The weighted total of each sample from :meth:`components`' output."""
        n = len(next(iter(parts.values()), ()))
        return self._totals(dict(parts), n)

    def __call__(self, prompts=None, completions=None, **kwargs: Any) -> list[float]:
        """TRL reward function: the weighted total of each completion."""
        calls, needs = self._plan
        batch = Batch(completions, kwargs, needs)
        return self._totals(self._components(batch, prompts, calls), batch.n)

    def score_batch(
        self,
        completions: Sequence[Any],
        labels: Sequence[str] | None = None,
        images: Sequence[Any] | None = None,
        label_set: str | Sequence[str] | None = None,
        prompts: Sequence[Any] | None = None,
        captions: Sequence[str | None] | None = None,
        **columns: Any,
    ) -> list[ScoreResult]:
        """Score a batch; returns one :class:`ScoreResult` per completion.

        Args:
            completions: the responses.
            labels: gold labels, one per response (stripped and lower-cased).
            images: images, one per response (for CLIP consistency, judges).
            label_set: the label set id (or one id per response); default: each
                reward's own (``mikels8`` unless the preset was built with another).
            prompts: the prompts, passed to plain reward functions.
            captions: one caption per response (read by caption consistency and the
                copying guard; ``caption=`` works too).
            **columns: any other dataset column, passed through.
        """
        kwargs = columns
        if labels is not None:
            kwargs["label"] = labels
        if images is not None:
            kwargs["image"] = images
        if label_set is not None:
            kwargs["label_set"] = label_set
        if captions is not None:
            kwargs["caption"] = captions
        calls, needs = self._plan
        batch = Batch(completions, kwargs, needs)
        parts = self._components(batch, prompts, calls)
        if batch.n == 1:  # the total as _totals adds it up, and the components, in one loop
            weights, total, components = self.weights, 0.0, {}
            for name, values in parts.items():
                value = components[name] = values[0]
                if value:
                    total += weights[name] * value
            return [_result(total, components)]
        return _results(self._totals(parts, batch.n), parts)

    def score(self, completion: str, label: str, image: Any = None, label_set=None, **columns):
        """Score a single completion (columns are single values, e.g. ``caption=...``)."""
        columns = {k: [v] for k, v in columns.items()}
        return self.score_batch([completion], [label], [image], label_set, **columns)[0]

    @property
    def value_range(self) -> tuple[float, float]:
        """Lowest and highest total the rubric can give."""
        lo = hi = 0.0
        for f in self.funcs:
            a, b = getattr(f, "value_range", (0.0, 1.0))
            for name in component_names(f):
                w = self.weights[name]
                lo += min(w * a, w * b)
                hi += max(w * a, w * b)
        return lo, hi

    def __repr__(self) -> str:
        terms = " + ".join(f"{w:g}*{n}" for n, w in self.weights.items())
        return f"Rubric({self.__name__}: {terms})"
