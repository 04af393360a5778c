"""The dataset samples a label may name by ``sample_id``: only datasets configured at start.

A label field's ``dataset`` is a **name**, never a location: it must be one of the
sources the server (or reward file) was started with (``"embedded"``,
``"fi:/data/FI"``, ...) or the ``dataset`` column of their rows (``"FI"``). Anything
else is refused before any file is read, so a label cannot make the server load a
dataset, or an image, from a folder of its choosing.

The ids of a source are indexed once, on first use, from its ``id`` column (no image is
decoded). :class:`NeedsIO` tells a caller that must not block (the server's event loop)
that answering would load a dataset first.

Example:
    >>> from agents.common.datasets import SampleIndex
    >>> index = SampleIndex(["embedded"])
    >>> index.locate("embedded/rocket")[0]
    'embedded'
    >>> try:
    ...     index.locate("embedded/rocket", "/some/outside/folder")
    ... except Exception as err:
    ...     print(type(err).__name__)
    InvalidInputError
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from agents.common.faults import ServerFault
from rewards.errors import EmoError, InvalidInputError, MissingDependencyError, closest

__all__ = ["NeedsIO", "SampleIndex"]


class NeedsIO(Exception):
    """Raised with ``io=False`` when an answer needs a dataset loaded or a file checked."""


class SampleIndex:
    """Sample ids of the configured datasets.

    Args:
        sources: ``emo_env.data.load_dataset`` sources; the first is the default of labels
            that name no dataset.
        splits: split(s) searched for ids (all of them by default).
    """

    def __init__(self, sources: Sequence[str], splits: Sequence[str] = ("all",)):
        sources = tuple(dict.fromkeys(sources))
        if not sources or not all(isinstance(s, str) and s for s in sources):
            raise InvalidInputError(f"Give at least one dataset source (a name); got {sources!r}.")
        self.sources = sources
        self.splits = tuple(splits)
        self._samples: dict[tuple[str, str], tuple[Any, int]] = {}
        self._ids: dict[str, list[str]] = {}
        self._aliases: dict[str, str] = {}  # a rows' "dataset" column value -> its source
        self._indexed: dict[str, EmoError | None] = {}  # source -> its load error, if any
        self._lock = threading.Lock()

    def locate(self, sample_id: str, dataset: str | None = None, *, io: bool = True):
        """``(source, rows, index)`` of a sample.

        Raises:
            InvalidInputError: an unknown dataset name or sample id (closest one named).
            NeedsIO: with ``io=False``, when a dataset would have to be loaded first.
            ServerFault: the configured dataset itself cannot be loaded.
        """
        source = self.source(dataset, io=io)
        self._ensure([source], io)
        if self._indexed[source] is not None:
            raise ServerFault(
                f"Dataset {source!r}, configured at start, could not be loaded: "
                f"{self._indexed[source]}"
            )
        found = self._samples.get((source, sample_id))
        if found is None:
            near = self._closest_id(sample_id, source)
            hint = f" Did you mean {near!r}?" if near else ""
            shown = sample_id if len(sample_id) <= 200 else sample_id[:200] + "..."
            raise InvalidInputError(f"No sample with id {shown!r} in dataset {source!r}.{hint}")
        return (source, *found)

    def _closest_id(self, sample_id: str, source: str) -> str | None:
        """The nearest id, searched among a bounded set of candidates (cheap on 100k ids)."""
        if len(sample_id) > 200:
            return None
        ids = self._ids.get(source, [])
        if len(ids) > 5000:
            ids = [i for i in ids if i[:1] == sample_id[:1] and abs(len(i) - len(sample_id)) <= 2][
                :5000
            ]
        return closest(sample_id, ids)

    def source(self, name: str | None, *, io: bool = True) -> str:
        """The configured source a label's ``dataset`` names (the default for None)."""
        if name is None:
            return self.sources[0]
        if name in self.sources:
            return name
        if name not in self._aliases:
            self._ensure(self.sources, io)  # learn the datasets' own names
        if name in self._aliases:
            return self._aliases[name]
        known = sorted({*self.sources, *self._aliases})
        near = closest(name, known)
        hint = f" Did you mean {near!r}?" if near else ""
        raise InvalidInputError(
            f"Unknown dataset {name!r} in a label.{hint} This server serves sample ids of "
            f"{', '.join(map(repr, known))} only: a label names a dataset configured at "
            "start, never a path (start the server with --dataset SOURCE to add one)."
        )

    def _ensure(self, sources: Sequence[str], io: bool) -> None:
        pending = [s for s in sources if s not in self._indexed]
        if not pending:
            return
        if not io:
            raise NeedsIO(pending[0])
        with self._lock:
            for source in pending:
                if source not in self._indexed:
                    self._index(source)

    def _index(self, source: str) -> None:
        try:
            from emo_env import data
        except ImportError as err:
            raise MissingDependencyError("emo_env data", "env", "sample-id images") from err
        error: EmoError | None = None
        loaded = False
        for split in self.splits:
            try:
                rows = data.load_dataset(source, split=split, verify_images=False)
            except EmoError as err:
                error = err
                continue
            loaded = True
            ids = self._ids.setdefault(source, [])
            for index, sample_id in enumerate(rows["id"]):  # the id column only: no decoding
                self._samples[(source, str(sample_id))] = (rows, index)
                ids.append(str(sample_id))
            if "dataset" in rows.column_names:
                for name in set(rows["dataset"]):
                    if name:
                        self._aliases.setdefault(str(name), source)
        self._indexed[source] = None if loaded else error
