"""A rubric as TRL reward functions: one function per component, one rubric pass per batch.

TRL logs every reward function separately (``rewards/<name>/mean``) and weighs them with
``reward_weights``. :class:`RubricRewards` exposes each rubric component as its own
function; the first one TRL calls on a batch scores the whole rubric (and its judge)
once, and the others read the cached values. The weighted sum TRL forms equals the
rubric's total (a None component adds nothing, as in :class:`~rewards.rubric.Rubric`).

Example:
    >>> from rewards import presets
    >>> shared = RubricRewards(presets.get("emo_r3_paper"))
    >>> [f.__name__ for f in shared.functions()], shared.weights()
    (['accuracy', 'format', 'consistency', 'coherence'], [0.8, 0.1, 0.05, 0.05])
    >>> r = "<step1>a storm</step1><step2>fear</step2><step3>negative</step3> \\\\boxed{fear}"
    >>> acc, fmt = shared.functions()[:2]
    >>> batch = {"prompts": ["q"], "completions": [r], "label": ["fear"]}  # as TRL passes it
    >>> acc(**batch), fmt(**batch)  # the second reads the first's rubric pass
    ([1.0], [1.0])
    >>> shared.stats["rubric_calls"]
    1
"""

from __future__ import annotations

import time
from typing import Any

from agents.trl.data import HIDDEN_IMAGE
from rewards import completion_text, completion_texts
from rewards.rubric import Rubric

__all__ = ["ComponentReward", "RubricRewards"]

_TRL_ONLY = ("trainer_state", "log_extra", "log_metric", "environments", "completion_ids")


class RubricRewards:
    """Shares one rubric evaluation per batch between per-component reward functions.

    Args:
        rubric: the rubric to score with.

    Attributes:
        last_batch: the last scored batch (prompts, completions, labels, components,
            totals), for the rollouts file.
        stats: ``rubric_calls``, ``seconds`` (total time spent scoring) and
            ``step_seconds`` (time spent since :meth:`take_seconds` was last called).
    """

    def __init__(self, rubric: Rubric):
        self.rubric = rubric
        self.names = list(rubric.names)
        self._key: tuple | None = None
        self._parts: dict[str, list] = {}
        self.last_batch: dict[str, Any] | None = None
        self.stats = {"rubric_calls": 0, "seconds": 0.0, "pending_seconds": 0.0}

    def functions(self) -> list[ComponentReward]:
        """One TRL reward function per rubric component, in component order."""
        return [ComponentReward(self, name) for name in self.names]

    def weights(self) -> list[float]:
        """The rubric's weights, in the order of :meth:`functions` (TRL ``reward_weights``)."""
        return [self.rubric.weights[name] for name in self.names]

    def take_seconds(self) -> float:
        """Seconds spent scoring since the previous call (for per-step reward share)."""
        seconds, self.stats["pending_seconds"] = self.stats["pending_seconds"], 0.0
        return seconds

    def scores(self, prompts: Any, completions: Any, **kwargs: Any) -> dict[str, list]:
        """All components for a batch, computed once per distinct batch."""
        texts = completion_texts(completions)
        labels = kwargs.get("label")
        key = (id(completions), tuple(texts), tuple(map(str, labels or ())))
        if key == self._key:
            return self._parts
        columns = {k: v for k, v in kwargs.items() if k not in _TRL_ONLY}
        if HIDDEN_IMAGE in columns and columns.get("image") is None:
            columns["image"] = columns.pop(HIDDEN_IMAGE)
        start = time.perf_counter()
        parts = self.rubric.components(prompts, texts, **columns)
        elapsed = time.perf_counter() - start
        self.stats["rubric_calls"] += 1
        self.stats["seconds"] += elapsed
        self.stats["pending_seconds"] += elapsed
        self._key, self._parts = key, parts
        totals = self.rubric.totals(parts)
        self.last_batch = {
            "prompts": [_prompt_text(p) for p in (prompts or [None] * len(texts))],
            "completions": texts,
            "labels": list(labels) if labels is not None else [None] * len(texts),
            "components": parts,
            "totals": totals,
        }
        return parts

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.update(_key=None, _parts={}, last_batch=None)
        return state


class ComponentReward:
    """One rubric component as a picklable TRL reward function."""

    def __init__(self, shared: RubricRewards, name: str):
        self.shared = shared
        self.name = name
        self.__name__ = name

    def __call__(self, prompts=None, completions=None, **kwargs: Any) -> list[float | None]:
        return list(self.shared.scores(prompts, completions, **kwargs)[self.name])

    def __repr__(self) -> str:
        return f"ComponentReward({self.name!r} of {self.shared.rubric.__name__})"


def _prompt_text(prompt: Any) -> str | None:
    if prompt is None or isinstance(prompt, str):
        return prompt
    try:
        return completion_text(prompt, 0)
    except Exception:
        return str(prompt)
