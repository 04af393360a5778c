"""Asking the policy through OpenRLHF's rollout engine, outside the trained trajectory.

Inside an OpenRLHF agent the policy being trained is the vLLM ``llm_engine`` handed to
``AgentExecutor.execute``: ``await generate(token_ids, sampling_params,
multi_modal_data=None)``. The paper's reflective questions, and an environment's
turns that are not trained on, are put to that engine here: rendered with the
tokenizer's chat template (the image first when the engine can see it), sampled with
their own settings, and never added to the rollout's tokens, so no gradient flows
through the answers.

Example (a dry run with a stand-in engine is in tests/agents/test_openrlhf_agent.py)::

    client = EngineClient(Rollout(llm_engine, tokenizer, sampling_params, images))
    answer = await client.ask(user_message("Is it sad?", image=True), {"temperature": 0.6})
"""

from __future__ import annotations

import asyncio
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EngineClient", "Rollout", "chat", "sees_images", "user_message", "user_turn"]


@dataclass
class Rollout:
    """What OpenRLHF hands ``execute``: the engine, tokenizer, sampling and images."""

    llm_engine: Any
    tokenizer: Any
    sampling_params: Any
    images: Any = None
    loop: asyncio.AbstractEventLoop | None = None
    loop_thread: int | None = None
    last_token_ids: list[int] | None = None
    stats: dict[str, int] = field(default_factory=lambda: {"asked": 0, "unanswered": 0})


def sees_images(rollout: Rollout) -> bool:
    """Whether the policy is shown images: a VLM processor and images in the sample."""
    return bool(rollout.images) and hasattr(rollout.tokenizer, "image_processor")


def user_message(text: str, image: bool = False) -> dict[str, Any]:
    """A user turn, the image (a placeholder) first when ``image``."""
    content: Any = [{"type": "image"}, {"type": "text", "text": text}] if image else text
    return {"role": "user", "content": content}


def chat(tokenizer: Any, messages: list[dict[str, Any]]) -> str:
    """The conversation rendered for generation (plain text without a chat template)."""
    if not getattr(tokenizer, "chat_template", None):
        return "".join(_text(m["content"]) for m in messages)
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content if p.get("type") == "text")


def user_turn(tokenizer: Any, closed: bool, message: str) -> str:
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


class EngineClient:
    """Generates with a rollout's engine; failures are counted and give None."""

    def __init__(self, rollout: Rollout):
        self.rollout = rollout

    def token_ids(self, text: str, with_images: bool) -> tuple[list[int], dict | None]:
        """Token ids of ``text`` (image placeholders expanded) and vLLM's image data."""
        tokenizer = self.rollout.tokenizer
        if with_images:
            from openrlhf.utils.vlm_utils import process_prompt_with_images

            ids, _, pil = process_prompt_with_images(tokenizer, text, self.rollout.images)
            return ids, ({"image": pil} if pil else None)
        ids = tokenizer(text=text, add_special_tokens=False)["input_ids"]
        ids = ids.tolist() if hasattr(ids, "tolist") else list(ids)
        return (ids[0] if ids and isinstance(ids[0], list) else ids), None

    def params(self, sampling: dict[str, Any]) -> Any:
        """A copy of the rollout's sampling parameters with ``sampling`` applied."""
        params = deepcopy(self.rollout.sampling_params)
        for name, value in {"n": 1, "logprobs": None, **sampling}.items():
            if hasattr(params, name):
                setattr(params, name, value)
        return params

    async def generate(self, text: str, sampling: dict[str, Any], with_images: bool) -> str | None:
        """The engine's answer to ``text`` (already rendered); None when it fails."""
        ids, mm_data = self.token_ids(text, with_images)
        self.rollout.stats["asked"] += 1
        try:
            output = await self.rollout.llm_engine.generate(
                ids, self.params(sampling), multi_modal_data=mm_data
            )
            return output.outputs[0].text
        except Exception:  # an unanswered question is counted, never scored 0 silently
            self.rollout.stats["unanswered"] += 1
            return None

    async def ask(self, message: dict[str, Any], sampling: dict[str, Any]) -> str | None:
        """A fresh conversation of one user ``message`` (see :func:`user_message`)."""
        with_images = not isinstance(message["content"], str)
        return await self.generate(chat(self.rollout.tokenizer, [message]), sampling, with_images)
