"""Base class of the model rewards: lazy, once-only model loading and pickling without it."""

from __future__ import annotations

import threading
from typing import Any

from rewards.base import Reward
from rewards.errors import InvalidInputError

__all__ = ["ModelReward"]


class ModelReward(Reward):
    """A :class:`~rewards.base.Reward` backed by a model that is loaded on first use.

    Subclasses implement :meth:`_load` (returning the loaded state) and read it through
    :attr:`loaded`. Pickling drops the loaded model (a worker reloads it lazily), so a
    reward can be sent to dataloader workers, Ray actors or TRL's multiprocessing.

    Attributes:
        stats: counters: ``scored`` values returned, ``none`` Nones returned (no image,
            no caption), ``missing`` responses without the passage (scored
            ``missing_value``), ``cache_hits`` / ``cache_misses`` of the embedding caches.
    """

    def __init__(self, name: str, parser="set", label_set="mikels8", batch_size: int = 64):
        super().__init__(name, parser, label_set)
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise InvalidInputError(f"batch_size must be a positive int; got {batch_size!r}.")
        self.batch_size = batch_size
        self.stats = {"scored": 0, "none": 0, "missing": 0}
        self._state: Any = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> Any:
        """The loaded model state (loads it on first access, once, thread-safely)."""
        if self._state is None:
            with self._lock:
                if self._state is None:
                    self._state = self._load()
        return self._state

    def _load(self) -> Any:
        raise NotImplementedError

    def _count(self, values: list[float | None]) -> list[float | None]:
        self.stats["scored"] += sum(v is not None for v in values)
        self.stats["none"] += sum(v is None for v in values)
        return values

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_state"] = None
        state["_lock"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
