"""Register the environment ids with Gymnasium without importing it at ``import emo_env``.

If Gymnasium is already imported, the ids are registered at once; otherwise a one-shot
import hook registers them right after Gymnasium's own import, so that
``import emo_env; import gymnasium as gym; gym.make("EmoReason-v0")`` works too.
``gym.make("emo_env:EmoReason-v0")`` imports this package itself.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from typing import Any

__all__ = ["ENV_IDS", "register_envs"]

ENV_IDS = {
    "EmoReason-v0": ("emo_env.envs.reason:EmoReasonEnv", "emo_env.envs.vector:make_reason_vec"),
    "EmoReflect-v0": (
        "emo_env.envs.reflect:EmoReflectEnv",
        "emo_env.envs.vector:make_reflect_vec",
    ),
}


def register_envs() -> None:
    """Register every id of :data:`ENV_IDS` (idempotent)."""
    import gymnasium as gym

    for env_id, (entry_point, vector_entry_point) in ENV_IDS.items():
        if env_id not in gym.registry:
            gym.register(
                id=env_id,
                entry_point=entry_point,
                vector_entry_point=vector_entry_point,
                disable_env_checker=False,
            )


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: Any):
        self.inner = inner

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module) -> None:
        self.inner.exec_module(module)
        register_envs()


class _AfterGymnasium(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "gymnasium":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


def install() -> None:
    """Register now if Gymnasium is loaded, else once it is imported."""
    if "gymnasium" in sys.modules:
        register_envs()
    elif not any(isinstance(f, _AfterGymnasium) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterGymnasium())
