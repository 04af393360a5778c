"""Resumable JSONL result files: one JSON object per sample, appended as it is done.

A run directory holds ``results.jsonl``. Each line is a finished sample with a unique
``id``; a run that is interrupted (Ctrl-C, a crash, a killed job) keeps every line it
flushed, and the next run with the same output directory skips those ids. A torn last
line (a write cut off mid-way) is dropped on reopening, so the sample is redone. A file
that holds an id twice (written by two runs at once before runs took the folder's lock,
see :mod:`agents.evaluation.lock`) is read with the first record of each id and
rewritten without the repeats, so a sample is never counted twice.

Example:
    >>> import tempfile, pathlib
    >>> from agents.evaluation.runs import ResultsFile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "results.jsonl"
    >>> with ResultsFile(path) as out:
    ...     out.append({"id": "a", "correct": True})
    >>> sorted(ResultsFile(path).done_ids)
    ['a']
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from agents.common.atomic import write_atomic
from agents.common.jsonl import read_jsonl
from rewards.errors import InvalidInputError

__all__ = ["ResultsFile"]


class ResultsFile:
    """An append-only JSONL file of per-sample results, keyed by ``id``.

    Args:
        path: the JSONL file (created with its folder when missing).
        resume: keep the records already there (default); False starts afresh.
    """

    def __init__(self, path: str | Path, resume: bool = True):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not resume and self.path.exists():
            self.path.unlink()
        stored = (
            read_jsonl(self.path, repair=True, what="results file") if self.path.exists() else []
        )
        self.records: list[dict[str, Any]] = []
        self.done_ids: set[str] = set()
        for record in stored:
            key = record.get("id")
            if key is None:
                raise InvalidInputError(f"{str(self.path)!r} holds a record without an 'id'.")
            if str(key) not in self.done_ids:
                self.done_ids.add(str(key))
                self.records.append(record)
        #: records dropped on reading because their id had a record before them
        self.repeats_dropped = len(stored) - len(self.records)
        if self.repeats_dropped:
            write_atomic(self.path, "".join(_line(r) for r in self.records))
        self._handle = None

    def __enter__(self) -> ResultsFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pending(self, ids: Iterable[Any]) -> list[int]:
        """Positions of the ids that have no record yet."""
        return [i for i, key in enumerate(ids) if str(key) not in self.done_ids]

    def append(self, record: dict[str, Any]) -> None:
        """Write one record and flush it to disk at once."""
        self.extend([record])

    def extend(self, records: Iterable[dict[str, Any]]) -> None:
        """Write records, then flush and fsync once (a batch survives a crash whole or
        in part, never as a corrupt file)."""
        records = list(records)
        lines = []
        batch_ids: set[str] = set()
        for record in records:
            key = record.get("id")
            if key is None:
                raise InvalidInputError("Every result record needs an 'id'.")
            if str(key) in self.done_ids or str(key) in batch_ids:
                raise InvalidInputError(f"Sample id {key!r} already has a result in {self.path}.")
            batch_ids.add(str(key))
            lines.append(_line(record))
        if not lines:
            return
        if self._handle is None:
            self._handle = self.path.open("a", encoding="utf-8")
        self._handle.write("".join(lines))
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self.records.extend(records)
        self.done_ids |= batch_ids

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
