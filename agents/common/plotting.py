"""Headless matplotlib helpers and THE training-curve plot (TRL runs, ``emo-r3 eval``).

:func:`plot_training_curves` reads metrics records (a list, or a JSONL written by the
TRL driver or any logger) and stacks one panel per group of keys: reward and its
components, accuracy and format, the reflective rates, KL, completion length. Train
values are drawn as lines (raw, and a moving average when ``smooth > 1``); records with
``"split": "eval"`` as marked points. matplotlib is imported on use with the ``Agg``
backend, so plots work on a machine without a display.

Example:
    >>> import tempfile, pathlib
    >>> from agents.common.plotting import plot_training_curves
    >>> rows = [{"step": s, "reward": s / 10, "accuracy": 0.5} for s in (1, 2, 3)]
    >>> path = plot_training_curves(rows, pathlib.Path(tempfile.mkdtemp()) / "c.png")
    >>> path.read_bytes()[:4] == b"\\x89PNG"
    True
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from agents.common.jsonl import read_jsonl
from rewards.errors import InvalidInputError, MissingDependencyError
from rewards.judges import KINDS

__all__ = ["PANELS", "plot_training_curves", "pyplot", "save_figure", "training_panels"]

#: Panels of the training plot: (title, keys); "reward/*" means every component key.
PANELS = (
    ("reward", ("reward", "reward/*")),
    ("accuracy and format", ("accuracy", "format_rate")),
    ("reflective rates", KINDS),
    ("KL to the reference", ("kl",)),
    ("completion length", ("completion_length",)),
)


def pyplot():
    """``matplotlib.pyplot`` on the non-interactive Agg backend."""
    try:
        import matplotlib
    except ImportError as err:
        raise MissingDependencyError("matplotlib", "eval", "plots") from err
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: str | Path) -> Path:
    """Write ``fig`` as a PNG (folders created) and close it.

    The image is written whole or not at all (:func:`agents.common.atomic.write_atomic`),
    so a run killed while plotting never leaves a truncated PNG behind.
    """
    import io

    from agents.common.atomic import write_atomic

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    finally:
        fig.clear()
        pyplot().close(fig)
    return write_atomic(path, buffer.getvalue())


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


def _records(metrics: str | Path | list[dict[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(metrics, list):
        return [_flatten(r) for r in metrics if isinstance(r, dict)]
    path = Path(metrics)
    if not path.is_file():
        raise InvalidInputError(f"No training metrics file at {str(path)!r}.")
    return [_flatten(r) for r in read_jsonl(path)]


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


def _smooth(values: list[float], window: int) -> list[float]:
    out, total = [], 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


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


def training_panels(metrics: str | Path | list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """The panels :func:`plot_training_curves` draws: ``[(title, [series keys])]``."""
    return [(name, [key for key, *_ in series]) for name, series in _plan(_records(metrics))]


def plot_training_curves(
    metrics: str | Path | list[dict[str, Any]],
    path: str | Path,
    title: str = "",
    *,
    smooth: int = 1,
) -> Path:
    """Reward, component, accuracy, reflective, KL and length curves, one panel each.

    Args:
        metrics: records, or a metrics JSONL: per logged step ``step``, ``reward``, the
            components (``reward/<name>`` keys, a ``components`` dict, or TRL's
            ``rewards/<name>/mean``), ``accuracy``, ``format_rate``, ``consistency``,
            ``coherence``, ``kl``, ``completion_length``; ``"split": "eval"`` records
            are drawn as marked points beside the training lines. Panels whose keys
            are absent are left out.
        path: the PNG to write.
        title: figure title (name the machine and the run here).
        smooth: moving-average window of the train lines (1: raw lines only; above
            1, the raw line is drawn faint under the average).

    Raises:
        InvalidInputError: a missing file, or no plottable numeric key in it.
    """
    panels = _plan(_records(metrics))
    if not panels:
        source = "The records hold" if isinstance(metrics, list) else f"{str(metrics)!r} holds"
        raise InvalidInputError(
            f"{source} no numeric 'reward', reward component, 'accuracy', 'format_rate', "
            "'consistency', 'coherence', 'kl' or 'completion_length' values to plot."
        )
    window = max(1, int(smooth))
    plt = pyplot()
    fig, axes = plt.subplots(len(panels), 1, figsize=(7, 2.6 * len(panels)), squeeze=False)
    for ax, (name, series) in zip(axes[:, 0], panels, strict=True):
        for key, (xs, ys), (ex, ey) in series:
            color = None
            if xs:
                marker = "o" if len(xs) == 1 else None  # a lone point needs a marker
                if window > 1 and len(xs) > 1:
                    (raw,) = ax.plot(xs, ys, linewidth=0.8, alpha=0.3)
                    color = raw.get_color()
                    ax.plot(xs, _smooth(ys, window), color=color, label=key, linewidth=1.6)
                else:
                    (line,) = ax.plot(xs, ys, label=key, linewidth=1.2, marker=marker)
                    color = line.get_color()
            if ex:
                ax.plot(ex, ey, "o--", color=color, label=f"{key} (eval)", markersize=4)
        ax.set_title(name, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    axes[-1, 0].set_xlabel("step")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, path)
