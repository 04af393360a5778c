"""Settings of the OpenRLHF agent and reward-function files, from ``EMO_R3_*`` variables.

OpenRLHF loads ``AgentExecutor`` and ``reward_func`` from a file and builds them with
no arguments on every rollout worker, so their settings travel as environment
variables (the launcher puts them into Ray's ``runtime_env``):

=========================  =====================================================
``EMO_R3_PRESET``          reward preset (default ``emo_r3_paper``, the ``train_vlm``
                           default of :mod:`rewards.presets`)
``EMO_R3_PRESET_ARGS``     JSON object of ``rewards.presets.build`` options, ``judge``
                           included (default ``{}``)
``EMO_R3_LABEL_SET``       label set of bare labels (default ``mikels8``)
``EMO_R3_IMAGE_ROOTS``     image roots, joined by ``os.pathsep``
``EMO_R3_DATASET``         dataset of ``sample_id`` references (``embedded``)
``EMO_R3_AGENT_MODE``      ``reason`` (default): one turn, the reflective questions
                           asked aside (the paper); ``reflect``: EmoReflect, the
                           questions are a second, trained turn of the episode
``EMO_R3_SELF_REFLECT``    ``1`` (default): the agent asks the policy the reflective
                           questions (where the preset asks any); ``0``: no judge
                           (components count 1)
``EMO_R3_JUDGE_MAX_TOKENS``  most tokens of a reflective answer (default 32)
``EMO_R3_JUDGE_TEMPERATURE`` / ``EMO_R3_JUDGE_TOP_P``  reflective sampling (0.6 / 0.95)
=========================  =====================================================

Example:
    >>> from agents.openrlhf.settings import Settings
    >>> Settings.from_env({"EMO_R3_PRESET": "emo_r3_reference"}).preset
    'emo_r3_reference'
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from agents.common.envvars import preset_from_env
from rewards.errors import InvalidInputError
from rewards.presets import DEFAULT_PRESETS

__all__ = ["MODES", "Settings"]

MODES = ("reason", "reflect")


@dataclass(frozen=True)
class Settings:
    """What the agent and the reward function score with."""

    preset: str = DEFAULT_PRESETS["train_vlm"]
    preset_args: dict[str, Any] = field(default_factory=dict)
    label_set: str = "mikels8"
    image_roots: tuple[str, ...] = ()
    dataset: str = "embedded"
    self_reflect: bool = True
    judge_max_tokens: int = 32
    judge_temperature: float = 0.6
    judge_top_p: float = 0.95
    mode: str = "reason"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InvalidInputError(f"Agent mode must be one of {MODES}; got {self.mode!r}.")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the ``EMO_R3_*`` variables (``os.environ`` by default)."""
        env = os.environ if env is None else env
        preset, args = preset_from_env(env, "train_vlm")
        roots = tuple(r for r in env.get("EMO_R3_IMAGE_ROOTS", "").split(os.pathsep) if r)
        flag = env.get("EMO_R3_SELF_REFLECT", "1").strip().lower()
        if flag not in ("0", "1", "true", "false", "yes", "no"):
            raise InvalidInputError(f"EMO_R3_SELF_REFLECT must be 0 or 1; got {flag!r}.")
        try:
            return cls(
                preset=preset,
                preset_args=args,
                label_set=env.get("EMO_R3_LABEL_SET", cls.label_set),
                image_roots=roots,
                dataset=env.get("EMO_R3_DATASET", cls.dataset),
                self_reflect=flag in ("1", "true", "yes"),
                judge_max_tokens=int(env.get("EMO_R3_JUDGE_MAX_TOKENS", cls.judge_max_tokens)),
                judge_temperature=float(env.get("EMO_R3_JUDGE_TEMPERATURE", cls.judge_temperature)),
                judge_top_p=float(env.get("EMO_R3_JUDGE_TOP_P", cls.judge_top_p)),
                mode=env.get("EMO_R3_AGENT_MODE", cls.mode),
            )
        except ValueError as err:
            raise InvalidInputError(f"Bad EMO_R3_* number: {err}") from None

    def to_env(self) -> dict[str, str]:
        """The environment variables that reproduce these settings."""
        return {
            "EMO_R3_PRESET": self.preset,
            "EMO_R3_PRESET_ARGS": json.dumps(self.preset_args),
            "EMO_R3_LABEL_SET": self.label_set,
            "EMO_R3_IMAGE_ROOTS": os.pathsep.join(self.image_roots),
            "EMO_R3_DATASET": self.dataset,
            "EMO_R3_SELF_REFLECT": "1" if self.self_reflect else "0",
            "EMO_R3_JUDGE_MAX_TOKENS": str(self.judge_max_tokens),
            "EMO_R3_JUDGE_TEMPERATURE": str(self.judge_temperature),
            "EMO_R3_JUDGE_TOP_P": str(self.judge_top_p),
            "EMO_R3_AGENT_MODE": self.mode,
        }
