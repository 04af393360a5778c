"""Model-based rewards and judges (CLIP, text classifiers, in-process and HTTP judges).

Everything here imports torch / transformers / open_clip / sentence-transformers only
when a model is first used; ``import rewards.models`` stays light.
"""

from __future__ import annotations

from rewards._lazy import lazy_exports

__all__ = [
    # CLIP consistency
    "ClipConsistency",
    "clip_consistency",
    # coherence and caption scorers
    "caption_consistency",
    "classifier_coherence",
    "embedding_coherence",
    "lexicon_coherence",
    "nli_coherence",
    # generation and judges
    "EngineJudge",
    "HFChatGenerator",
    "HFJudge",
    "HTTPJudge",
    "OpenAIChatClient",
    "PolicyJudge",
    # offline artefacts
    "minilm_path",
    "smollm2_path",
]

_LAZY = {
    "ClipConsistency": "rewards.models.clip",
    "clip_consistency": "rewards.models.clip",
    "caption_consistency": "rewards.models.text",
    "classifier_coherence": "rewards.models.classifiers",
    "embedding_coherence": "rewards.models.text",
    "lexicon_coherence": "rewards.models.lexicon",
    "nli_coherence": "rewards.models.classifiers",
    "EngineJudge": "rewards.models.judges",
    "HFChatGenerator": "rewards.models.generation",
    "HFJudge": "rewards.models.judges",
    "HTTPJudge": "rewards.models.judges",
    "OpenAIChatClient": "rewards.models.http",
    "PolicyJudge": "rewards.models.judges",
    "minilm_path": "rewards.models.local",
    "smollm2_path": "rewards.models.local",
}

__getattr__, __dir__ = lazy_exports("rewards.models", _LAZY, __all__)
