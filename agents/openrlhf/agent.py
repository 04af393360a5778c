"""OpenRLHF agent module: pass this file's path to ``--train.agent_func_path``.

``AgentExecutor`` runs OpenRLHF's own :class:`MultiTurnAgentExecutor` loop with one
EmoReason episode per rollout (``EMO_R3_AGENT_MODE=reflect``: a two-turn EmoReflect
episode instead, see :class:`EmoReflectInstance`): the prompt is the observation, the
policy answers once (one turn), and the episode ends with the rubric's reward. The
reflective questions (consistency, coherence) are put to the *current policy* through
the ``llm_engine`` OpenRLHF hands the executor, as the paper does, and their answers
are not trained on. Labels are JSON label fields (:mod:`agents.common.labels`); images come from the
dataset's ``--data.image_key`` column.

Settings come from ``EMO_R3_*`` environment variables
(:mod:`agents.openrlhf.settings`). emo-r3 must be installed on every Ray worker.

Example (a dry run with a stand-in engine is in tests/agents/test_openrlhf_agent.py)::

    python -m openrlhf.cli.train_ppo_ray ... \\
        --train.agent_func_path $(python -c "import agents.openrlhf.agent as m; print(m.__file__)")
"""

from __future__ import annotations

import contextvars

from openrlhf.utils.agent import AgentInstanceBase, MultiTurnAgentExecutor

from agents.common.labels import LabelInfo, decode_label
from agents.common.queries import response_from_query
from agents.openrlhf.reflection import EngineReflection, Rollout, first_image
from agents.openrlhf.settings import Settings
from rewards.judges import KINDS, NO_PASSAGE_PROMPT

__all__ = ["AgentExecutor", "EmoReasonInstance", "EmoReflectInstance", "user_turn"]

# The executor's per-rollout context, seen by the instance's step() in the same task.
_ROLLOUT: contextvars.ContextVar[tuple[EngineReflection, Rollout]] = contextvars.ContextVar(
    "emo_r3_rollout"
)


class EmoReasonInstance(AgentInstanceBase):
    """One EmoReason episode: a single answer, scored by the rubric, then done."""

    def __init__(self, *args, **kwargs):
        self.info: LabelInfo | None = None

    async def reset(self, states: dict, **kwargs) -> dict:
        reflection, _ = _ROLLOUT.get()
        self.info = decode_label(states["label"], reflection.settings.label_set)
        return {"observation": states["observation"]}

    async def step(self, states: dict, **kwargs) -> dict:
        reflection, rollout = _ROLLOUT.get()
        response, _ = response_from_query(states["action_text"], "")
        result = await reflection.score(response, self.info, rollout)
        return _final_step(result)


class EmoReflectInstance(EmoReasonInstance):
    """EmoReflect: turn 1 the SET response, turn 2 the policy's answers to its own
    reflective questions (shown as a new user turn, trained on); the rubric scores the
    turn-1 response with those answers as verdicts and ends the episode.

    The questions and the reply format (``<answer1>yes or no</answer1>``,
    ``<answer2>one emotion</answer2>``) are EmoReflect-v0's (:mod:`emo_env.envs.reflect`).
    """

    def __init__(self, *args, **kwargs):
        super().__init__()
        self.turn1: tuple[str, list] | None = None

    async def step(self, states: dict, **kwargs) -> dict:
        import torch

        from emo_env.envs.reflect import parse_reflection, reflection_message

        reflection, rollout = _ROLLOUT.get()
        action, _ = response_from_query(states["action_text"], "")
        if self.turn1 is None:
            asked = reflection.requests(action, self.info, first_image(rollout.images))
            questions = dict.fromkeys(KINDS, NO_PASSAGE_PROMPT)
            questions.update({r.kind: r.prompt for r in asked})
            self.turn1 = (action, asked)
            return {
                "rewards": torch.tensor(0.0),
                "scores": torch.tensor(0.0),
                "environment_feedback": user_turn(
                    rollout.tokenizer,
                    _ends_turn(rollout.tokenizer, rollout, states["action_text"]),
                    reflection_message(questions),
                ),
                "done": False,
                "extra_logs": {},
            }
        response, asked = self.turn1
        given = parse_reflection(action)
        answers = [given[r.kind] for r in asked]
        result = await reflection.score_with(response, self.info, rollout, asked, answers)
        return _final_step(result)


def user_turn(tokenizer, closed: bool, message: str) -> str:
    """The text that closes the assistant turn and opens a user turn with ``message``.

    Rendered with the tokenizer's chat template (the difference between the conversation
    with and without the new user turn); plain newlines when it has none. ``closed``:
    the action already ends with the end-of-turn token (vLLM keeps the EOS it stopped on
    in the token ids), so only what follows that token is added.
    """
    if not getattr(tokenizer, "chat_template", None):
        return f"\n{message}\n"
    turns = [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]
    before = tokenizer.apply_chat_template(turns, tokenize=False)
    after = tokenizer.apply_chat_template(
        [*turns, {"role": "user", "content": message}], tokenize=False,
        add_generation_prompt=True,
    )  # fmt: skip
    close = before[before.rindex("y") + 1 :]  # what ends an assistant turn, e.g. <|im_end|>\n
    feedback = after[len(before) :] if after.startswith(before) else f"\n{message}\n"
    end = close.strip()
    if closed and end:
        close = close[close.index(end) + len(end) :]
    return close + feedback


def _ends_turn(tokenizer, rollout: Rollout, action_text: str) -> bool:
    """Whether the last action already ends with the end-of-turn token."""
    eos = getattr(tokenizer, "eos_token", None)
    if eos and action_text.rstrip().endswith(eos):
        return True
    ids = getattr(rollout, "last_token_ids", None) or []
    eos_id = getattr(tokenizer, "eos_token_id", None)
    return bool(ids) and eos_id is not None and ids[-1] == eos_id


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
    """EmoReason agent executor scored by the emo-r3 rubric (see module docs).

    Args:
        settings: scoring settings; read from ``EMO_R3_*`` variables when None.
    """

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_env()
        instance = EmoReflectInstance if self.settings.mode == "reflect" else EmoReasonInstance
        super().__init__(instance)
        self.reflection = EngineReflection(self.settings)

    async def execute(
        self, prompt, label, sampling_params, max_length: int, hf_tokenizer, llm_engine, images=None
    ):
        rollout = Rollout(llm_engine, hf_tokenizer, sampling_params, images)
        token = _ROLLOUT.set((self.reflection, rollout))
        try:
            engine = _RecordingEngine(llm_engine, rollout)
            return await super().execute(
                prompt, label, sampling_params, max_length, hf_tokenizer, engine, images
            )
        finally:
            _ROLLOUT.reset(token)


def _final_step(result: dict) -> dict:
    """The last ``step`` output of an episode, as OpenRLHF's agent executor reads it."""
    import torch

    return {
        "rewards": torch.tensor(result["reward"]),
        "scores": torch.tensor(result["score"]),
        "environment_feedback": "",
        "done": True,
        "extra_logs": {k: torch.tensor(v) for k, v in result["logs"].items()},
    }
