"""Settings of the OpenRLHF agent and reward-function files, from ``EMO_R3_*`` variables.

OpenRLHF loads ``AgentExecutor`` and ``reward_func`` from a file and builds them with
no arguments on every rollout worker, so their settings travel as environment
variables (the launcher puts them into Ray's ``runtime_env``):

============================  ==================================================
``EMO_R3_ENV_ID``             the Gymnasium environment the agent runs (default:
                              ``EmoReason-v0``; ``EmoReflect-v0`` with
                              ``EMO_R3_AGENT_MODE=reflect``); any registered id,
                              ``module:Id`` imports the module first
``EMO_R3_ENV_OPTIONS``        JSON object of ``gym.make`` options (default ``{}``)
``EMO_R3_ENV_CONFIG``         a JSON file ``{"env_id": ..., "options": {...},
                              "reset": ...}``; its keys fill what the variables
                              above leave unset
``EMO_R3_ENV_RESET``          how OpenRLHF's sample becomes ``reset`` options:
                              ``auto`` (default), ``sample_id``, ``sample`` or
                              ``none`` (see :mod:`agents.openrlhf.envs`)
``EMO_R3_TRAIN_FOLLOWUPS``    ``1``: also train on follow-up turns an environment
                              marks not trainable (same chat; default ``0``)
``EMO_R3_PRESET``             reward preset of the emo environments (default
                              ``emo_r3_paper``, the ``train_vlm`` default)
``EMO_R3_PRESET_ARGS``        JSON object of ``rewards.presets.build`` options,
                              ``judge`` included (default ``{}``)
``EMO_R3_LABEL_SET``          label set of bare labels (default ``mikels8``)
``EMO_R3_IMAGE_ROOTS``        image roots of the reward file, joined by ``os.pathsep``
``EMO_R3_DATASET``            dataset of the emo environments and of ``sample_id``
                              references (``embedded``)
``EMO_R3_AGENT_MODE``         ``reason`` (default) or ``reflect``: the default env id
``EMO_R3_SELF_REFLECT``       ``1`` (default): the policy answers the reflective
                              questions (where the preset asks any); ``0``: no judge
``EMO_R3_JUDGE_MAX_TOKENS``   most tokens of a reflective answer (default 32; the
                              launcher sets the response length, as the reference)
``EMO_R3_JUDGE_TEMPERATURE`` / ``EMO_R3_JUDGE_TOP_P``  reflective sampling (0.6 / 0.95)
============================  ==================================================

Example:
    >>> from agents.openrlhf.settings import Settings
    >>> Settings.from_env({"EMO_R3_PRESET": "emo_r3_reference"}).preset
    'emo_r3_reference'
    >>> Settings.from_env({"EMO_R3_AGENT_MODE": "reflect"}).env_id
    'EmoReflect-v0'
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.common.envvars import preset_from_env
from rewards.errors import InvalidInputError
from rewards.presets import DEFAULT_PRESETS

__all__ = ["MODES", "RESETS", "Settings"]

MODES = ("reason", "reflect")
RESETS = ("auto", "sample_id", "sample", "none")
MODE_ENVS = {"reason": "EmoReason-v0", "reflect": "EmoReflect-v0"}
_FLAGS = {"0": False, "1": True, "false": False, "true": True, "no": False, "yes": True}


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
    env_id: str | None = None
    env_options: dict[str, Any] = field(default_factory=dict)
    reset: str = "auto"
    train_followups: bool = False

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InvalidInputError(f"Agent mode must be one of {MODES}; got {self.mode!r}.")
        if self.reset not in RESETS:
            raise InvalidInputError(f"EMO_R3_ENV_RESET must be one of {RESETS}; got {self.reset!r}")
        if not isinstance(self.env_options, dict):
            raise InvalidInputError("env_options (EMO_R3_ENV_OPTIONS) must be a JSON object.")
        if self.env_id is None:
            object.__setattr__(self, "env_id", MODE_ENVS[self.mode])

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the ``EMO_R3_*`` variables (``os.environ`` by default)."""
        env = os.environ if env is None else env
        preset, args = preset_from_env(env, "train_vlm")
        roots = tuple(r for r in env.get("EMO_R3_IMAGE_ROOTS", "").split(os.pathsep) if r)
        file = _config_file(env.get("EMO_R3_ENV_CONFIG", ""))
        try:
            return cls(
                preset=preset,
                preset_args=args,
                label_set=env.get("EMO_R3_LABEL_SET", cls.label_set),
                image_roots=roots,
                dataset=env.get("EMO_R3_DATASET", cls.dataset),
                self_reflect=_flag(env, "EMO_R3_SELF_REFLECT", True),
                judge_max_tokens=int(env.get("EMO_R3_JUDGE_MAX_TOKENS", cls.judge_max_tokens)),
                judge_temperature=float(env.get("EMO_R3_JUDGE_TEMPERATURE", cls.judge_temperature)),
                judge_top_p=float(env.get("EMO_R3_JUDGE_TOP_P", cls.judge_top_p)),
                mode=env.get("EMO_R3_AGENT_MODE", cls.mode),
                env_id=env.get("EMO_R3_ENV_ID") or file.get("env_id"),
                env_options=_json(env, "EMO_R3_ENV_OPTIONS", file.get("options", {})),
                reset=env.get("EMO_R3_ENV_RESET") or file.get("reset", cls.reset),
                train_followups=_flag(env, "EMO_R3_TRAIN_FOLLOWUPS", False),
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
            "EMO_R3_ENV_ID": str(self.env_id),
            "EMO_R3_ENV_OPTIONS": json.dumps(self.env_options),
            "EMO_R3_ENV_RESET": self.reset,
            "EMO_R3_TRAIN_FOLLOWUPS": "1" if self.train_followups else "0",
        }


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    if value not in _FLAGS:
        raise InvalidInputError(f"{name} must be 0 or 1; got {value!r}.")
    return _FLAGS[value]


def _json(env: Mapping[str, str], name: str, default: Any) -> Any:
    text = env.get(name, "")
    if not text:
        return default
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidInputError(f"{name} is not JSON: {err}") from None


def _config_file(path: str) -> dict[str, Any]:
    """The ``EMO_R3_ENV_CONFIG`` file's object ({} when unset)."""
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text())
    except OSError as err:
        raise InvalidInputError(f"EMO_R3_ENV_CONFIG {path!r} cannot be read: {err}") from None
    except json.JSONDecodeError as err:
        raise InvalidInputError(f"EMO_R3_ENV_CONFIG {path!r} is not JSON: {err}") from None
    unknown = sorted(set(data) - {"env_id", "options", "reset"}) if isinstance(data, dict) else []
    if not isinstance(data, dict) or unknown:
        raise InvalidInputError(
            f"EMO_R3_ENV_CONFIG {path!r} must be a JSON object with keys env_id, options, "
            f"reset; got {unknown or type(data).__name__}."
        )
    return data
