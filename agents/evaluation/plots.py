"""PNG plots of an evaluation run: confusion matrices and per-label accuracy bars.

matplotlib is imported inside each function with the non-interactive ``Agg`` backend,
so plots work on a headless machine. Training curves: :mod:`agents.common.plotting`.

Example:
    >>> import tempfile, pathlib
    >>> from agents.evaluation.plots import plot_confusion
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cm.png"
    >>> _ = plot_confusion([[3, 1, 0], [0, 2, 1]], ["joy", "fear"], ["joy", "fear", "(other)"],
    ...                    path, title="demo")
    >>> path.read_bytes()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agents.common.plotting import pyplot, save_figure
from rewards.errors import InvalidInputError

__all__ = ["plot_confusion", "plot_label_accuracy", "plot_summary"]


def plot_confusion(
    matrix: Sequence[Sequence[int]],
    rows: Sequence[str],
    columns: Sequence[str],
    path: str | Path,
    title: str = "",
) -> Path:
    """Heat map of a confusion matrix (rows: gold labels, columns: predictions), counts shown."""
    if len(matrix) != len(rows) or any(len(r) != len(columns) for r in matrix):
        raise InvalidInputError("The confusion matrix does not match its row and column labels.")
    plt = pyplot()
    size = max(4.0, 0.6 * len(columns) + 2)
    fig, ax = plt.subplots(figsize=(size, max(3.5, 0.55 * len(rows) + 1.5)))
    peak = max((v for r in matrix for v in r), default=0) or 1
    ax.imshow(matrix, cmap="Blues", vmin=0, vmax=peak, aspect="auto")
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            color = "white" if value > peak / 2 else "black"
            ax.text(j, i, str(value), ha="center", va="center", color=color, fontsize=8)
    ax.set_xticks(range(len(columns)), columns, rotation=45, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("predicted (boxed label)")
    ax.set_ylabel("gold label")
    ax.set_title(title or "confusion matrix")
    return save_figure(fig, path)


def plot_label_accuracy(
    accuracy: dict[str, float | None],
    support: dict[str, int],
    path: str | Path,
    title: str = "",
) -> Path:
    """Bars of per-label accuracy (labels with no sample drawn empty), n under each."""
    plt = pyplot()
    names = list(accuracy)
    values = [accuracy[n] if accuracy[n] is not None else 0.0 for n in names]
    fig, ax = plt.subplots(figsize=(max(4.0, 0.7 * len(names) + 1.5), 3.5))
    bars = ax.bar(range(len(names)), values, color="#4c72b0")
    for bar, name in zip(bars, names, strict=True):
        shown = "n/a" if accuracy[name] is None else f"{accuracy[name]:.0%}"
        ax.text(
            bar.get_x() + bar.get_width() / 2,
            bar.get_height() + 0.02,
            shown,
            ha="center",
            fontsize=8,
        )
    labels = [f"{n}\n(n={support.get(n, 0)})" for n in names]
    ax.set_xticks(range(len(names)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("accuracy")
    ax.set_title(title or "per-label accuracy")
    return save_figure(fig, path)


def plot_summary(summary: dict[str, Any], out_dir: str | Path) -> list[Path]:
    """Both plots for every label set of a run summary; returns the files written."""
    out = Path(out_dir)
    written = []
    for name, part in summary.get("by_label_set", {}).items():
        written.append(
            plot_confusion(
                part["confusion"],
                part["labels"],
                part["columns"],
                out / f"confusion_{name}.png",
                title=f"confusion matrix ({name})",
            )
        )
        written.append(
            plot_label_accuracy(
                part["per_label_accuracy"],
                part["support"],
                out / f"per_label_accuracy_{name}.png",
                title=f"per-label accuracy ({name})",
            )
        )
    return written
