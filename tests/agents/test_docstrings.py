"""The examples in the agents docstrings run and print what they claim."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "agents.cli.options",
    "agents.common",
    "agents.common.datasets",
    "agents.common.envvars",
    "agents.common.faults",
    "agents.common.images",
    "agents.common.jsoncodec",
    "agents.common.jsonl",
    "agents.common.labels",
    "agents.common.plotting",
    "agents.common.queries",
    "agents.common.scorer",
    "agents.easyr1.reward",
    "agents.openrlhf.data",
    "agents.openrlhf.flags",
    "agents.openrlhf.launcher",
    "agents.openrlhf.run",
    "agents.openrlhf.settings",
    "agents.serve",
    "agents.serve.app",
    "agents.serve.batching",
    "agents.serve.config",
    "agents.serve.inline",
    "agents.serve.request",
    "agents.trl.envs",
    "agents.trl.scoring",
    "agents.trl.sft_data",
    "agents.trl.table",
    "agents.verl",
    "agents.verl.reward",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
