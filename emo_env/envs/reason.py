"""``EmoReason-v0``: one image, one structured response, one reward.

Example:
    >>> import gymnasium as gym
    >>> import emo_env  # registers the ids
    >>> env = gym.make("EmoReason-v0")
    >>> obs, info = env.reset(seed=0)
    >>> response = ("<step1>x</step1><step2>y</step2><step3>z</step3> "
    ...             "\\\\boxed{" + info["label"] + "}")
    >>> obs, reward, terminated, truncated, info = env.step(response)
    >>> reward, terminated, info["correct"]
    (1.0, True, True)
"""

from __future__ import annotations

from typing import Any, ClassVar

from emo_env.envs.base import EmoEnvBase, Pending

__all__ = ["EmoReasonEnv", "step_info"]


def step_info(env: EmoEnvBase, pending: Pending, result: Any) -> dict[str, Any]:
    """The ``info`` of a scored step: label, parse, reward breakdown, malformations.

    The parse fields are :meth:`~rewards.parsing.Parser.summary`'s (equal to a full
    parse's), read from the rubric's parse of the response when it made one.
    """
    summary = pending.summary
    if summary is None:
        summary = env._parser.summary(pending.text)
    format_ok, answer, steps, malformed = summary
    sample = pending.sample
    components = dict(result.components)
    accuracy = components.get("accuracy")
    if accuracy is not None:
        correct = accuracy >= 1.0
    else:
        correct = answer is not None and answer.lower() == sample["label"]
    return {
        "sample_id": sample["id"],
        "label": sample["label"],
        "label_set": sample["label_set"],
        "answer": answer,
        "correct": bool(correct),
        "steps": list(steps),
        "format_ok": format_ok,
        "malformed": list(malformed),
        "components": components,
        "reward": float(result.total),
        "action_truncated": pending.truncated_action,
    }


class EmoReasonEnv(EmoEnvBase):
    """Single turn: the observation is an image and its question; the action is the
    response text; ``step`` scores it with the rubric and terminates.

    Observation (``spaces.Dict``): ``image`` (uint8 H x W x 3), ``prompt`` (the question
    with the label options and the SET or think instructions), ``caption`` (the
    dataset's caption, "" when it has none).

    Action: the response (``spaces.Text`` over a prose charset). A non-str action raises
    :class:`~rewards.errors.InvalidInputError`; malformed or empty text is scored as it
    is (low reward, codes in ``info["malformed"]``); text longer than
    ``max_action_chars`` is cut to it first (``info["action_truncated"]``).

    ``info`` after ``step``: ``sample_id``, ``label``, ``label_set``, ``answer``,
    ``correct``, ``steps``, ``format_ok``, ``malformed``, ``components`` (the rubric's
    breakdown), ``reward``, ``action_truncated``. A step after termination raises
    :class:`~emo_env.envs.base.EpisodeStateError`.

    Options (``gym.make("EmoReason-v0", **options)``): see
    :class:`~emo_env.envs.config.EnvConfig`.
    """

    single_turn: ClassVar[bool] = True  # every step ends the episode (see EmoVectorEnv)

    def _begin_step(self, action: Any) -> Pending:
        if not self._running:
            self._check_running()  # raises
        if type(action) is str and len(action) <= self._max_chars:  # the common case
            return Pending(action, self._sample, False)
        text, cut = self._response(action)
        return Pending(text, self._sample, cut)

    def _finish_step(self, pending: Pending, result: Any):
        self._running = False
        info = step_info(self, pending, result)
        return self._observation(), info["reward"], True, False, info

    def _end(self, pending: Pending, result: Any) -> dict[str, Any]:
        """End the episode with its scored step (the vector env's path); its ``info``."""
        self._running = False
        return step_info(self, pending, result)
