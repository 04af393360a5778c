"""The reflective judge an environment gets: the policy, asked through the rollout engine.

An environment's rubric calls its judge synchronously from ``env.step``; the agent
runs ``step`` in a worker thread (so the event loop keeps serving every other
rollout) and this judge sends the questions back to the loop, to the engine of the
rollout the environment serves, all of a call at once, and waits for the answers.
Concurrent rollouts' questions therefore reach vLLM together and are batched there.

A question is asked as the reference asks it (arXiv 2602.23802, the authors' code): a
fresh user turn, the image first and then a newline and the consistency question when
the policy sees images; a text-only policy reads the image's caption instead
(``Image description: ...``). Sampling: temperature 0.6, top-p 0.95, one sample
(:class:`~agents.openrlhf.settings.Settings`). An engine failure gives None (no
verdict: the preset's missing-verdict rule applies) and is counted.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from agents.openrlhf.engine import EngineClient, Rollout, sees_images, user_message
from rewards.errors import JudgeError
from rewards.judges import IMAGE_SEPARATOR, JudgeRequest

__all__ = ["RolloutJudge"]


class RolloutJudge:
    """A judge (``list[JudgeRequest] -> list[str | None]``) bound to one rollout at a time.

    Args:
        sampling: the reflective sampling (``temperature``, ``top_p``, ``max_tokens``).
    """

    __name__ = "policy_via_llm_engine"
    #: The engine sees the rollout's own images; the rubric need not load any for it.
    needs_images = False

    def __init__(self, sampling: dict[str, Any]):
        self.sampling = dict(sampling)
        self.rollout: Rollout | None = None
        self.caption = ""

    def bind(self, rollout: Rollout | None, caption: str = "") -> None:
        """Answer for ``rollout`` (None: unbound) whose image has ``caption``."""
        self.rollout, self.caption = rollout, caption or ""

    def __call__(self, requests: list[JudgeRequest]) -> list[str | None]:
        rollout = self.rollout
        if rollout is None or rollout.loop is None:
            raise JudgeError(
                "RolloutJudge is not bound to a rollout: it answers through the OpenRLHF "
                "rollout engine, inside agents.openrlhf.agent.AgentExecutor.execute."
            )
        if threading.get_ident() == rollout.loop_thread:
            raise JudgeError(
                "RolloutJudge was called on the event loop's thread; run env.step in a worker "
                "thread (asyncio.to_thread) so the engine can answer."
            )
        future = asyncio.run_coroutine_threadsafe(self.ask_all(requests), rollout.loop)
        return future.result()

    async def ask_all(self, requests: list[JudgeRequest]) -> list[str | None]:
        """Every question of one call, concurrently."""
        return list(await asyncio.gather(*(self.ask(r) for r in requests)))

    async def ask(self, request: JudgeRequest) -> str | None:
        """One reflective question to the policy."""
        client = EngineClient(self.rollout)
        text = request.prompt
        with_image = request.kind == "consistency" and sees_images(self.rollout)
        if with_image:
            text = IMAGE_SEPARATOR + text
        elif request.kind == "consistency" and self.caption:
            text = f"Image description: {self.caption}\n{text}"  # a text-only policy
        return await client.ask(user_message(text, with_image), self.sampling)
