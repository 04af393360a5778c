"""Base classes for batch rewards: the calling convention in one place.

A reward is called as ``reward(prompts, completions, **kwargs) -> list[float | None]``
(TRL's convention; unknown keyword arguments are ignored, None means "does not
apply"). A reward that yields several named components at once (the reflective
reward asks one judge call for both questions) subclasses :class:`MultiReward` and
returns ``{component: [values]}`` from :meth:`MultiReward.score_components`.

Subclasses implement :meth:`Reward.score` (``texts, kwargs -> values``) or, for the
built-in rewards, :meth:`Reward.columns` on a :class:`~rewards._batch.Batch` that a
rubric shares between its rewards (inputs validated once, one fused parse per
response covering every reward's :attr:`Reward.needs`).
"""

from __future__ import annotations

from typing import Any

from rewards import _inputs
from rewards._batch import Batch
from rewards.labels import LabelSet, get_label_set
from rewards.parsing import Parser, get_parser

__all__ = ["MultiReward", "Reward", "component_names"]


class Reward:
    """A single-component batch reward with a parser and a default label set."""

    #: Documented range of the values this reward returns.
    value_range: tuple[float, float] = (0.0, 1.0)
    #: Parse fields (``rewards._fused.NEED_*`` bits) :meth:`columns` reads beyond
    #: format, answer and box count.
    needs: int = 0

    def __init__(self, name: str, parser: str | Parser = "set", label_set: str = "mikels8"):
        self.__name__ = name
        self.parser = get_parser(parser)
        self.label_set = get_label_set(label_set).id

    def __call__(self, prompts=None, completions=None, **kwargs: Any) -> list[float | None]:
        return self.columns(Batch(completions, kwargs, {self.parser.name: self.needs}))

    def columns(self, batch: Batch) -> Any:
        """Values for a shared batch (the default calls :meth:`score`)."""
        return self.score(batch.texts, batch.kwargs)

    def score(self, texts: list[str], kwargs: dict[str, Any]) -> list[float | None]:
        raise NotImplementedError

    def _sets(self, kwargs: dict[str, Any], n: int) -> list[LabelSet]:
        return _inputs.label_sets(kwargs, n, self.label_set)

    def _batch(self, texts: list[str], kwargs: dict[str, Any]) -> Batch:
        return Batch(texts, kwargs, {self.parser.name: self.needs})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.__name__!r}, parser={self.parser.name!r})"


class MultiReward(Reward):
    """A reward producing several named components from one pass over the batch."""

    components: tuple[str, ...] = ()

    def score_components(
        self, prompts: Any, completions: Any, **kwargs: Any
    ) -> dict[str, list[float | None]]:
        return self.columns(Batch(completions, kwargs, {self.parser.name: self.needs}))

    def columns(self, batch: Batch) -> dict[str, list[float | None]]:
        return self.score_all(batch.texts, batch.kwargs)

    def score_all(self, texts: list[str], kwargs: dict[str, Any]) -> dict[str, list[float | None]]:
        raise NotImplementedError

    def __call__(self, prompts=None, completions=None, **kwargs: Any) -> list[float | None]:
        """Called directly, a multi reward returns the mean of its components."""
        parts = self.score_components(prompts, completions, **kwargs)
        return _mean(parts)

    def score(self, texts: list[str], kwargs: dict[str, Any]) -> list[float | None]:
        return _mean(self.columns(self._batch(texts, kwargs)))


def _mean(parts: dict[str, list[float | None]]) -> list[float | None]:
    out: list[float | None] = []
    for values in zip(*parts.values(), strict=True):
        present = [v for v in values if v is not None]
        out.append(sum(present) / len(present) if present else None)
    return out


def component_names(func: Any) -> tuple[str, ...]:
    """The component names a reward callable contributes to a rubric."""
    if isinstance(func, MultiReward):
        return tuple(func.components)
    name = getattr(func, "__name__", None)
    if not name or name == "<lambda>":
        name = type(func).__name__ if not callable(func) or name is None else name
    return (name,)
