"""The examples in the emo_env docstrings run and print what they claim."""

from __future__ import annotations

import doctest
import importlib
import warnings

import pytest

MODULES = [
    "emo_env",
    "emo_env.data",
    "emo_env.data.embedded",
    "emo_env.envs.reason",
    "emo_env.envs.reflect",
    "emo_env.envs.vector",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Gymnasium's passive checker notes
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
