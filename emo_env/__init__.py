"""emo-r3 Gymnasium environments (EmoReason-v0, EmoReflect-v0) and benchmark datasets.

Importing this package is light (no gymnasium, numpy or datasets import); it registers
the environment ids with Gymnasium, now if Gymnasium is loaded, else right after it is.

Example:
    >>> import gymnasium as gym
    >>> import emo_env
    >>> sorted(emo_env.ENV_IDS)
    ['EmoReason-v0', 'EmoReflect-v0']
    >>> env = gym.make("EmoReason-v0", split="test")
    >>> obs, info = env.reset(seed=1)
    >>> obs["image"].shape
    (224, 224, 3)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emo_env._registration import ENV_IDS, install, register_envs
from rewards._lazy import lazy_exports

__all__ = [
    # registration
    "ENV_IDS",
    "register_envs",
    # environments
    "EmoReasonEnv",
    "EmoReflectEnv",
    "EmoVectorEnv",
    "EnvConfig",
    "EpisodeStateError",
    # data
    "get_sample",
    "load_dataset",
]

_LAZY = {
    "EmoReasonEnv": "emo_env.envs.reason",
    "EmoReflectEnv": "emo_env.envs.reflect",
    "EmoVectorEnv": "emo_env.envs.vector",
    "EnvConfig": "emo_env.envs.config",
    "EpisodeStateError": "emo_env.envs.base",
    "get_sample": "emo_env.data",
    "load_dataset": "emo_env.data",
}

__getattr__, __dir__ = lazy_exports("emo_env", _LAZY, __all__)

install()


if TYPE_CHECKING:  # pragma: no cover
    from emo_env.data import get_sample, load_dataset
    from emo_env.envs.base import EpisodeStateError
    from emo_env.envs.config import EnvConfig
    from emo_env.envs.reason import EmoReasonEnv
    from emo_env.envs.reflect import EmoReflectEnv
    from emo_env.envs.vector import EmoVectorEnv
