"""Resumable run files: the JSONL of results, appended per sample, and the run's settings.

A run directory holds ``results.jsonl``. Each line is a finished sample with a unique
``id``; a run that is interrupted (Ctrl-C, a crash, a killed job) keeps every line it
flushed, and the next run with the same output directory skips those ids. A torn last
line (a write cut off mid-way) is dropped on reopening, so the sample is redone. A file
that holds an id twice (written by two runs at once before runs took the folder's lock,
see :mod:`agents.evaluation.lock`) is read with the first record of each id and
rewritten without the repeats, so a sample is never counted twice.

:func:`check_settings` keeps ``run.json``: a resumed run must have the settings of the
run that wrote the results, and the file is written atomically. An empty or corrupt
``run.json`` (left by a version that did not write it atomically, killed mid-write) is
recovered when the results already in the folder were scored with this run's template
and preset, and refused with a clear message otherwise.

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
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from agents.common.atomic import CorruptStateError, read_json, write_atomic, write_json
from agents.common.jsonl import read_jsonl
from rewards.errors import InvalidInputError

__all__ = ["ResultsFile", "check_settings", "read_results", "unique_records"]

log = logging.getLogger(__name__)


def unique_records(records: Iterable[dict[str, Any]], path: Any = "") -> list[dict[str, Any]]:
    """The first record of each ``id``, in order (records without an id are an error)."""
    seen: set[str] = set()
    out = []
    for record in records:
        key = record.get("id")
        if key is None:
            raise InvalidInputError(f"{str(path)!r} holds a record without an 'id'.")
        if str(key) not in seen:
            seen.add(str(key))
            out.append(record)
    return out


def read_results(path: str | Path) -> list[dict[str, Any]]:
    """The records of a results file, one per sample, without changing the file."""
    return unique_records(read_jsonl(path, what="results file"), path)


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
        self.records: list[dict[str, Any]] = unique_records(stored, self.path)
        self.done_ids: set[str] = {str(r["id"]) for r in self.records}
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


def check_settings(
    path: str | Path,
    settings: dict[str, Any],
    *,
    resume: bool = True,
    results: str | Path | None = None,
    expected: dict[str, str] | None = None,
    recorded: dict[str, Any] | None = None,
) -> None:
    """Check a resumed run's settings against ``run.json``, then write them (atomically).

    Args:
        path: the run's ``run.json``.
        settings: this run's settings.
        resume: False: the folder is started over, nothing to check.
        results: the run's ``results.jsonl``, read when ``run.json`` is empty or corrupt.
        expected: record fields every stored result must have for a recovery, e.g.
            ``{"template": "set", "preset": "emo_r3_reference"}``.
        recorded: written beside the settings, not compared (e.g. where a setting came
            from: a path may change when the folder moves).

    Raises:
        InvalidInputError: the stored settings differ, or ``run.json`` is unreadable and
            the stored results do not show that they match this run.
    """
    path = Path(path)
    if resume:
        fix = "Start over with --no-resume, or use another output folder."
        try:
            before = read_json(path, what="run settings file", fix=fix)
            if before is not None and not isinstance(before, dict):
                raise CorruptStateError(f"The run settings file {str(path)!r} is not an object.")
        except CorruptStateError as err:
            _recover(err, path, results, expected or {}, fix)
            before = None
        if before is not None:
            changed = sorted(k for k in settings if before.get(k) != settings[k])
            if changed:
                raise InvalidInputError(
                    f"{path.parent} holds a run with other settings ({', '.join(changed)}); "
                    "use another output folder or --no-resume to start over."
                )
    write_json(path, {**settings, **(recorded or {})}, sort_keys=True)


def _recover(err, path: Path, results, expected: dict[str, str], fix: str) -> None:
    stored = ResultsFile(results).records if results and Path(results).exists() else []
    problem = str(err).removesuffix(" " + fix)
    for field, want in expected.items():
        seen = sorted({str(r.get(field)) for r in stored} - {want})
        if seen:
            raise InvalidInputError(
                f"{problem} Its results were scored with {field} {', '.join(seen)}, and this run "
                f"asks for {want}, so they cannot be resumed. {fix}"
            ) from None
    checked = f" (their {' and '.join(expected)} match this run's)" if expected else ""
    log.warning(
        "%s Rewriting it with this run's settings and resuming the %d results already there%s.",
        problem,
        len(stored),
        checked if stored else "",
    )
