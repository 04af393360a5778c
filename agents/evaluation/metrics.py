"""Summary metrics of an evaluation run, computed from its result records.

:func:`compute_metrics` turns the records of :mod:`agents.evaluation.scoring` into the
run's summary: accuracy as the paper counts it (exact match of the last boxed label),
format rate, the reflective consistency and coherence rates (None when no judge or
scorer ran), step3 affect agreement, hacking-guard hits, reward means, a breakdown per
dataset, and a confusion matrix with per-label accuracy for every label set met.

Example:
    >>> from agents.evaluation.metrics import compute_metrics
    >>> recs = [
    ...     {"id": "1", "dataset": "d", "label_set": "emotion6", "label": "joy",
    ...      "prediction": "joy", "correct": True, "format_ok": True},
    ...     {"id": "2", "dataset": "d", "label_set": "emotion6", "label": "fear",
    ...      "prediction": None, "correct": False, "format_ok": False},
    ... ]
    >>> m = compute_metrics(recs)
    >>> m["accuracy"], m["format_rate"], m["by_label_set"]["emotion6"]["confusion"][2]
    (0.5, 0.5, [0, 0, 0, 0, 0, 0, 1])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from rewards.errors import InvalidInputError
from rewards.guards import HackingGuards
from rewards.labels import get_label_set

__all__ = ["OTHER", "compute_metrics", "confusion_matrix"]

#: Column of the confusion matrix for answers that name no label (or no box).
OTHER = "(other)"


def _mean(values: Sequence[float | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None


def confusion_matrix(records: Sequence[dict[str, Any]], label_set: str) -> dict[str, Any]:
    """Counts of (gold label, predicted label) for the records of one label set.

    Rows are the gold labels in the label set's order; columns the same labels plus
    :data:`OTHER` for a box naming no label exactly (or no closed box).

    Returns:
        ``{"labels", "columns", "confusion", "support", "per_label_accuracy"}``.
    """
    labels = get_label_set(label_set).names
    index = {name: i for i, name in enumerate(labels)}
    matrix = [[0] * (len(labels) + 1) for _ in labels]
    for record in records:
        gold = str(record["label"]).lower()
        if gold not in index:
            raise InvalidInputError(
                f"Record {record.get('id')!r} has label {record['label']!r}, which is not in "
                f"{label_set!r}."
            )
        predicted = record.get("prediction")
        col = index.get(predicted, len(labels)) if predicted is not None else len(labels)
        matrix[index[gold]][col] += 1
    support = {name: sum(row) for name, row in zip(labels, matrix, strict=True)}
    per_label = {
        name: (matrix[i][i] / support[name] if support[name] else None)
        for i, name in enumerate(labels)
    }
    return {
        "labels": list(labels),
        "columns": [*labels, OTHER],
        "confusion": matrix,
        "support": support,
        "per_label_accuracy": per_label,
    }


def _core(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    n = len(records)
    return {
        "n": n,
        "accuracy": sum(bool(r["correct"]) for r in records) / n,
        "format_rate": sum(bool(r["format_ok"]) for r in records) / n,
    }


def compute_metrics(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The summary of a run (see the module docs for the keys).

    Raises:
        InvalidInputError: no records, or a record missing a required key.
    """
    if not records:
        raise InvalidInputError("No results to summarise: the run has no scored samples.")
    for key in ("id", "label", "label_set", "correct", "format_ok"):
        missing = [r.get("id", i) for i, r in enumerate(records) if key not in r]
        if missing:
            raise InvalidInputError(f"Records {missing[:5]} have no {key!r} field.")
    out = _core(records)
    n = out["n"]
    out["accuracy_normalized"] = _mean([r.get("correct_normalized") for r in records])
    out["answer_rate"] = sum(r.get("answer") is not None for r in records) / n
    out["consistency_rate"] = _mean([r.get("consistency") for r in records])
    out["coherence_rate"] = _mean([r.get("coherence") for r in records])
    out["affect_agreement"] = _mean([r.get("affect") for r in records])
    hits = Counter(g for r in records for g in r.get("guards", ()))
    out["guard_hits"] = {name: hits.get(name, 0) for name in HackingGuards.components}
    out["guard_hit_rate"] = sum(bool(r.get("guards")) for r in records) / n
    out["reward_mean"] = _mean([r.get("reward") for r in records])
    names = sorted({k for r in records for k in (r.get("components") or {})})
    out["components_mean"] = {
        k: _mean([(r.get("components") or {}).get(k) for r in records]) for k in names
    }
    by_dataset: dict[str, list] = {}
    by_set: dict[str, list] = {}
    for r in records:
        by_dataset.setdefault(str(r.get("dataset") or ""), []).append(r)
        by_set.setdefault(str(r["label_set"]), []).append(r)
    out["by_dataset"] = {name: _core(rs) for name, rs in sorted(by_dataset.items())}
    out["by_label_set"] = {name: confusion_matrix(rs, name) for name, rs in sorted(by_set.items())}
    return out
