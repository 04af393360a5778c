"""Where responses come from: an in-process transformers model or an OpenAI-compatible server.

Both reuse the generation transport of :mod:`rewards.models` (``HFChatGenerator`` and
``OpenAIChatClient``), so evaluation and the reflective judges share one code path.
A backend is called with a batch of chat conversations (and their images) and returns
one response per conversation, None where a server gave no answer after its retries.

Prompts come from :func:`agents.common.prompts.prompt_messages`, the function training
uses: the question with the label options and the SET (or ``<think>``) instructions, or
a training run's own prompt settings (one-shot example, compact style, system prompt).
A policy that sees images gets the image in the user turn; a text-only policy reads the
sample's caption instead (``modality="caption"``). :meth:`HFBackend.render` shows the
exact text the model reads (chat template applied), which the harness records.

Example:
    >>> from agents.evaluation.generate import build_messages
    >>> sample = {"label_set": "emotion6", "caption": "A dark alley.", "image": None}
    >>> msgs = build_messages(sample, modality="caption")
    >>> msgs[0]["content"].splitlines()[0]
    'Image description: A dark alley.'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agents.common.prompts import PromptSettings
from rewards.errors import InvalidInputError, MissingDependencyError, ModelLoadError

__all__ = ["MODALITIES", "HFBackend", "ServerBackend", "build_messages", "resolve_model"]

MODALITIES = ("auto", "image", "caption")
SMOLLM2 = "smollm2"


def build_messages(
    sample: dict[str, Any],
    *,
    template: str = "set",
    modality: str = "image",
    prompt: PromptSettings | None = None,
    index: int = 0,
) -> list[dict[str, Any]]:
    """The chat conversation asking one sample's question.

    The content is plain text; with ``modality="image"`` the transport (the generator or
    the HTTP client) adds the sample's image to the user turn, with
    ``modality="caption"`` the caption is written into the prompt. The conversation is
    built by :func:`agents.common.prompts.prompt_messages`, as in training.

    Args:
        sample: a dataset row (``label_set``, ``caption``).
        template: ``"set"`` or ``"think"`` (when ``prompt`` is None).
        modality: ``"image"`` or ``"caption"``.
        prompt: the run's prompt settings (a training run's one-shot example, style,
            system prompt); None: the plain question in ``template``.
        index: the sample's position in its split (picks the one-shot example).
    """
    if modality not in ("image", "caption"):
        raise InvalidInputError(f"modality must be 'image' or 'caption'; got {modality!r}.")
    settings = prompt if prompt is not None else PromptSettings(template=template)
    caption = (sample.get("caption") or None) if modality == "caption" else None
    if modality == "caption" and caption is None and settings.prompt_style == "compact":
        raise InvalidInputError(
            f"Sample {sample.get('id')!r} has no caption, which the compact prompt needs."
        )
    return settings.messages(sample["label_set"], caption, index=index)


def resolve_model(model: str) -> str:
    """Map ``"smollm2"`` to the offline SmolLM2-135M-Instruct checkpoint; check local paths."""
    if model == SMOLLM2:
        from rewards.models.local import smollm2_path

        return smollm2_path()
    looks_local = model.startswith((".", "/", "~")) or Path(model).suffix in (".gguf", ".bin")
    if looks_local and not Path(model).expanduser().exists():
        raise ModelLoadError(f"Cannot load model {model!r}: no such file or folder.")
    return model


class HFBackend:
    """Generate with a transformers model in this process (``rewards.models.HFChatGenerator``).

    Args:
        model: hub id, local folder, ``"smollm2"`` (offline SmolLM2-135M-Instruct), or a
            loaded model object.
        processor_or_tokenizer: its processor or tokenizer when ``model`` is an object.
        modality: ``"auto"`` (images when the processor has an image processor),
            ``"image"`` or ``"caption"``.
        device, dtype, batch_size: passed to the generator.
        sampling: ``max_new_tokens``, ``temperature``, ``top_p``, ``do_sample``.
    """

    def __init__(
        self,
        model: Any,
        processor_or_tokenizer: Any = None,
        *,
        modality: str = "auto",
        device: str | None = None,
        dtype: Any = None,
        batch_size: int = 8,
        **sampling: Any,
    ):
        if modality not in MODALITIES:
            raise InvalidInputError(f"modality must be one of {MODALITIES}; got {modality!r}.")
        self.model = resolve_model(model) if isinstance(model, str) else model
        self.processor_or_tokenizer = processor_or_tokenizer
        self.device, self.dtype, self.batch_size = device, dtype, batch_size
        self.sampling = {"max_new_tokens": 128, "do_sample": False, **sampling}
        self._modality = modality
        self._generator = None

    @property
    def name(self) -> str:
        return self.model if isinstance(self.model, str) else type(self.model).__name__

    @property
    def generator(self):
        """The ``HFChatGenerator`` (loaded on first use)."""
        if self._generator is None:
            from rewards.models import HFChatGenerator

            self._generator = HFChatGenerator(
                self.model,
                self.processor_or_tokenizer,
                device=self.device,
                dtype=self.dtype,
                batch_size=self.batch_size,
            )
        return self._generator

    @property
    def modality(self) -> str:
        if self._modality == "auto":
            self._modality = "image" if _sees_images(self.generator) else "caption"
        return self._modality

    def __call__(self, messages_batch: list, images: list | None) -> list[str | None]:
        images = images if self.modality == "image" else None
        return list(self.generator.generate(messages_batch, images=images, **self.sampling))

    def render(self, messages_batch: list, images: list | None) -> list[str]:
        """The exact prompt texts the model reads (chat template applied)."""
        images = images if self.modality == "image" else None
        return self.generator.render(messages_batch, images=images)

    def judge(self, temperature: float = 0.0, top_p: float = 1.0):
        """A reflective judge answered by this same loaded model (the paper's self-reflection).

        Greedy by default so that an evaluation is reproducible; the paper's training
        samples these answers at temperature 0.6, top_p 0.95.
        """
        from rewards.models import HFJudge

        gen = self.generator
        return HFJudge(
            gen.model,
            gen.processor,
            temperature=temperature,
            top_p=top_p,
            batch_size=gen.batch_size,
            send_images=self.modality == "image",
        )


def _sees_images(generator: Any) -> bool:
    return bool(generator.is_multimodal)


class ServerBackend:
    """Generate with an OpenAI-compatible server (vLLM, SGLang, ...).

    Args:
        base_url: e.g. ``"http://127.0.0.1:8000/v1"``.
        model: the served model name.
        modality: ``"image"`` (images sent as data URLs) or ``"caption"``.
        api_key, max_concurrency, timeout, retries: passed to ``OpenAIChatClient``.
        sampling: ``max_tokens``/``max_new_tokens``, ``temperature``, ``top_p``.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        modality: str = "image",
        api_key: str | None = None,
        max_concurrency: int = 16,
        timeout: float = 60,
        retries: int = 3,
        **sampling: Any,
    ):
        if modality not in ("image", "caption"):
            raise InvalidInputError(f"modality must be 'image' or 'caption'; got {modality!r}.")
        self.base_url, self.model, self.modality = base_url.rstrip("/"), model, modality
        self.client_kwargs = {
            "api_key": api_key,
            "max_concurrency": max_concurrency,
            "timeout": timeout,
            "retries": retries,
        }
        self.sampling = dict(sampling)
        self._client = None

    @property
    def name(self) -> str:
        return f"{self.model}@{self.base_url}"

    def check(self, timeout: float = 10.0) -> None:
        """Raise ModelLoadError unless the server answers ``GET /models``."""
        try:
            import httpx
        except ImportError as err:
            raise MissingDependencyError("httpx", "judge", "evaluating through a server") from err

        headers = {}
        if self.client_kwargs["api_key"]:
            headers["Authorization"] = f"Bearer {self.client_kwargs['api_key']}"
        url = f"{self.base_url}/models"
        try:
            reply = httpx.get(url, headers=headers, timeout=timeout)
        except httpx.HTTPError as err:
            raise ModelLoadError(
                f"The server at {self.base_url!r} does not answer ({type(err).__name__}: "
                f"{err}); start it or fix --server."
            ) from None
        if reply.status_code >= 400:
            raise ModelLoadError(
                f"The server at {self.base_url!r} answered GET {url} with HTTP "
                f"{reply.status_code}; check the URL (it should end in /v1) and the API key."
            )

    @property
    def client(self):
        if self._client is None:
            from rewards.models import OpenAIChatClient

            self._client = OpenAIChatClient(self.base_url, self.model, **self.client_kwargs)
        return self._client

    def __call__(self, messages_batch: list, images: list | None) -> list[str | None]:
        images = images if self.modality == "image" else None
        return list(self.client.chat_batch(messages_batch, images=images, **self.sampling))

    def judge(self):
        """A reflective judge answered by the served model."""
        from rewards.models import HTTPJudge

        kw = self.client_kwargs
        return HTTPJudge(
            self.base_url,
            self.model,
            kw["api_key"],
            max_concurrency=kw["max_concurrency"],
            timeout=kw["timeout"],
            retries=kw["retries"],
            send_images=self.modality == "image",
        )
