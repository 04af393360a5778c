"""GRPO training through TRL: config, policy loading, prompt data, rubric rewards, driver.

Example:
    >>> from agents.trl import TrainConfig
    >>> TrainConfig(max_steps=3).num_generations
    4
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__all__ = [
    "DEFAULT_MODEL",
    "GRPORecorder",
    "GRPORun",
    "RubricRewards",
    "TrainConfig",
    "build_rubric",
    "build_trainer",
    "load_policy",
    "prompt_dataset",
]

_LAZY = {
    "DEFAULT_MODEL": "agents.trl.config",
    "TrainConfig": "agents.trl.config",
    "GRPORecorder": "agents.trl.callbacks",
    "GRPORun": "agents.trl.driver",
    "build_rubric": "agents.trl.driver",
    "build_trainer": "agents.trl.driver",
    "load_policy": "agents.trl.policy",
    "prompt_dataset": "agents.trl.data",
    "RubricRewards": "agents.trl.scoring",
}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'agents.trl' has no attribute {name!r}")


if TYPE_CHECKING:  # pragma: no cover
    from agents.trl.callbacks import GRPORecorder
    from agents.trl.config import DEFAULT_MODEL, TrainConfig
    from agents.trl.data import prompt_dataset
    from agents.trl.driver import GRPORun, build_rubric, build_trainer
    from agents.trl.policy import load_policy
    from agents.trl.scoring import RubricRewards
