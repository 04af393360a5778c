"""The per-step table the TRL driver prints: one fixed-width row per logged step.

Example:
    >>> from agents.trl.table import format_header, format_row
    >>> format_header().split()[:3]
    ['step', 'reward', 'acc']
    >>> format_row({"step": 3, "reward": 0.5}).split()[:3]
    ['3', '0.500', '-']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["TABLE_COLUMNS", "format_header", "format_row"]

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
