"""Ask the rollout policy the reflective questions through OpenRLHF's ``llm_engine``.

The paper's Reflective Emotional Reward asks the *current policy* about its own
response. Inside an OpenRLHF agent that policy is the vLLM ``llm_engine`` handed to
``AgentExecutor.execute``: an async ``generate(token_ids, sampling_params,
multi_modal_data=None)``. The rubric's judge protocol is synchronous, so
:class:`EngineReflection` first collects the questions the rubric will ask, awaits
the engine's answers (all questions of a response concurrently; sampling temperature
0.6, top_p 0.95, one sample, no gradient), then scores with a judge that reads those
answers back (:class:`PrefetchedJudge`, per asyncio task through a ContextVar).
"""

from __future__ import annotations

import asyncio
import contextvars
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from agents.common.labels import LabelInfo
from agents.common.scorer import RewardScorer, Sample
from agents.openrlhf.settings import Settings
from rewards import presets
from rewards.errors import JudgeError
from rewards.judges import JudgeRequest
from rewards.reflective import ReflectiveReward

__all__ = ["EngineReflection", "PrefetchedJudge", "Rollout"]

_ANSWERS: contextvars.ContextVar[dict] = contextvars.ContextVar("emo_r3_reflective_answers")


def _key(request: JudgeRequest) -> tuple[str, str]:
    return request.kind, request.prompt


class PrefetchedJudge:
    """A judge returning answers fetched beforehand in the current asyncio task."""

    __name__ = "policy_via_llm_engine"
    #: The engine saw the rollout's images when asked; scoring reads no image.
    needs_images = False

    def __call__(self, requests: list[JudgeRequest]) -> list[str | None]:
        answers = _ANSWERS.get(None)
        if answers is None:
            raise JudgeError(
                "PrefetchedJudge was called outside EngineReflection.score: its answers "
                "come from the rollout engine and are fetched there."
            )
        return [answers.get(_key(r)) for r in requests]


@dataclass
class Rollout:
    """What OpenRLHF hands ``execute``: the engine, tokenizer, sampling and images."""

    llm_engine: Any
    tokenizer: Any
    sampling_params: Any
    images: Any = None
    last_token_ids: list[int] | None = None


class EngineReflection:
    """The rubric of :class:`Settings`, with the policy (via its engine) as the judge."""

    def __init__(self, settings: Settings):
        self.settings = settings
        args = {"label_set": settings.label_set, **settings.preset_args}
        # EMO_R3_SELF_REFLECT (or reflect mode) asks the policy wherever the preset asks
        # questions; a judge in EMO_R3_PRESET_ARGS overrides it.
        wants_judge = settings.self_reflect or settings.mode == "reflect"
        default = "policy" if wants_judge and presets.takes_judge(settings.preset) else None
        judge = presets.resolve_judge(args.pop("judge", default), policy=PrefetchedJudge)
        self.judge = judge if isinstance(judge, PrefetchedJudge) else None
        rubric = presets.build(settings.preset, judge=judge, **args)
        self.scorer = RewardScorer(
            rubric,
            label_set=settings.label_set,
            image_roots=settings.image_roots,
            dataset=settings.dataset,
        )
        self.stats = {"questions": 0, "engine_errors": 0}

    def requests(self, response: str, info: LabelInfo, image: Any) -> list[JudgeRequest]:
        """The reflective questions the rubric will ask about ``response``."""
        kwargs = {"label": [info.label], "label_set": [info.label_set], "image": [image]}
        out: list[JudgeRequest] = []
        for f in self.scorer.rubric.funcs:
            if isinstance(f, ReflectiveReward) and f.judge is self.judge and f.judge is not None:
                out += f.requests([response], kwargs)
        return out

    async def score(self, response: str, info: LabelInfo, rollout: Rollout) -> dict[str, Any]:
        """Ask the engine, then score; ``{"reward", "score", "logs"}``."""
        image = first_image(rollout.images)
        asked = self.requests(response, info, image)
        answers = await asyncio.gather(*(self.ask(r, info, rollout) for r in asked))
        return await self.score_with(response, info, rollout, asked, list(answers))

    async def score_with(
        self,
        response: str,
        info: LabelInfo,
        rollout: Rollout,
        asked: list[JudgeRequest],
        answers: list[str | None],
    ) -> dict[str, Any]:
        """Score with given answers to the questions ``asked`` (None = no verdict)."""
        token = _ANSWERS.set({_key(r): a for r, a in zip(asked, answers, strict=True)})
        try:
            needs = self.scorer.load_images  # a CLIP reward, say; never for the judge
            images = [await asyncio.to_thread(_load, rollout.images)] if needs else None
            result = self.scorer.score_samples([Sample(response, info)], images)[0]
        finally:
            _ANSWERS.reset(token)
        result["logs"]["reflection_unanswered"] = float(sum(a is None for a in answers))
        return result

    async def ask(self, request: JudgeRequest, info: LabelInfo, rollout: Rollout) -> str | None:
        """One reflective question to the policy; None when the engine fails."""
        tokenizer = rollout.tokenizer
        with_image = bool(
            request.kind == "consistency"
            and rollout.images
            and hasattr(tokenizer, "image_processor")
        )
        text = request.prompt
        if request.kind == "consistency" and not with_image and info.caption:
            text = f"Image description: {info.caption}\n{text}"  # text-only policy
        text = _chat(tokenizer, text, with_image)
        mm_data = None
        if with_image:
            from openrlhf.utils.vlm_utils import process_prompt_with_images

            ids, _, pil = process_prompt_with_images(tokenizer, text, rollout.images)
            mm_data = {"image": pil} if pil else None
        else:
            ids = tokenizer(text=text, add_special_tokens=False)["input_ids"]
            ids = ids.tolist() if hasattr(ids, "tolist") else list(ids)
            if ids and isinstance(ids[0], list):
                ids = ids[0]
        params = deepcopy(rollout.sampling_params)
        for name, value in (
            ("temperature", self.settings.judge_temperature),
            ("top_p", self.settings.judge_top_p),
            ("max_tokens", self.settings.judge_max_tokens),
            ("n", 1),
            ("logprobs", None),
        ):
            if hasattr(params, name):
                setattr(params, name, value)
        self.stats["questions"] += 1
        try:
            output = await rollout.llm_engine.generate(ids, params, multi_modal_data=mm_data)
            return output.outputs[0].text
        except Exception:  # an unanswered question is counted, never scored 0 silently
            self.stats["engine_errors"] += 1
            return None


def _chat(tokenizer, text: str, with_image: bool) -> str:
    template_owner = tokenizer if getattr(tokenizer, "chat_template", None) else None
    if template_owner is None:
        return text
    content: Any = [{"type": "image"}, {"type": "text", "text": text}] if with_image else text
    return template_owner.apply_chat_template(
        [{"role": "user", "content": content}], tokenize=False, add_generation_prompt=True
    )


def first_image(images: Any) -> Any:
    if isinstance(images, (list, tuple)):
        return images[0] if images else None
    return images


def _load(images: Any) -> Any:
    from openrlhf.utils.vlm_utils import load_images

    loaded = load_images(images) if images else []
    return loaded[0] if loaded else None
