"""The batched vector path: all sub-environments' responses scored in ONE rubric call.

``gym.make_vec("EmoReason-v0", num_envs=8)`` (vectorization mode ``vector_entry_point``,
the default for these ids) returns an :class:`EmoVectorEnv`: its ``step`` validates
every action, scores all pending responses with one ``Rubric.score_batch`` call (so a
model reward or judge runs one batch per vector step), then finishes each sub-env.
Sub-environments share one loaded dataset and one rubric. Episodes reset in the same
step they end (``AutoresetMode.SAME_STEP``): the ended episode's observation and info
are in ``info["final_obs"]`` and ``info["final_info"]``.
``vectorization_mode="sync"`` still works and scores each sub-env separately.

Example:
    >>> import gymnasium as gym
    >>> import emo_env
    >>> envs = gym.make_vec("EmoReason-v0", num_envs=3)
    >>> obs, infos = envs.reset(seed=0)
    >>> obs["image"].shape
    (3, 224, 224, 3)
    >>> answers = ["<step1>a</step1><step2>b</step2><step3>c</step3> \\\\boxed{" + l + "}"
    ...            for l in infos["label"]]
    >>> obs, rewards, terminated, truncated, infos = envs.step(answers)
    >>> rewards.tolist(), terminated.tolist()
    ([1.0, 1.0, 1.0], [True, True, True])
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from emo_env.envs.base import EmoEnvBase, check_render_mode
from emo_env.envs.config import EnvConfig
from emo_env.envs.infos import merge_columns, merge_infos
from rewards.errors import InvalidInputError

__all__ = ["EmoVectorEnv", "make_reason_vec", "make_reflect_vec", "merge_infos"]


class EmoVectorEnv(VectorEnv):
    """``num_envs`` copies of an emo environment stepped and scored as one batch.

    Args:
        env_class: the sub-environment class (``EmoReasonEnv`` or ``EmoReflectEnv``).
        num_envs: how many sub-environments.
        config: an :class:`~emo_env.envs.config.EnvConfig`; or pass its fields as
            keyword options.
    """

    metadata: ClassVar[dict[str, Any]] = {
        "autoreset_mode": AutoresetMode.SAME_STEP,
        "render_modes": [],
    }

    def __init__(
        self,
        env_class: type[EmoEnvBase],
        num_envs: int = 1,
        config: EnvConfig | None = None,
        render_mode: str | None = None,
        **options: Any,
    ):
        check_render_mode(render_mode, "EmoVectorEnv")
        self.render_mode = None
        if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
            raise InvalidInputError(f"num_envs must be a positive int; got {num_envs!r}.")
        first = env_class(config, **options)
        shared = dataclasses.replace(first.config, dataset=first.dataset)
        self.envs = [first] + [
            env_class._from_parts(shared, first.dataset, first.rubric) for _ in range(num_envs - 1)
        ]
        for env in self.envs:
            env._samples = first._samples  # one cache of decoded images for all sub-envs
            env._rotate = False  # every observation's image is copied into a new batch
        self.num_envs = num_envs
        self.rubric = first.rubric
        self.single_observation_space = first.observation_space
        self.single_action_space = first.action_space
        self.observation_space = batch_space(first.observation_space, num_envs)
        self.action_space = batch_space(first.action_space, num_envs)
        self._layout = [
            (key, _kind(space)) for key, space in self.single_observation_space.spaces.items()
        ]
        # single-turn sub-envs (EmoReason) end every episode in each step: a faster path
        self._single_turn = env_class.single_turn

    def _batch(self, observations: list[Any]) -> dict[str, Any]:
        """A fresh batch (what ``concatenate`` gives, without reusing a buffer: Gymnasium
        asks for new data on every call, as ``SyncVectorEnv(copy=True)`` returns)."""
        out = {}
        for key, kind in self._layout:
            values = [obs[key] for obs in observations]
            if kind == "array":
                out[key] = np.stack(values)
            elif kind == "int":
                out[key] = np.array(values, dtype=np.int64)
            else:
                out[key] = tuple(values)
        return out

    def reset(self, *, seed: int | list[int | None] | None = None, options: Any = None):
        """Reset every sub-env; an int seed gives sub-env ``i`` the seed ``seed + i``."""
        if seed is None or isinstance(seed, int):
            seeds = [None if seed is None else seed + i for i in range(self.num_envs)]
        else:
            seeds = list(seed)
            if len(seeds) != self.num_envs:
                raise InvalidInputError(
                    f"reset got {len(seeds)} seeds for {self.num_envs} sub-environments."
                )
        observations, infos = [], []
        for env, env_seed in zip(self.envs, seeds, strict=True):
            obs, info = env.reset(seed=env_seed, options=options)
            observations.append(obs)
            infos.append(info)
        return self._batch(observations), merge_infos(infos)

    def step(self, actions: Any):
        """Step every sub-env with its action; one rubric call scores them all."""
        if isinstance(actions, (str, bytes)) or len(actions) != self.num_envs:
            got = "a str" if isinstance(actions, (str, bytes)) else f"{len(actions)} actions"
            raise InvalidInputError(
                f"A vector step needs one action per sub-environment ({self.num_envs}); got {got}."
            )
        pendings = [env._begin_step(a) for env, a in zip(self.envs, actions, strict=True)]
        results = self.envs[0]._score(pendings)
        if self._single_turn:
            return self._end_and_reset(pendings, results)
        observations, infos = [], []
        rewards = np.zeros(self.num_envs, dtype=np.float64)
        terminated = np.zeros(self.num_envs, dtype=np.bool_)
        truncated = np.zeros(self.num_envs, dtype=np.bool_)
        for i, (env, pending, result) in enumerate(zip(self.envs, pendings, results, strict=True)):
            obs, rewards[i], terminated[i], truncated[i], info = env._finish_step(pending, result)
            if terminated[i] or truncated[i]:
                final_obs, final_info = obs, info
                obs, info = env._autoreset()  # env.reset(); info is a fresh dict
                info["final_obs"], info["final_info"] = final_obs, final_info
            observations.append(obs)
            infos.append(info)
        return self._batch(observations), rewards, terminated, truncated, merge_infos(infos)

    def _end_and_reset(self, pendings: list[Any], results: list[Any]):
        """A step of single-turn sub-envs: every episode ends and resets at once.

        The same result as the general path (each sub-env's ``_finish_step`` and
        autoreset, then :func:`merge_infos`), built column by column from the per-env
        values, without the intermediate dicts and the key checks of the general path.
        """
        envs, n = self.envs, self.num_envs
        ended = [env._end(p, r) for env, p, r in zip(envs, pendings, results, strict=True)]
        final_obs = [env._observation() for env in envs]
        resets = [env._reset_info(env._enter(env._advance())) for env in envs]  # autoreset
        observations = [env._observation() for env in envs]
        info = _merge_rows(resets, n)
        present = info["_" + next(iter(resets[0]))]  # the level's shared all-True mask
        info["final_obs"] = _merge_rows(final_obs, n)
        info["_final_obs"] = present
        info["final_info"] = final = _merge_rows(ended, n)
        info["_final_info"] = present
        terminated = np.ones(n, dtype=np.bool_)
        truncated = np.zeros(n, dtype=np.bool_)
        return self._batch(observations), final["reward"].copy(), terminated, truncated, info

    def close_extras(self, **kwargs: Any) -> None:
        for env in self.envs:
            env.close()


def _merge_rows(dicts: list[dict[str, Any]], n: int) -> dict[str, Any]:
    """``merge_infos(dicts)`` for dicts with the same keys in the same order."""
    return merge_columns(dicts[0], zip(*[d.values() for d in dicts], strict=True), n)


def _kind(space: Any) -> str:
    if isinstance(space, spaces.Box):
        return "array"
    if isinstance(space, spaces.Discrete):
        return "int"
    if isinstance(space, spaces.Text):
        return "text"
    raise TypeError(f"EmoVectorEnv cannot batch {space!r}.")  # pragma: no cover


def make_reason_vec(num_envs: int = 1, **options: Any) -> EmoVectorEnv:
    """Vector entry point of ``EmoReason-v0``."""
    from emo_env.envs.reason import EmoReasonEnv

    options.pop("max_episode_steps", None)
    return EmoVectorEnv(EmoReasonEnv, num_envs, **options)


def make_reflect_vec(num_envs: int = 1, **options: Any) -> EmoVectorEnv:
    """Vector entry point of ``EmoReflect-v0``."""
    from emo_env.envs.reflect import EmoReflectEnv

    options.pop("max_episode_steps", None)
    return EmoVectorEnv(EmoReflectEnv, num_envs, **options)
