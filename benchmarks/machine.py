"""The machine a benchmark ran on, named the same way in every results file.

Benchmarks are scripts (``python benchmarks/bench_x.py``), so they import this module
by its plain name from their own folder.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

__all__ = ["cpu_name", "describe"]


def cpu_name() -> str:
    """The CPU's model name (``/proc/cpuinfo``), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe() -> str:
    """``"<cpu>, <n> cores, Python <version>"``."""
    return f"{cpu_name()}, {os.cpu_count()} cores, Python {platform.python_version()}"
