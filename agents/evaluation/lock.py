"""One evaluation run per output folder: an OS lock on ``eval.lock`` in the run folder.

:class:`RunLock` takes an exclusive, non-blocking ``flock`` on the folder's
``eval.lock`` and writes who holds it (pid, host, start time, command line) into the
file. A second run on the same folder is refused at once with
:class:`RunLockedError`, whose message names the holder. The operating system releases
the lock when the holding process ends in any way (exit, Ctrl-C, a crash, SIGKILL), so a
killed run never leaves the folder stuck: the next run takes the lock and resumes. The
file itself stays (deleting it would let two processes lock two different files).
Within one process the lock is re-entrant: the CLI takes it before loading the data and
the model, and :func:`~agents.evaluation.harness.evaluate` takes it again inside.

On systems without ``fcntl`` (Windows) ``msvcrt.locking`` plays the same role.

Example:
    >>> import os, tempfile
    >>> from agents.evaluation.lock import RunLock
    >>> with RunLock(tempfile.mkdtemp()) as lock:
    ...     lock.path.name, lock.info["pid"] == os.getpid()
    ('eval.lock', True)
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rewards.errors import InvalidInputError

__all__ = ["LOCK_NAME", "RunLock", "RunLockedError", "holder_info"]

#: The lock file's name inside a run folder.
LOCK_NAME = "eval.lock"


# folder (resolved) -> [file descriptor, holder details, depth] held by this process
_HELD: dict[str, list[Any]] = {}


class RunLockedError(InvalidInputError):
    """Another live process is writing the run folder (the message names it)."""


def holder_info() -> dict[str, Any]:
    """What this process writes into the lock: pid, host, start time, command line."""
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):
        return False
    return True


def _unlock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


def _describe(raw: bytes) -> str:
    try:
        info = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        info = None
    if not isinstance(info, dict):  # the holder has not written its details yet
        return "another process (its details are not written yet)"
    return (
        f"process {info.get('pid', '?')} on host {info.get('host', '?')}, started "
        f"{info.get('started', '?')}, command: {info.get('command', '?')}"
    )


class RunLock:
    """An exclusive lock on a run folder, held from :meth:`acquire` to :meth:`release`.

    Args:
        folder: the run folder (created when missing).
        what: what the folder holds, for the message (``"evaluation run"``).
    """

    def __init__(self, folder: str | Path, what: str = "evaluation run"):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.what = what
        self.info: dict[str, Any] = {}
        self._fd: int | None = None
        self._key = ""

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> RunLock:
        """Take the lock or raise :class:`RunLockedError` naming the process holding it."""
        if self._fd is not None:
            return self
        self.folder.mkdir(parents=True, exist_ok=True)
        key = os.path.realpath(self.path)
        if key in _HELD:  # this process holds it already (an outer RunLock)
            entry = _HELD[key]
            entry[2] += 1
            self._fd, self.info, self._key = entry[0], entry[1], key
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            os.close(fd)
            raise RunLockedError(
                f"{self.folder} is in use by another {self.what}: {self._holder()}. "
                "Two runs on one folder would score the same samples twice: wait for it to "
                "finish (or stop it; the next run resumes where it stopped), or pass another "
                "--output-dir."
            )
        self.info = holder_info()
        data = json.dumps(self.info, indent=2).encode("utf-8")
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, data)
        os.fsync(fd)
        self._fd, self._key = fd, key
        _HELD[key] = [fd, self.info, 1]
        return self

    def _holder(self) -> str:
        # the holder writes its details just after locking: give it a moment
        for _ in range(20):
            described = _describe(self.path.read_bytes())
            if not described.startswith("another process"):
                break
            time.sleep(0.05)
        return described

    def release(self) -> None:
        """Clear the holder's details and let the lock go (idempotent)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        entry = _HELD[self._key]
        entry[2] -= 1
        if entry[2]:  # an outer RunLock of this process still holds it
            return
        del _HELD[self._key]
        try:
            os.ftruncate(fd, 0)
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"RunLock({str(self.folder)!r}, held={self.held})"
