"""The examples in the evaluation modules' docstrings run and print what they claim."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "agents.common.atomic",
    "agents.common.prompts",
    "agents.evaluation",
    "agents.evaluation.generate",
    "agents.evaluation.harness",
    "agents.evaluation.lock",
    "agents.evaluation.metrics",
    "agents.evaluation.runs",
    "agents.evaluation.scoring",
    "agents.evaluation.table",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
