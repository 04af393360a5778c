"""Presets whose reflective components are model scorers instead of a judge.

Imported by :mod:`rewards.presets` on first use; registers:

=====================  ==================================================================
``emo_r3_clip``        The paper's formula, 0.8 acc + 0.1 (cons + coh) / 2 + 0.1 format,
                       with consistency = CLIP similarity of step1 and the image
                       (:func:`~rewards.models.clip_consistency`) and coherence = the
                       embedding zero-shot probability of the boxed label
                       (:func:`~rewards.models.embedding_coherence`, offline MiniLM).
``emo_r3_offline``     The same formula with consistency = embedding similarity of step1
                       and the sample's ``caption`` column
                       (:func:`~rewards.models.caption_consistency`): no image model, no
                       network; the default for text-only policies on CPU.
=====================  ==================================================================

Models load on the first scored batch, not when the preset is built. They ask no
reflective question, so :func:`rewards.presets.build` accepts only ``judge=None`` for
them. Registration flows one way: this module registers with :mod:`rewards.registry`
and :mod:`rewards.presets` imports it lazily.

Example:
    >>> from rewards import presets
    >>> presets.get("emo_r3_offline")
    Rubric(emo_r3_offline: 0.8*accuracy + 0.1*format + 0.05*consistency + 0.05*coherence)
"""

from __future__ import annotations

from typing import Any

from rewards.registry import register
from rewards.rubric import Rubric
from rewards.rules import AccuracyReward, FormatReward

__all__ = ["emo_r3_clip", "emo_r3_offline"]


def _paper(consistency, coherence, label_set: str, l1: float, l2: float, name: str) -> Rubric:
    return Rubric(
        [AccuracyReward("set", "exact", label_set), FormatReward("set"), consistency, coherence],
        {"accuracy": 1 - l1 - l2, "format": l2, "consistency": l1 / 2, "coherence": l1 / 2},
        name=name,
    )


@register("emo_r3_clip")
def emo_r3_clip(
    clip_model: str = "ViT-B-32",
    clip_backend: str = "open_clip",
    clip_pretrained: str | None = "openai",
    clip_mapping: str = "clipscore",
    coherence_model: str | None = None,
    target: str = "boxed",
    label_set: str = "mikels8",
    l1: float = 0.1,
    l2: float = 0.1,
    device: str | None = None,
    dtype: Any = None,
    batch_size: int = 64,
) -> Rubric:
    """Paper formula; consistency by CLIP (step1 vs image), coherence by MiniLM zero-shot."""
    from rewards.models.clip import clip_consistency
    from rewards.models.text import embedding_coherence

    consistency = clip_consistency(
        model=clip_model, backend=clip_backend, pretrained=clip_pretrained,
        mapping=clip_mapping, batch_size=batch_size, device=device, dtype=dtype,
    )  # fmt: skip
    coherence = embedding_coherence(
        model=coherence_model, target=target, label_set=label_set, batch_size=batch_size,
        device=device,
    )  # fmt: skip
    return _paper(consistency, coherence, label_set, l1, l2, "emo_r3_clip")


@register("emo_r3_offline")
def emo_r3_offline(
    embedding_model: str | None = None,
    caption_key: str = "caption",
    target: str = "boxed",
    label_set: str = "mikels8",
    l1: float = 0.1,
    l2: float = 0.1,
    device: str | None = None,
    batch_size: int = 64,
) -> Rubric:
    """Paper formula; consistency by step1-vs-caption and coherence by MiniLM, offline."""
    from rewards.models.text import caption_consistency, embedding_coherence

    consistency = caption_consistency(
        model=embedding_model, caption_key=caption_key, batch_size=batch_size, device=device
    )
    coherence = embedding_coherence(
        model=embedding_model, target=target, label_set=label_set, batch_size=batch_size,
        device=device,
    )  # fmt: skip
    return _paper(consistency, coherence, label_set, l1, l2, "emo_r3_offline")
