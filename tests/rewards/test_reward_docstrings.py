"""The runnable examples in the docstrings of the rule-reward modules run and hold."""

import doctest
import importlib

import pytest

MODULES = [
    "rewards",
    "rewards.guards",
    "rewards.judges",
    "rewards.labels",
    "rewards.parsing",
    "rewards.presets",
    "rewards.reflective",
    "rewards.rubric",
    "rewards.rules",
    "rewards.testing",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no runnable example"
    assert result.failed == 0
