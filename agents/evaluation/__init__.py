"""Evaluation harness: generate or read responses, score them, summarise, tabulate, plot.

Modules: :mod:`~agents.evaluation.harness` (``evaluate``), ``generate`` (model and
server backends), ``scoring`` (per-sample records), ``metrics`` (run summary and
confusion matrices), ``runs`` (resumable JSONL), ``table`` (the paper's table),
``plots`` (PNG), and the ``emo-r3 eval`` / ``score`` / ``table`` sub-commands.
Importing this package loads no heavy library.

Example:
    >>> from agents.evaluation import build_table
    >>> build_table([]).row("EMO-R3 (G=4)").a_all
    '60.50'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__all__ = [
    "EvalResult",
    "HFBackend",
    "ResultsFile",
    "ServerBackend",
    "Table",
    "build_table",
    "compute_metrics",
    "evaluate",
    "load_config",
    "plot_confusion",
    "plot_label_accuracy",
    "plot_training_curves",
    "score_responses",
]

_LAZY = {
    "EvalResult": "harness",
    "evaluate": "harness",
    "HFBackend": "generate",
    "ServerBackend": "generate",
    "ResultsFile": "runs",
    "Table": "table",
    "build_table": "table",
    "load_config": "table",
    "compute_metrics": "metrics",
    "score_responses": "scoring",
    "plot_confusion": "plots",
    "plot_label_accuracy": "plots",
    "plot_training_curves": "plots",
}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f"agents.evaluation.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'agents.evaluation' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover
    from agents.evaluation.generate import HFBackend, ServerBackend
    from agents.evaluation.harness import EvalResult, evaluate
    from agents.evaluation.metrics import compute_metrics
    from agents.evaluation.plots import plot_confusion, plot_label_accuracy, plot_training_curves
    from agents.evaluation.runs import ResultsFile
    from agents.evaluation.scoring import score_responses
    from agents.evaluation.table import Table, build_table, load_config
