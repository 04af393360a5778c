"""Register the environment ids with Gymnasium without importing it at ``import emo_env``.

If Gymnasium is already imported, the ids are registered at once. Otherwise an import
hook (a meta-path finder) wraps the loader of the ``gymnasium`` package and registers
the ids right after Gymnasium's own code has run, so that
``import emo_env; import gymnasium as gym; gym.make("EmoReason-v0")`` works in any
order. The hook survives ``importlib.util.find_spec("gymnasium")`` (which finds a spec
without executing it) and removes itself only once Gymnasium is really executed.
Registration is idempotent. ``gym.make("emo_env:EmoReason-v0")`` imports this package
itself, which registers the ids.
"""

from __future__ import annotations

import importlib.abc
import sys
from typing import Any

__all__ = ["ENV_IDS", "install", "register_envs"]

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
    """Gymnasium's own loader, plus registration once its module has executed."""

    def __init__(self, inner: Any):
        self.inner = inner

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module) -> None:
        self.inner.exec_module(module)  # raises: the hook stays for the next try
        # the module keeps Gymnasium's real loader (reload, resources, introspection)
        if getattr(module, "__spec__", None) is not None and module.__spec__.loader is self:
            module.__spec__.loader = self.inner
        if getattr(module, "__loader__", None) is self:
            module.__loader__ = self.inner
        _uninstall()
        register_envs()

    def __getattr__(self, name: str) -> Any:  # get_resource_reader, is_package, ...
        return getattr(self.inner, name)


class _AfterGymnasium(importlib.abc.MetaPathFinder):
    """Finds ``gymnasium`` through the other finders and wraps its loader."""

    def find_spec(self, name, path, target=None):
        if name != "gymnasium":
            return None
        for finder in list(sys.meta_path):
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is None:
                continue
            if spec.loader is not None and not isinstance(spec.loader, _Loader):
                spec.loader = _Loader(spec.loader)
            return spec
        return None


def _uninstall() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _AfterGymnasium)]


def install() -> None:
    """Register now if Gymnasium is loaded, else once it is imported (idempotent)."""
    if "gymnasium" in sys.modules:
        _uninstall()
        register_envs()
    elif not any(isinstance(f, _AfterGymnasium) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterGymnasium())
