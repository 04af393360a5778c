"""The reward settings that travel as ``EMO_R3_*`` environment variables.

Frameworks load the OpenRLHF agent and reward files and the verl reward function from
a path and call them without arguments, so their preset comes from the environment:
``EMO_R3_PRESET`` (a preset name) and ``EMO_R3_PRESET_ARGS`` (a JSON object of
:func:`rewards.presets.build` options, ``judge`` included).

Example:
    >>> from agents.common.envvars import preset_from_env
    >>> preset_from_env({"EMO_R3_PRESET_ARGS": '{"l1": 0.2}'}, "serve")
    ('emo_r3_paper', {'l1': 0.2})
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from rewards.errors import InvalidInputError
from rewards.presets import default_preset

__all__ = ["PRESET", "PRESET_ARGS", "preset_args_from_env", "preset_from_env"]

PRESET = "EMO_R3_PRESET"
PRESET_ARGS = "EMO_R3_PRESET_ARGS"


def preset_args_from_env(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The JSON object of ``EMO_R3_PRESET_ARGS`` (``{}`` when unset or empty)."""
    env = os.environ if env is None else env
    try:
        args = json.loads(env.get(PRESET_ARGS, "") or "{}")
    except json.JSONDecodeError as err:
        raise InvalidInputError(f"{PRESET_ARGS} is not JSON: {err}") from None
    if not isinstance(args, dict):
        raise InvalidInputError(f"{PRESET_ARGS} must be a JSON object.")
    return args


def preset_from_env(env: Mapping[str, str] | None = None, use: str = "serve") -> tuple[str, dict]:
    """``(preset, options)`` from the environment; the preset defaults to ``use``'s default."""
    env = os.environ if env is None else env
    return env.get(PRESET) or default_preset(use), preset_args_from_env(env)
