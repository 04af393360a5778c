"""``emo-r3 table``: the paper's benchmark table from a config of runs, as Markdown and CSV.

Example config (JSON; ``.toml`` works on Python 3.11+)::

    {"runs": [
      {"method": "my EMO-R3", "trained_on": "EmoSet", "benchmark": "EmoSet",
       "path": "runs/emoset-on-emoset"},
      {"method": "my EMO-R3", "trained_on": "EmoSet", "benchmark": "WebEmo", "percent": 48.1}
    ]}

``path`` is an ``emo-r3 eval`` run folder (or its summary.json / results.jsonl);
``percent`` an accuracy in percent. The paper's rows are shown above unless
``--no-paper`` (or ``"paper": false``).
"""

from __future__ import annotations

import argparse

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", nargs="?", help="JSON/TOML config of runs (none: paper rows)")
    parser.add_argument("--output-dir", help="write table.md and table.csv here")
    parser.add_argument("--no-paper", action="store_true", help="leave out the paper's rows")
    parser.add_argument("--csv", action="store_true", help="print CSV instead of Markdown")


def run(args: argparse.Namespace) -> int:
    from agents.evaluation.table import build_table, load_config

    table = load_config(args.config) if args.config else build_table([])
    if args.no_paper:
        table.rows = [r for r in table.rows if r.source != "paper"]
    print(table.to_csv() if args.csv else table.to_markdown(), end="")
    if args.output_dir:
        paths = table.write(args.output_dir)
        print(f"wrote {paths['markdown']} and {paths['csv']}")
    return 0
