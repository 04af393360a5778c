"""State files written whole or not at all, and read back with a clear error when torn.

:func:`write_atomic` writes a temporary file in the destination's folder, flushes and
``fsync``\\ s it, then ``os.replace``\\ s it over the destination (and ``fsync``\\ s the
folder where the system allows), so a reader, or a run resumed after a kill, sees the
old file or the new one, never an empty or half-written one. :func:`write_json` does the
same for a JSON value. :func:`read_json` reads a JSON state file and tells apart a missing
file (None) from an empty or corrupt one (:class:`CorruptStateError`, which names the file
and how to recover).

Example:
    >>> import tempfile, pathlib
    >>> from agents.common.atomic import read_json, write_json
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "run.json"
    >>> _ = write_json(path, {"template": "set"})
    >>> read_json(path)
    {'template': 'set'}
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from rewards.errors import InvalidInputError

__all__ = ["CorruptStateError", "read_json", "write_atomic", "write_json"]


class CorruptStateError(InvalidInputError):
    """A state file exists but is empty or not the JSON expected."""


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - systems that cannot open folders (Windows)
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def write_atomic(path: str | Path, data: bytes | str, *, encoding: str = "utf-8") -> Path:
    """Replace ``path`` with ``data`` atomically (temp file in the same folder, fsync,
    ``os.replace``); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode(encoding) if isinstance(data, str) else bytes(data)
    try:  # keep the file's permissions (mkstemp's are owner-only)
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return path


def write_json(path: str | Path, value: Any, *, indent: int | None = 2, **dumps: Any) -> Path:
    """Write ``value`` as JSON atomically (see :func:`write_atomic`)."""
    return write_atomic(path, json.dumps(value, indent=indent, **dumps) + "\n")


def read_json(path: str | Path, *, what: str = "state file", fix: str = "") -> Any:
    """The JSON value of ``path``; None when the file does not exist.

    Args:
        path: the file.
        what: what the file is, for the message (``"run settings"``).
        fix: how to recover, appended to the message.

    Raises:
        CorruptStateError: the file is empty or not valid JSON (a write cut off by a kill
            in a version that did not write atomically, or an edit gone wrong).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    problem = "is empty" if not raw.strip() else None
    if problem is None:
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            problem = f"is not valid JSON ({getattr(err, 'msg', err)})"
    raise CorruptStateError(f"The {what} {str(path)!r} {problem}. {fix}".rstrip())
