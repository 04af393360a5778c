"""Training records any driver can write: metrics JSONL, reward-curve PNG, scored rollouts.

* :class:`JsonlWriter` appends one JSON object per line (flushes every record, so a
  crashed run keeps what it logged);
* :func:`read_jsonl` reads such a file back;
* :func:`plot_reward_curve` draws mean reward and accuracy per step (train, and held-out
  evaluation points when present) into a PNG;
* :func:`format_row` / :func:`format_header` print a fixed-width per-step table.

Example:
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with JsonlWriter(d / "metrics.jsonl") as log:
    ...     log.write({"step": 1, "split": "train", "reward": 0.25, "accuracy": 0.0})
    >>> read_jsonl(d / "metrics.jsonl")[0]["reward"]
    0.25
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rewards.errors import InvalidInputError, MissingDependencyError

__all__ = [
    "TABLE_COLUMNS",
    "JsonlWriter",
    "format_header",
    "format_row",
    "plot_reward_curve",
    "read_jsonl",
]

#: (record key, header, width, format) of the per-step table.
TABLE_COLUMNS: tuple[tuple[str, str, int, str], ...] = (
    ("step", "step", 5, "d"),
    ("reward", "reward", 7, ".3f"),
    ("accuracy", "acc", 6, ".3f"),
    ("format_rate", "format", 6, ".3f"),
    ("consistency", "cons", 6, ".3f"),
    ("coherence", "coh", 6, ".3f"),
    ("kl", "kl", 8, ".4f"),
    ("completion_length", "len", 6, ".1f"),
    ("step_seconds", "sec", 6, ".1f"),
    ("reward_share", "rw%", 6, ".1%"),
)


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


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Read a JSONL file written by :class:`JsonlWriter`."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"No such metrics file: {path}")
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def format_header(columns: Sequence[tuple[str, str, int, str]] = TABLE_COLUMNS) -> str:
    """The header line of the per-step table."""
    return " ".join(f"{head:>{width}}" for _, head, width, _ in columns)


def format_row(
    record: dict[str, Any], columns: Sequence[tuple[str, str, int, str]] = TABLE_COLUMNS
) -> str:
    """One per-step table row; missing values print as ``-``."""
    cells = []
    for key, _, width, fmt in columns:
        value = record.get(key)
        cells.append(f"{value:>{width}{fmt}}" if value is not None else f"{'-':>{width}}")
    return " ".join(cells)


def _series(records: list[dict[str, Any]], split: str, key: str) -> tuple[list, list]:
    xs, ys = [], []
    for r in records:
        if r.get("split", "train") == split and r.get(key) is not None:
            xs.append(r["step"])
            ys.append(r[key])
    return xs, ys


def _smooth(values: list[float], window: int) -> list[float]:
    out, total = [], 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def plot_reward_curve(
    records: str | Path | list[dict[str, Any]],
    path: str | Path,
    *,
    title: str = "GRPO training",
    smooth: int = 5,
) -> Path:
    """Plot mean reward and accuracy per step (train, smoothed) and held-out eval points.

    Args:
        records: metrics records or the path of a metrics JSONL.
        path: PNG file to write.
        title: figure title (name the machine here).
        smooth: moving-average window of the train curves (1: raw).

    Returns:
        The PNG path.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise MissingDependencyError("matplotlib", "train", "the reward-curve PNG") from err
    if not isinstance(records, list):
        records = read_jsonl(records)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for ax, key, label in ((axes[0], "reward", "mean reward"), (axes[1], "accuracy", "accuracy")):
        xs, ys = _series(records, "train", key)
        if xs:
            ax.plot(xs, ys, color="tab:blue", alpha=0.25, lw=1)
            ax.plot(xs, _smooth(ys, max(1, smooth)), color="tab:blue", lw=2, label="train")
        ex, ey = _series(records, "eval", key)
        if ex:
            ax.plot(ex, ey, "o-", color="tab:orange", lw=2, label="held-out eval")
        ax.set_xlabel("step")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        if xs or ex:
            ax.legend(loc="best")
    fig.suptitle(title)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
