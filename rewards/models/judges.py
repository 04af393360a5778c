"""Model judges for the reflective reward: in-process, HTTP, the live policy, any engine.

All follow the judge protocol of :mod:`rewards.judges`: ``judge(list[JudgeRequest]) ->
list[str | None]``, one call per batch. Each request becomes one user turn holding the
exact reference prompt (and, for consistency questions, the image).

* :class:`HFJudge`: a frozen transformers model (id or folder) loaded lazily;
  greedy by default (``temperature=0``).
* :class:`PolicyJudge`: the trainer's live model (no gradients, eval mode for the call,
  training mode restored), sampling as the paper: temperature 0.6, top_p 0.95.
* :class:`HTTPJudge`: an OpenAI-compatible server (vLLM, SGLang) via
  :class:`~rewards.models.http.OpenAIChatClient`.
* :class:`EngineJudge`: wraps ``generate_fn(prompts, images, sampling) -> list[str]``
  (OpenRLHF's vLLM engine, a custom server, ...).

Example:
    >>> from rewards.models import EngineJudge
    >>> from rewards.judges import JudgeRequest
    >>> judge = EngineJudge(lambda prompts, images, sampling: ["yes"] * len(prompts))
    >>> judge([JudgeRequest("consistency", "Can the following text ...")])
    ['yes']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rewards.errors import InvalidInputError, JudgeError
from rewards.judges import IMAGE_SEPARATOR, JudgeRequest

__all__ = ["EngineJudge", "HFJudge", "HTTPJudge", "PolicyJudge", "request_messages"]


def request_messages(
    request: JudgeRequest, system_prompt: str | None = None, with_image: bool = False
) -> list[dict]:
    """The chat conversation asking one reflective question (images travel apart).

    With ``with_image`` (a consistency question shown with its image) the text starts
    with the reference's newline after the image (:data:`rewards.judges.IMAGE_SEPARATOR`).
    """
    messages = [{"role": "system", "content": system_prompt}] if system_prompt else []
    text = IMAGE_SEPARATOR + request.prompt if with_image else request.prompt
    return [*messages, {"role": "user", "content": text}]


class _ChatJudge:
    """Shared request -> conversation plumbing; subclasses implement :meth:`_answer`."""

    def __init__(self, system_prompt: str | None, send_images: bool):
        self.system_prompt = system_prompt
        self.send_images = send_images
        self.calls = 0

    def __call__(self, requests: list[JudgeRequest]) -> list[str | None]:
        if not requests:
            return []
        for r in requests:
            if not isinstance(r, JudgeRequest):
                raise InvalidInputError(
                    f"Judges take JudgeRequest objects; got {type(r).__name__}."
                )
        self.calls += 1
        images = [
            r.image if self.send_images and r.kind == "consistency" else None for r in requests
        ]
        messages = [
            request_messages(r, self.system_prompt, image is not None)
            for r, image in zip(requests, images, strict=True)
        ]
        return self._answer(messages, images if any(i is not None for i in images) else None)

    def _answer(self, messages: list[list[dict]], images: list | None) -> list[str | None]:
        raise NotImplementedError


class HFJudge(_ChatJudge):
    """A transformers model answering the reflective questions in-process.

    Args:
        model: hub id, folder or loaded model (causal LM or VLM).
        processor_or_tokenizer: needed with a loaded model; else loaded from ``model``.
        temperature, top_p: 0 = greedy (default); the paper samples at 0.6 / 0.95.
        max_new_tokens: answer length (the answers are one word).
        batch_size, device, dtype: generation settings.
        system_prompt: optional system turn.
        send_images: show the image with consistency questions (VLMs only).

    Example:
        >>> HFJudge("Qwen/Qwen2.5-VL-3B-Instruct", temperature=0.6, top_p=0.95)  # doctest: +SKIP
    """

    def __init__(self, model: Any, processor_or_tokenizer: Any = None, temperature: float = 0.0,
                 top_p: float = 1.0, max_new_tokens: int = 16, batch_size: int = 16,
                 device: str | None = None, dtype: Any = None, system_prompt: str | None = None,
                 send_images: bool = True):  # fmt: skip
        from rewards.models.generation import HFChatGenerator

        super().__init__(system_prompt, send_images)
        self.generator = HFChatGenerator(model, processor_or_tokenizer, device, dtype, batch_size)
        self.sampling = {
            "temperature": float(temperature),
            "top_p": float(top_p),
            "max_new_tokens": int(max_new_tokens),
        }

    def _answer(self, messages, images):
        return self.generator.generate(messages, images, **self.sampling)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.generator!r}, {self.sampling})"


class PolicyJudge(HFJudge):
    """The live policy judging its own responses (the paper's self-reflection).

    Holds a reference to the trainer's model (no copy): it answers with the current
    weights, under ``torch.inference_mode`` and in eval mode, restoring training mode.

    Args:
        model: the policy (a transformers model; DDP/DeepSpeed wrappers are unwrapped).
        processor_or_tokenizer: the policy's processor or tokenizer.
        temperature, top_p: the paper's 0.6 and 0.95 by default.

    Example:
        >>> judge = PolicyJudge(trainer.model, trainer.processing_class)  # doctest: +SKIP
    """

    def __init__(self, model: Any, processor_or_tokenizer: Any, temperature: float = 0.6,
                 top_p: float = 0.95, max_new_tokens: int = 16, batch_size: int = 16,
                 system_prompt: str | None = None, send_images: bool = True):  # fmt: skip
        if isinstance(model, str):
            raise InvalidInputError("PolicyJudge wraps a live model object; use HFJudge for ids.")
        super().__init__(
            model, processor_or_tokenizer, temperature, top_p, max_new_tokens, batch_size,
            system_prompt=system_prompt, send_images=send_images,
        )  # fmt: skip


class HTTPJudge(_ChatJudge):
    """An OpenAI-compatible server (vLLM, SGLang) answering the reflective questions.

    Args:
        base_url, model, api_key, max_concurrency, timeout, retries: see
            :class:`~rewards.models.http.OpenAIChatClient`.
        temperature, top_p, max_tokens: request sampling fields.

    Example:
        >>> HTTPJudge("http://localhost:8000/v1", "Qwen/Qwen2.5-VL-3B-Instruct").sampling
        {'temperature': 0.0, 'top_p': 1.0, 'max_tokens': 16}
    """

    def __init__(self, base_url: str, model: str, api_key: str | None = None,
                 temperature: float = 0.0, top_p: float = 1.0, max_tokens: int = 16,
                 max_concurrency: int = 16, timeout: float = 60, retries: int = 3,
                 system_prompt: str | None = None, send_images: bool = True):  # fmt: skip
        from rewards.models.http import OpenAIChatClient

        super().__init__(system_prompt, send_images)
        self.client = OpenAIChatClient(base_url, model, api_key, max_concurrency, timeout, retries)
        self.sampling = {
            "temperature": float(temperature),
            "top_p": float(top_p),
            "max_tokens": int(max_tokens),
        }

    def _answer(self, messages, images):
        return self.client.chat_batch(messages, images, **self.sampling)

    def __repr__(self) -> str:
        return f"HTTPJudge({self.client!r}, {self.sampling})"


class EngineJudge(_ChatJudge):
    """Any generation engine as a judge.

    Args:
        generate_fn: ``generate_fn(prompts, images, sampling) -> list[str]`` where
            ``prompts`` are chat conversations (``chat=True``) or the plain question
            strings (``chat=False``), ``images`` one image or None per prompt (or None
            when no request has one), ``sampling`` the dict below.
        sampling: default ``{"temperature": 0.6, "top_p": 0.95, "max_tokens": 16}``.
        chat: pass conversations (True) or plain prompt strings (False).
    """

    def __init__(self, generate_fn: Callable[..., list[str]], sampling: dict | None = None,
                 chat: bool = True, system_prompt: str | None = None,
                 send_images: bool = True):  # fmt: skip
        if not callable(generate_fn):
            raise InvalidInputError("EngineJudge needs generate_fn(prompts, images, sampling).")
        super().__init__(system_prompt, send_images)
        self.generate_fn = generate_fn
        self.sampling = dict(sampling or {"temperature": 0.6, "top_p": 0.95, "max_tokens": 16})
        self.chat = chat

    def _answer(self, messages, images):
        prompts = messages if self.chat else [m[-1]["content"] for m in messages]
        answers = self.generate_fn(prompts, images, dict(self.sampling))
        if not isinstance(answers, (list, tuple)) or len(answers) != len(prompts):
            got = len(answers) if isinstance(answers, (list, tuple)) else type(answers).__name__
            raise JudgeError(
                f"generate_fn returned {got} answers for {len(prompts)} prompts; it must return "
                "one string per prompt."
            )
        return list(answers)

    def __repr__(self) -> str:
        return f"EngineJudge({getattr(self.generate_fn, '__name__', self.generate_fn)!r})"
