"""JSON Lines files of runs: one JSON object per line (metrics, rollouts, results, responses).

* :class:`JsonlWriter` appends records and flushes each one, so a crashed run keeps what
  it logged (NaN and infinities are written as null);
* :func:`read_jsonl` reads such a file back (every reader of emo-r3 uses it), checking
  that each line holds one JSON object; ``repair=True`` drops a torn last line.

Example:
    >>> import tempfile, pathlib
    >>> from agents.common.jsonl import JsonlWriter, read_jsonl
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with JsonlWriter(d / "metrics.jsonl") as log:
    ...     log.write({"step": 1, "split": "train", "reward": 0.25, "accuracy": float("nan")})
    >>> read_jsonl(d / "metrics.jsonl")[0]
    {'step': 1, 'split': 'train', 'reward': 0.25, 'accuracy': None}
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rewards.errors import InvalidInputError

__all__ = ["JsonlWriter", "read_jsonl"]


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy / torch scalars
        return _clean(value.item())
    return value


class JsonlWriter:
    """Append JSON records to a file, one per line (NaN/inf written as null)."""

    def __init__(self, path: str | Path, *, append: bool = False):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("a" if append else "w", encoding="utf-8")

    def write(self, record: dict[str, Any]) -> None:
        if not isinstance(record, dict):
            raise InvalidInputError(f"A record must be a dict; got {type(record).__name__}.")
        self._file.write(json.dumps(_clean(record), ensure_ascii=False, default=str) + "\n")
        self._file.flush()

    def write_many(self, records: Iterable[dict[str, Any]]) -> None:
        for record in records:
            self.write(record)

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_jsonl(
    path: str | Path, *, repair: bool = False, what: str = "metrics file"
) -> list[dict[str, Any]]:
    """Read a JSONL file of objects.

    Args:
        path: the file.
        repair: drop (and truncate away) a torn last line instead of raising.
        what: what the file is, for the error messages (``"results file"``, ...).

    Raises:
        InvalidInputError: the file is missing, or a line is not a JSON object.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"No such {what}: {str(path)!r}.")
    lines = path.read_bytes().split(b"\n")
    records: list[dict[str, Any]] = []
    good_bytes = 0
    for number, line in enumerate(lines, 1):
        is_last = number == len(lines)
        if not line.strip():
            good_bytes += len(line) + (0 if is_last else 1)
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            if repair and is_last:  # a write cut off before its newline
                with path.open("r+b") as handle:
                    handle.truncate(good_bytes)
                break
            raise InvalidInputError(
                f"{str(path)!r} line {number} is not valid JSON ({err.msg}); each line must "
                "hold one JSON object."
            ) from None
        if not isinstance(value, dict):
            raise InvalidInputError(
                f"{str(path)!r} line {number} holds {type(value).__name__}; each line must "
                "hold one JSON object."
            )
        records.append(value)
        good_bytes += len(line) + (0 if is_last else 1)
    return records
