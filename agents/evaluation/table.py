"""The paper's benchmark table: accuracies per (training set, test benchmark), A^I, A^O, A.

The paper trains on EmoSet and, in a mirror setting, on Emotion6, and tests each policy
on EmoSet, Emotion6 and WebEmo (FI can be added). For every row:

* A^I = mean of the in-domain accuracies (trained and tested on the same set),
* A^O = mean of the out-of-domain ones,
* A = mean of all of them (as in the paper, arXiv 2602.23802, Table 1).

Means are computed exactly (``decimal``) from the per-cell percentages and shown with
two decimals, rounding half up, as the paper prints them.

The paper's published rows (its Table 1, Qwen2.5-VL-3B): EMO-R3 at G=4 with all six
per-benchmark figures (its A = 60.50 is reproduced from them), and A alone for GRPO,
SFT and zero-shot (their per-benchmark figures are not reproduced here). DAPO and
EMO-R3 at G=8 are reported in the paper but their figures are not reproduced here, so
their cells are left empty with a note rather than invented.

Example:
    >>> from agents.evaluation.table import build_table, paper_rows
    >>> emo = build_table([], include_paper=True).row("EMO-R3 (G=4)")
    >>> str(emo.a_in), str(emo.a_out), str(emo.a_all)
    ('73.11', '54.20', '60.50')
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from agents.common.atomic import write_atomic
from rewards.errors import InvalidInputError, UnknownNameError

__all__ = [
    "BENCHMARKS",
    "PAPER_SETTINGS",
    "Table",
    "TableRow",
    "build_table",
    "load_config",
    "paper_rows",
    "run_accuracy",
]

BENCHMARKS = ("EmoSet", "Emotion6", "WebEmo", "FI")
PAPER_SETTINGS = ("EmoSet", "Emotion6")
PAPER_BENCHMARKS = ("EmoSet", "Emotion6", "WebEmo")
_TWO = Decimal("0.01")
_PAPER = "arXiv 2602.23802, Table 1"
_NOT_REPRODUCED = f"reported in the paper ({_PAPER}); figures not reproduced here, left empty"


def canonical(name: str) -> str:
    """The benchmark's canonical spelling (case-insensitive), else UnknownNameError."""
    for bench in BENCHMARKS:
        if str(name).lower() == bench.lower():
            return bench
    raise UnknownNameError("benchmark", name, BENCHMARKS)


def _pct(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise InvalidInputError(f"An accuracy must be a number; got {value!r}.")
    number = Decimal(str(value))
    if not number.is_finite() or not 0 <= number <= 100:
        raise InvalidInputError(f"An accuracy percentage must lie in [0, 100]; got {value!r}.")
    return number


def _mean(values: Sequence[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


def show(value: Decimal | None) -> str:
    """Two decimals, half up; empty when missing."""
    return "" if value is None else str(value.quantize(_TWO, rounding=ROUND_HALF_UP))


@dataclass
class TableRow:
    """One method: percent accuracies keyed by (trained_on, benchmark)."""

    method: str
    source: str = "ours"  # "ours" | "paper"
    cells: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    published_a: Decimal | None = None
    note: str = ""

    def _split(self) -> tuple[list[Decimal], list[Decimal]]:
        inside = [v for (t, b), v in self.cells.items() if t == b]
        outside = [v for (t, b), v in self.cells.items() if t != b]
        return inside, outside

    @property
    def a_in_exact(self) -> Decimal | None:
        return _mean(self._split()[0])

    @property
    def a_out_exact(self) -> Decimal | None:
        return _mean(self._split()[1])

    @property
    def a_all_exact(self) -> Decimal | None:
        if not self.cells:
            return self.published_a
        return _mean(list(self.cells.values()))

    @property
    def a_in(self) -> str:
        return show(self.a_in_exact)

    @property
    def a_out(self) -> str:
        return show(self.a_out_exact)

    @property
    def a_all(self) -> str:
        return show(self.a_all_exact)


def paper_rows() -> list[TableRow]:
    """The published rows (Qwen2.5-VL-3B; the paper's Table 1), limited to the figures
    reproduced here."""
    emo_r3 = {
        ("EmoSet", "EmoSet"): "75.50",
        ("EmoSet", "Emotion6"): "60.44",
        ("EmoSet", "WebEmo"): "50.45",
        ("Emotion6", "Emotion6"): "70.71",
        ("Emotion6", "EmoSet"): "60.70",
        ("Emotion6", "WebEmo"): "45.20",
    }
    only_a = f"A from the paper ({_PAPER}); per-benchmark figures not reproduced here"
    return [
        TableRow("Zero-shot", "paper", published_a=Decimal("47.40"), note=only_a),
        TableRow("SFT", "paper", published_a=Decimal("43.84"), note=only_a),
        TableRow("GRPO", "paper", published_a=Decimal("59.97"), note=only_a),
        TableRow("DAPO", "paper", note=_NOT_REPRODUCED),
        TableRow("EMO-R3 (G=4)", "paper", {k: Decimal(v) for k, v in emo_r3.items()}),
        TableRow("EMO-R3 (G=8)", "paper", note=_NOT_REPRODUCED),
    ]


def run_accuracy(path: str | Path, dataset: str | None = None) -> Decimal:
    """Percent accuracy of an eval run: a run folder, its summary.json or results.jsonl.

    Args:
        path: the run.
        dataset: take the accuracy of this dataset within the run (its ``by_dataset``).
    """
    from agents.common.atomic import CorruptStateError, read_json
    from agents.evaluation.metrics import compute_metrics
    from agents.evaluation.runs import read_results

    path = Path(path)
    if path.is_dir():
        summary_path = path / "summary.json"
        path = summary_path if summary_path.is_file() else path / "results.jsonl"
    if not path.is_file():
        raise InvalidInputError(
            f"No eval run at {str(path)!r}: give a run folder (with summary.json or "
            "results.jsonl), a summary.json, or a results.jsonl."
        )
    if path.suffix == ".jsonl":
        summary = compute_metrics(read_results(path))
    else:
        results = path.with_name("results.jsonl")
        try:
            summary = read_json(path, what="run summary")
        except CorruptStateError as err:
            if not results.is_file():
                raise InvalidInputError(
                    f"{err} Run emo-r3 eval on its folder again to rewrite it."
                ) from None
            summary = compute_metrics(read_results(results))  # the per-sample records
        if not isinstance(summary, dict):
            raise InvalidInputError(f"{str(path)!r} holds no run summary (a JSON object).")
    if dataset is not None:
        per = summary.get("by_dataset", {})
        if dataset not in per:
            raise UnknownNameError(f"dataset of run {str(path)!r}", dataset, per)
        summary = per[dataset]
    if "accuracy" not in summary:
        raise InvalidInputError(f"{str(path)!r} holds no 'accuracy'.")
    return _pct(Decimal(str(summary["accuracy"])) * 100)


@dataclass
class Table:
    """The rows and the columns (training setting, benchmark) to show."""

    rows: list[TableRow]
    columns: list[tuple[str, str]]

    def row(self, method: str) -> TableRow:
        for row in self.rows:
            if row.method == method:
                return row
        raise UnknownNameError("table row", method, [r.method for r in self.rows])

    def _header(self) -> list[str]:
        cells = [f"{b} ({'I' if t == b else 'O'}) [train {t}]" for t, b in self.columns]
        return ["Method", "Source", *cells, "A^I", "A^O", "A", "Note"]

    def _values(self, row: TableRow) -> list[str]:
        cells = [show(row.cells.get(c)) for c in self.columns]
        return [row.method, row.source, *cells, row.a_in, row.a_out, row.a_all, row.note]

    def to_markdown(self) -> str:
        header = self._header()
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for row in self.rows:
            lines.append("| " + " | ".join(v or "–" for v in self._values(row)) + " |")
        return "\n".join(lines) + "\n"

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(
            ["method", "source", *(f"{t}->{b}" for t, b in self.columns), "A_I", "A_O", "A", "note"]
        )
        for row in self.rows:
            writer.writerow(self._values(row))
        return buffer.getvalue()

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``table.md`` and ``table.csv`` into ``out_dir`` (each atomically)."""
        out = Path(out_dir)
        paths = {"markdown": out / "table.md", "csv": out / "table.csv"}
        write_atomic(paths["markdown"], self.to_markdown())
        write_atomic(paths["csv"], self.to_csv())
        return paths


def _entry_value(entry: dict[str, Any], base: Path) -> Decimal:
    if "percent" in entry:
        return _pct(entry["percent"])
    if "path" in entry:
        path = Path(entry["path"])
        return run_accuracy(path if path.is_absolute() else base / path, entry.get("dataset"))
    raise InvalidInputError(
        f"Run entry {entry!r} needs 'path' (an eval run) or 'percent' (an accuracy in %)."
    )


def build_table(
    runs: Sequence[dict[str, Any]],
    *,
    include_paper: bool = True,
    settings: Sequence[str] = PAPER_SETTINGS,
    benchmarks: Sequence[str] | None = None,
    base_dir: str | Path = ".",
) -> Table:
    """Build the table from run entries.

    Args:
        runs: dicts with ``method``, ``trained_on``, ``benchmark`` and either ``path``
            (an eval run; optional ``dataset`` picks one dataset inside it) or
            ``percent``.
        include_paper: add the paper's published rows above the user's.
        settings: training sets, one column group each.
        benchmarks: test benchmarks (default EmoSet, Emotion6, WebEmo, plus any met).
        base_dir: folder that relative run paths are resolved against.
    """
    settings = [canonical(s) for s in settings]
    found = []
    for entry in runs:
        if not isinstance(entry, dict):
            raise InvalidInputError(f"Each run entry must be a JSON object; got {entry!r}.")
        missing = [k for k in ("method", "trained_on", "benchmark") if k not in entry]
        if missing:
            raise InvalidInputError(f"Run entry {entry!r} lacks {missing}.")
        found.append((canonical(entry["trained_on"]), canonical(entry["benchmark"])))
    if benchmarks is None:
        met = {b for _, b in found}
        benchmarks = [b for b in BENCHMARKS if b in PAPER_BENCHMARKS or b in met]
    benchmarks = [canonical(b) for b in benchmarks]
    for train, _ in found:
        if train not in settings:
            settings.append(train)
    columns = []
    for train in settings:
        if train in benchmarks:
            columns.append((train, train))
        columns += [(train, b) for b in benchmarks if b != train]
    rows: dict[str, TableRow] = {}
    for entry, key in zip(runs, found, strict=True):
        row = rows.setdefault(str(entry["method"]), TableRow(str(entry["method"])))
        if key in row.cells:
            raise InvalidInputError(f"{row.method!r} has two entries for {key}.")
        row.cells[key] = _entry_value(entry, Path(base_dir))
    for row in rows.values():
        if len(row.cells) < len(columns):
            row.note = f"partial: {len(row.cells)} of {len(columns)} cells; means over those"
    return Table((paper_rows() if include_paper else []) + list(rows.values()), columns)


def load_config(path: str | Path) -> Table:
    """Build the table from a JSON (or, on Python 3.11+, TOML) config file.

    The config holds ``runs`` (see :func:`build_table`) and optionally ``paper``
    (bool), ``settings`` and ``benchmarks``; relative paths are read from the config's
    folder.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"No table config at {str(path)!r}.")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".toml":
            import tomllib

            config = tomllib.loads(text)
        else:
            config = json.loads(text)
    except ValueError as err:
        raise InvalidInputError(f"Cannot parse table config {str(path)!r}: {err}") from None
    if not isinstance(config, dict) or not isinstance(config.get("runs", []), list):
        raise InvalidInputError(f"{str(path)!r} must hold an object with a 'runs' list.")
    return build_table(
        config.get("runs", []),
        include_paper=bool(config.get("paper", True)),
        settings=config.get("settings", PAPER_SETTINGS),
        benchmarks=config.get("benchmarks"),
        base_dir=path.parent,
    )
