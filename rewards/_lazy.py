"""Lazy package exports: names resolve (and import their module) on first access.

Every package of emo-r3 keeps its ``import`` light this way; the heavy modules load
only when one of their names is used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_exports(
    package: str, table: Mapping[str, str], names: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package`` from ``{name: module}``.

    A name equal to its module's last component (``"presets": "rewards.presets"``)
    resolves to the module itself. Resolved values are cached in the package.
    """
    listed = sorted(names)

    def __getattr__(name: str) -> Any:
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(table[name])
        value = module if table[name].rsplit(".", 1)[-1] == name else getattr(module, name)
        setattr(importlib.import_module(package), name, value)
        return value

    def __dir__() -> list[str]:
        return listed

    return __getattr__, __dir__
