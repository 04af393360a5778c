"""GRPO training through TRL: config, policy loading, prompt data, rubric rewards, driver.

Example:
    >>> from agents.trl import TrainConfig
    >>> TrainConfig(max_steps=3).num_generations
    4
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rewards._lazy import lazy_exports

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

__getattr__, __dir__ = lazy_exports("agents.trl", _LAZY, __all__)


if TYPE_CHECKING:  # pragma: no cover
    from agents.trl.callbacks import GRPORecorder
    from agents.trl.config import DEFAULT_MODEL, TrainConfig
    from agents.trl.data import prompt_dataset
    from agents.trl.driver import GRPORun, build_rubric, build_trainer
    from agents.trl.policy import load_policy
    from agents.trl.scoring import RubricRewards
