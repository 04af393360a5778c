"""OpenRLHF agent module: pass this file's path to ``--train.agent_func_path``.

``AgentExecutor`` runs any registered Gymnasium text environment inside OpenRLHF's own
:class:`MultiTurnAgentExecutor` loop, one environment per rollout
(:mod:`agents.openrlhf.envs`; the id and ``gym.make`` options come from
:mod:`agents.openrlhf.settings`, ``EmoReason-v0`` by default):

* ``reset`` takes the sample OpenRLHF hands the agent (prompt, label field, images);
  the observation (its ``prompt``, or the observation itself when it is a str) becomes
  the user turn, rendered with the tokenizer's chat template, the image first when the
  policy is a VLM and the observation shows one;
* the policy's text is the action; ``step``'s rewards add up to the rollout's reward;
  ``terminated`` / ``truncated`` end it; the final ``info["components"]`` (or the
  info's numbers) go to OpenRLHF's extra logs, with ``not_applicable`` and
  ``reflection_unanswered`` counts;
* a next observation is the next user turn (chat template), trained on like the first;
  an observation whose info says ``trainable: False`` is answered by the policy through
  the engine and NOT added to the trained trajectory: a ``fresh_context`` one as a new
  conversation (EmoReflect-v0's reflective questions, with the info's ``sampling``),
  another in the same chat (its question and answer then stay in the context of later
  trained turns, untrained); ``EMO_R3_TRAIN_FOLLOWUPS=1`` trains the latter instead.

The environment's reflective judge can be the policy itself
(:class:`~agents.openrlhf.judge.RolloutJudge`): ``step`` runs on a worker thread and
the judge asks the rollout's engine, so the event loop keeps serving every rollout.
emo-r3 must be installed on every Ray worker.

Example (dry runs with a stand-in engine are in tests/agents/test_openrlhf_agent.py)::

    python -m openrlhf.cli.train_ppo_ray ... \\
        --train.agent_func_path $(python -c "import agents.openrlhf.agent as m; print(m.__file__)")
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Mapping
from typing import Any

from openrlhf.utils.agent import AgentInstanceBase, MultiTurnAgentExecutor

from agents.common.queries import response_from_query
from agents.openrlhf.engine import (
    EngineClient,
    Rollout,
    chat,
    sees_images,
    user_message,
    user_turn,
)
from agents.openrlhf.envs import EnvPool, Slot, reset_options
from agents.openrlhf.settings import Settings
from rewards.errors import InvalidInputError

__all__ = ["AgentExecutor", "GymInstance", "user_turn"]

_EPISODE: contextvars.ContextVar[Episode] = contextvars.ContextVar("emo_r3_episode")


class Episode:
    """One rollout's environment and what has happened in it.

    (A plain class: OpenRLHF loads this file without registering it as a module, which
    ``dataclasses`` cannot handle.)
    """

    def __init__(self, executor: AgentExecutor, slot: Slot, rollout: Rollout):
        self.executor, self.slot, self.rollout = executor, slot, rollout
        self.total = 0.0
        self.pending = 0.0  # rewards since the last trained action

    async def step(self, action: str) -> tuple[Any, bool, dict[str, Any]]:
        env = self.slot.env
        obs, reward, terminated, truncated, info = await self.executor.pool.run(env.step, action)
        self.total += float(reward)
        self.pending += float(reward)
        return obs, bool(terminated or truncated), info or {}


class GymInstance(AgentInstanceBase):
    """The environment side of one OpenRLHF rollout (see module docs)."""

    def __init__(self, *args, **kwargs):
        pass

    async def reset(self, states: dict, **kwargs) -> dict:
        return {"observation": states["observation"]}  # rendered by AgentExecutor.execute

    async def step(self, states: dict, **kwargs) -> dict:
        ep = _EPISODE.get()
        action, _ = response_from_query(states["action_text"], "")
        obs, done, info = await ep.step(action)
        tokenizer = ep.rollout.tokenizer
        # the action's end-of-turn token: in its token ids (vLLM keeps the EOS it stopped
        # on) for the trajectory; in its text for a conversation rebuilt from text
        closed = _ends_turn(ep.rollout, states["action_text"])
        closed_text = _ends_turn_text(tokenizer, states["action_text"])
        context = text_context = ""  # same-chat turns answered aside: context, not trained
        while not done and info.get("trainable", True) is False:
            fresh = bool(info.get("fresh_context"))
            if not fresh and ep.executor.settings.train_followups:
                break
            text, shows_image, caption = observation_message(obs)
            client = EngineClient(ep.rollout)
            sampling = dict(info.get("sampling") or {})
            if fresh:
                see = shows_image and sees_images(ep.rollout)
                if shows_image and not see and caption:  # a text-only policy
                    text = f"Image description: {caption}\n{text.removeprefix(chr(10))}"
                answer = await client.ask(user_message(text, see), sampling)
            else:
                asked = user_turn(tokenizer, closed_text and not text_context, text)
                conversation = states["observation_text"] + states["action_text"]
                answer = await client.generate(
                    conversation + text_context + asked, sampling, sees_images(ep.rollout)
                )
                text_context += asked + (answer or "")
                context += user_turn(tokenizer, closed and not context, text) + (answer or "")
            obs, done, info = await ep.step(answer or "")  # a failed answer is counted
        if done:
            return _final(ep, info)
        text, _, _ = observation_message(obs)
        feedback = context + user_turn(tokenizer, closed and not context, text)
        return _result(ep, feedback, done=False)


def observation_message(obs: Any) -> tuple[str, bool, str]:
    """``(text, shows_image, caption)`` of an observation (a str, or a dict with
    ``prompt`` and optionally ``image``, ``has_image`` and ``caption``)."""
    if isinstance(obs, str):
        return obs, False, ""
    if isinstance(obs, Mapping) and isinstance(obs.get("prompt"), str):
        shows = "image" in obs and bool(obs.get("has_image", 1))
        return obs["prompt"], shows, str(obs.get("caption") or "")
    raise InvalidInputError(
        "The agent shows the policy an observation's text: a str, or a dict with a str "
        f"'prompt'; got {type(obs).__name__}."
    )


def _ends_turn_text(tokenizer: Any, action_text: str) -> bool:
    """Whether the action's text ends with the end-of-turn token."""
    eos = getattr(tokenizer, "eos_token", None)
    return bool(eos) and action_text.rstrip().endswith(eos)


def _ends_turn(rollout: Rollout, action_text: str) -> bool:
    """Whether the last action's tokens already end with the end-of-turn token."""
    tokenizer = rollout.tokenizer
    if _ends_turn_text(tokenizer, action_text):
        return True
    ids = rollout.last_token_ids or []
    eos_id = getattr(tokenizer, "eos_token_id", None)
    return bool(ids) and eos_id is not None and ids[-1] == eos_id


def _result(ep: Episode, feedback: str, done: bool, logs: dict | None = None) -> dict:
    import torch

    reward, ep.pending = ep.pending, 0.0
    return {
        "rewards": torch.tensor(reward),
        "scores": torch.tensor(ep.executor.score(ep.slot, ep.total)),
        "environment_feedback": feedback,
        "done": done,
        "extra_logs": {k: torch.tensor(v) for k, v in (logs or {}).items()},
    }


def _final(ep: Episode, info: dict[str, Any]) -> dict:
    components = info.get("components")
    if isinstance(components, Mapping):
        logs = {k: 0.0 if v is None else float(v) for k, v in components.items()}
        logs["not_applicable"] = float(sum(v is None for v in components.values()))
    else:
        numbers = (int, float, bool)
        logs = {k: float(v) for k, v in info.items() if isinstance(v, numbers)}
    logs["reflection_unanswered"] = float(ep.rollout.stats["unanswered"])
    return _result(ep, "", done=True, logs=logs)


class _RecordingEngine:
    """Passes ``generate`` through to the engine and remembers the last token ids."""

    def __init__(self, engine, rollout: Rollout):
        self._engine, self._rollout = engine, rollout

    async def generate(self, prompt_token_ids, sampling_params, multi_modal_data=None):
        out = await self._engine.generate(
            prompt_token_ids, sampling_params, multi_modal_data=multi_modal_data
        )
        self._rollout.last_token_ids = list(out.outputs[0].token_ids)
        return out

    def __getattr__(self, name):
        return getattr(self._engine, name)


class AgentExecutor(MultiTurnAgentExecutor):
    """Runs the settings' Gymnasium environment for each rollout (see module docs).

    Args:
        settings: read from ``EMO_R3_*`` variables when None (OpenRLHF builds the
            executor without arguments).
    """

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_env()
        super().__init__(GymInstance)
        self.pool = EnvPool(self.settings)
        self.stats = {"rollouts": 0, "asked": 0, "unanswered": 0}

    def score(self, slot: Slot, total: float) -> float:
        """The reward mapped onto [0, 1] by the rubric's range (OpenRLHF's dynamic
        filtering reads ``scores``); the reward itself for other environments."""
        rubric = getattr(slot.env.unwrapped, "rubric", None)
        low, high = getattr(rubric, "value_range", (0.0, 0.0))
        if high <= low:
            return total
        return min(1.0, max(0.0, (total - low) / (high - low)))

    async def execute(
        self, prompt, label, sampling_params, max_length: int, hf_tokenizer, llm_engine, images=None
    ):
        import asyncio

        loop = asyncio.get_running_loop()
        rollout = Rollout(llm_engine, hf_tokenizer, sampling_params, images, loop)
        rollout.loop_thread = threading.get_ident()
        processor = hasattr(hf_tokenizer, "image_processor")
        options = reset_options(
            self.settings.reset, self.pool.emo, prompt, label, images, self.settings
        )
        slot = await self.pool.acquire(text_only=not processor)
        token = None
        try:
            obs, info = await self.pool.run(slot.env.reset, options=options)
            _check_label(slot, label, info, self.settings)
            text, shows_image, caption = observation_message(obs)
            if shows_image and processor and not images and "image" in obs:
                rollout.images = [_pil(obs["image"])]  # the observation's image itself
            if slot.judge is not None:
                slot.judge.bind(rollout, caption)
            first = chat(hf_tokenizer, [user_message(text, shows_image and sees_images(rollout))])
            token = _EPISODE.set(Episode(self, slot, rollout))
            out = await super().execute(
                first, label, sampling_params, max_length, hf_tokenizer,
                _RecordingEngine(llm_engine, rollout), rollout.images,
            )  # fmt: skip
        finally:
            if token is not None:
                _EPISODE.reset(token)
            self.pool.release(slot)
            self.stats["rollouts"] += 1
            for key in ("asked", "unanswered"):
                self.stats[key] += rollout.stats[key]
        out["prompt"] = prompt  # OpenRLHF groups eval metrics by its own prompt string
        return out


def _check_label(slot: Slot, label: Any, info: dict[str, Any], settings: Settings) -> None:
    """An emo environment's sample must have the label field's gold label."""
    if not slot.emo or "label" not in info or settings.reset not in ("auto", "sample_id"):
        return
    from agents.common.labels import decode_label

    given = decode_label(label, settings.label_set).label.strip().lower()
    if given != str(info["label"]).lower():
        raise InvalidInputError(
            f"The label field says {given!r} but the environment's sample "
            f"{info.get('sample_id')!r} is {info['label']!r}: the prompt data and the "
            "environment's dataset (EMO_R3_DATASET) disagree."
        )


def _pil(array: Any) -> Any:
    from PIL import Image

    return Image.fromarray(array)
