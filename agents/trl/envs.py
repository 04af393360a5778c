"""Training TRL from an emo environment: its dataset and a rubric that can really score.

``build_trainer(env=gym.make(...))`` trains on the environment's dataset with its
rubric. ``EmoReflect-v0``'s rubric cannot be borrowed as it is: its reflective judge
is an ``AnswerJudge`` holding the answers the agent gives as the episode's later turns,
and GRPOTrainer never plays those turns, so every question would go unanswered (no
verdict: each reflective component would count 1, the same for every completion). For
such an environment the rubric is rebuilt from the environment's preset with a judge
that really answers:

* ``judge="policy"``, or ``"preset"`` (the default: for EmoReflect the preset's judge
  IS the agent): the policy being trained (:func:`agents.trl.driver.policy_judge`), as
  the environment's episodes ask it;
* a judge callable: that judge;
* ``"none"``: refused, with the alternatives named.

Example:
    >>> import gymnasium as gym, emo_env
    >>> from agents.trl.envs import env_parts
    >>> dataset, rubric = env_parts(gym.make("EmoReason-v0"), "preset", policy=None)
    >>> rubric.__name__, len(dataset) > 0
    ('emo_r3_paper', True)
"""

from __future__ import annotations

from typing import Any

from rewards import presets
from rewards.errors import InvalidInputError
from rewards.reflective import ReflectiveReward

__all__ = ["answers_itself", "env_parts"]


def answers_itself(rubric: Any) -> bool:
    """Whether a rubric's reflective judge is an environment's ``AnswerJudge``."""
    from emo_env.envs.reflection import AnswerJudge

    return any(
        isinstance(f, ReflectiveReward) and isinstance(f.judge, AnswerJudge)
        for f in getattr(rubric, "funcs", ())
    )


def env_parts(env: Any, judge: Any, policy: Any, *, need_rubric: bool = True):
    """``(dataset, rubric)`` to train on from an emo environment (see module docs).

    Args:
        env: an emo_env environment (``gym.make`` result or the unwrapped env).
        judge: ``"preset"``, ``"none"``, ``"policy"`` or a judge callable.
        policy: the :class:`~agents.trl.policy.Policy` being trained (the policy judge).
        need_rubric: False when the caller brings its own rubric (nothing is checked).

    Raises:
        InvalidInputError: not an emo environment, or a rubric that cannot be rebuilt
            with a real judge.
    """
    base = getattr(env, "unwrapped", env)
    if not hasattr(base, "dataset") or not hasattr(base, "rubric"):
        raise InvalidInputError(
            f"env must be an emo_env environment (with .dataset and .rubric); got {env!r}."
        )
    rubric = base.rubric
    if not need_rubric or not answers_itself(rubric):
        return base.dataset, rubric
    config = base.config
    name = config.rubric
    if name is None:
        from emo_env.envs.config import DEFAULT_PRESETS

        name = DEFAULT_PRESETS[config.template]
    if not isinstance(name, str):
        raise InvalidInputError(
            f"{type(base).__name__}'s Rubric object is judged by the environment's own agent "
            "(an AnswerJudge), which GRPOTrainer never asks: pass build_trainer(rubric=...) "
            "with a judge, or make the environment with a preset name."
        )
    if judge == "none" or judge is None:
        raise InvalidInputError(
            f"{type(base).__name__}'s reward is the policy answering its own reflective "
            "questions; with judge='none' every answer would be missing and each reflective "
            "component would count 1 for every completion (no signal). Use judge='policy' "
            "(the policy being trained answers, as in the environment), or train from "
            "EmoReason-v0 with judge='none'."
        )
    if judge in ("preset", "policy", "self"):
        if policy is None:
            raise InvalidInputError("judge='policy' needs the policy being trained.")
        from agents.trl.driver import policy_judge

        judge = policy_judge(policy)
    options = {} if config.label_set is None else {"label_set": config.label_set}
    return base.dataset, presets.build(name, judge=presets.resolve_judge(judge), **options)
