"""Evaluation harness: generate or read responses, score them, summarise, tabulate, plot.

Modules: :mod:`~agents.evaluation.harness` (``evaluate``), ``generate`` (model and
server backends), ``scoring`` (per-sample records), ``metrics`` (run summary and
confusion matrices), ``runs`` (resumable JSONL), ``table`` (the paper's table),
``plots`` (PNG). The ``emo-r3 eval`` / ``score`` / ``table`` sub-commands are in
:mod:`agents.cli`. Importing this package loads no heavy library.

Example:
    >>> from agents.evaluation import build_table
    >>> build_table([]).row("EMO-R3 (G=4)").a_all
    '60.50'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rewards._lazy import lazy_exports

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
    "EvalResult": "agents.evaluation.harness",
    "evaluate": "agents.evaluation.harness",
    "HFBackend": "agents.evaluation.generate",
    "ServerBackend": "agents.evaluation.generate",
    "ResultsFile": "agents.evaluation.runs",
    "Table": "agents.evaluation.table",
    "build_table": "agents.evaluation.table",
    "load_config": "agents.evaluation.table",
    "compute_metrics": "agents.evaluation.metrics",
    "score_responses": "agents.evaluation.scoring",
    "plot_confusion": "agents.evaluation.plots",
    "plot_label_accuracy": "agents.evaluation.plots",
    "plot_training_curves": "agents.common.plotting",
}

__getattr__, __dir__ = lazy_exports("agents.evaluation", _LAZY, __all__)


if TYPE_CHECKING:  # pragma: no cover
    from agents.common.plotting import plot_training_curves
    from agents.evaluation.generate import HFBackend, ServerBackend
    from agents.evaluation.harness import EvalResult, evaluate
    from agents.evaluation.metrics import compute_metrics
    from agents.evaluation.plots import plot_confusion, plot_label_accuracy
    from agents.evaluation.runs import ResultsFile
    from agents.evaluation.scoring import score_responses
    from agents.evaluation.table import Table, build_table, load_config
