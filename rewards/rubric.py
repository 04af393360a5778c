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
from typing import Any

from rewards import _inputs
from rewards.base import MultiReward, component_names
from rewards.errors import InvalidInputError

__all__ = ["Rubric", "ScoreResult"]


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """The reward of one sample: weighted total and every component's raw value."""

    total: float
    components: dict[str, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, **self.components}


class Rubric:
    """Weighted sum of reward components.

    Args:
        funcs: reward callables; each contributes one component named by its
            ``__name__``, or several (a :class:`MultiReward`'s ``components``).
        weights: one weight per component, as a list in component order or a mapping
            ``{component: weight}`` naming every component.
        name: ``__name__`` of the rubric as a TRL reward function.
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
        texts = _inputs.completion_texts(completions)
        out: dict[str, list] = {}
        for f in self.funcs:
            if isinstance(f, MultiReward):
                parts = f.score_components(prompts, texts, **kwargs)
            else:
                parts = {component_names(f)[0]: f(prompts=prompts, completions=texts, **kwargs)}
            for name, values in parts.items():
                out[name] = self._check_values(name, values, len(texts))
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
        totals = [0.0] * n
        for name, values in parts.items():
            w = self.weights[name]
            for i, v in enumerate(values):
                if v is not None:
                    totals[i] += w * v
        return totals

    def totals(self, parts: Mapping[str, Sequence[float | None]]) -> list[float]:
        """The weighted total of each sample from :meth:`components`' output."""
        n = len(next(iter(parts.values()), ()))
        return self._totals(dict(parts), n)

    def __call__(self, prompts=None, completions=None, **kwargs: Any) -> list[float]:
        """TRL reward function: the weighted total of each completion."""
        parts = self.components(prompts, completions, **kwargs)
        return self._totals(parts, len(next(iter(parts.values()))))

    def score_batch(
        self,
        completions: Sequence[Any],
        labels: Sequence[str] | None = None,
        images: Sequence[Any] | None = None,
        label_set: str | Sequence[str] = "mikels8",
        prompts: Sequence[Any] | None = None,
        **columns: Any,
    ) -> list[ScoreResult]:
        """Score a batch; returns one :class:`ScoreResult` per completion."""
        kwargs = dict(columns)
        if labels is not None:
            kwargs["label"] = labels
        if images is not None:
            kwargs["image"] = images
        kwargs["label_set"] = label_set
        parts = self.components(prompts, completions, **kwargs)
        totals = self._totals(parts, len(completions))
        return [
            ScoreResult(total, {name: values[i] for name, values in parts.items()})
            for i, total in enumerate(totals)
        ]

    def score(self, completion: str, label: str, image: Any = None, label_set="mikels8"):
        """Score a single completion."""
        return self.score_batch([completion], [label], [image], label_set)[0]

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
