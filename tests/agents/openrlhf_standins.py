"""Stand-ins for what OpenRLHF gets from vLLM (not installable here): an engine whose
``generate`` returns canned text in vLLM's output shape, and vLLM-like sampling params.

The tokenizer is real (a tiny byte-level BPE saved and reloaded with AutoTokenizer), so
the token ids OpenRLHF's executors build and decode are real ones.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from types import SimpleNamespace

from rewards.judges import COHERENCE_QUESTION, CONSISTENCY_QUESTION, NO_PASSAGE_PROMPT


@dataclass
class SamplingParams:
    """The attributes of vllm.SamplingParams that OpenRLHF's executors touch."""

    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int | None = 64
    n: int = 1
    logprobs: int | None = None


@dataclass
class CannedEngine:
    """``await generate(token_ids, params, multi_modal_data=None)`` like RolloutRayActor.

    Rollout prompts get ``response_for(prompt_text)``; reflective questions get
    ``consistency`` / ``coherence`` answers (``None`` raises, as a failing engine).
    """

    tokenizer: object
    response_for: object
    consistency: str | None = "Yes"
    coherence: str | None = "fear"
    turn2: str = "<answer1>yes</answer1><answer2>fear</answer2>"
    calls: list = field(default_factory=list)
    delay: float = 0.0
    eos_id: int | None = None  # appended to every output's token ids, as vLLM keeps it

    async def generate(self, prompt_token_ids, sampling_params, multi_modal_data=None):
        text = self.tokenizer.decode(prompt_token_ids, skip_special_tokens=False)
        if "<answer1>" in text:  # EmoReflect's second turn (the questions in one message)
            kind, answer = "turn2", self.turn2
        elif CONSISTENCY_QUESTION in text:
            kind, answer = "consistency", self.consistency
        elif COHERENCE_QUESTION in text:
            kind, answer = "coherence", self.coherence
        elif NO_PASSAGE_PROMPT in text:
            kind, answer = "no_passage", "None"
        else:
            kind, answer = "rollout", self.response_for(text)
        self.calls.append(
            SimpleNamespace(kind=kind, text=text, params=sampling_params, mm=multi_modal_data)
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        if answer is None:
            raise RuntimeError("engine failure (stand-in)")
        ids = self.tokenizer(text=answer, add_special_tokens=False)["input_ids"]
        ids = [*ids, self.eos_id] if self.eos_id is not None else ids
        out = SimpleNamespace(token_ids=list(ids), text=answer, finish_reason="stop", logprobs=None)
        return SimpleNamespace(outputs=[out])
