"""PNG plots: confusion matrices, per-label accuracy bars, training reward curves.

matplotlib is imported inside each function with the non-interactive ``Agg`` backend,
so plots work on a headless machine.

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

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rewards.errors import InvalidInputError, MissingDependencyError

__all__ = [
    "plot_confusion",
    "plot_label_accuracy",
    "plot_summary",
    "plot_training_curves",
    "training_panels",
]

#: Panels of the training plot: (title, keys); "reward/*" means every component key.
PANELS = (
    ("reward", ("reward", "reward/*")),
    ("accuracy and format", ("accuracy", "format_rate")),
    ("reflective rates", ("consistency", "coherence")),
    ("KL to the reference", ("kl",)),
    ("completion length", ("completion_length",)),
)


def _pyplot():
    try:
        import matplotlib
    except ImportError as err:
        raise MissingDependencyError("matplotlib", "eval", "plots") from err
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    fig.clear()
    _pyplot().close(fig)
    return path


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
    plt = _pyplot()
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
    return _save(fig, path)


def plot_label_accuracy(
    accuracy: dict[str, float | None],
    support: dict[str, int],
    path: str | Path,
    title: str = "",
) -> Path:
    """Bars of per-label accuracy (labels with no sample drawn empty), n under each."""
    plt = _pyplot()
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
    return _save(fig, path)


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


def _flatten(row: dict[str, Any]) -> dict[str, Any]:
    """One metrics record with every reward component as a ``reward/<name>`` key.

    Accepts ``{"components": {name: value}}`` (the TRL driver's records),
    ``"rewards/<name>/mean"`` (TRL's own log keys) and ``"reward/<name>"``.
    """
    flat = dict(row)
    components = row.get("components")
    if isinstance(components, dict):
        for name, value in components.items():
            flat.setdefault(f"reward/{name}", value)
    for key, value in row.items():
        if key.startswith("rewards/") and key.endswith("/mean"):
            flat.setdefault(f"reward/{key[len('rewards/') : -len('/mean')]}", value)
    return flat


def _read_metrics(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise InvalidInputError(f"No training metrics file at {str(path)!r}.")
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            raise InvalidInputError(f"{str(path)!r} line {number} is not JSON.") from None
        if isinstance(row, dict):
            rows.append(_flatten(row))
    return rows


def _series(rows: list[dict[str, Any]], key: str) -> tuple[list[float], list[float]]:
    xs, ys = [], []
    for i, row in enumerate(rows):
        value = row.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if not math.isfinite(value):
            continue
        step = row.get("step", i)
        xs.append(float(step if isinstance(step, (int, float)) else i))
        ys.append(float(value))
    return xs, ys


def _plan(rows: list[dict[str, Any]]) -> list[tuple[str, list]]:
    train = [r for r in rows if r.get("split", "train") != "eval"]
    held_out = [r for r in rows if r.get("split") == "eval"]
    keys = sorted({k for r in rows for k in r})
    panels = []
    for name, wanted in PANELS:
        chosen = []
        for key in wanted:
            chosen += [k for k in keys if k.startswith("reward/")] if key == "reward/*" else [key]
        series = [(k, _series(train, k), _series(held_out, k)) for k in chosen]
        series = [item for item in series if item[1][0] or item[2][0]]
        if series:
            panels.append((name, series))
    return panels


def training_panels(metrics_path: str | Path) -> list[tuple[str, list[str]]]:
    """The panels :func:`plot_training_curves` draws: ``[(title, [series keys])]``."""
    rows = _read_metrics(Path(metrics_path))
    return [(name, [key for key, *_ in series]) for name, series in _plan(rows)]


def plot_training_curves(metrics_path: str | Path, path: str | Path, title: str = "") -> Path:
    """Reward, component, accuracy, reflective, KL and length curves from a metrics JSONL.

    Each line is one logged step's JSON object: ``step``, ``reward``, the components
    (``reward/<name>`` keys, a ``components`` dict, or TRL's ``rewards/<name>/mean``),
    ``accuracy``, ``format_rate``, ``consistency``, ``coherence``, ``kl``,
    ``completion_length``. Records with ``"split": "eval"`` are drawn as marked points
    beside the training lines. Panels whose keys are absent are left out.

    Raises:
        InvalidInputError: a missing file, or no plottable numeric key in it.
    """
    panels = _plan(_read_metrics(Path(metrics_path)))
    if not panels:
        raise InvalidInputError(
            f"{str(metrics_path)!r} holds no numeric 'reward', reward component, "
            "'accuracy', 'format_rate', 'consistency', 'coherence', 'kl' or "
            "'completion_length' values to plot."
        )
    plt = _pyplot()
    fig, axes = plt.subplots(len(panels), 1, figsize=(7, 2.6 * len(panels)), squeeze=False)
    for ax, (name, series) in zip(axes[:, 0], panels, strict=True):
        for key, (xs, ys), (ex, ey) in series:
            if xs:
                marker = "o" if len(xs) == 1 else None  # a lone point needs a marker
                (line,) = ax.plot(xs, ys, label=key, linewidth=1.2, marker=marker)
                color = line.get_color()
            else:
                color = None
            if ex:
                ax.plot(ex, ey, "o--", color=color, label=f"{key} (eval)", markersize=4)
        ax.set_title(name, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    axes[-1, 0].set_xlabel("step")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return _save(fig, path)
