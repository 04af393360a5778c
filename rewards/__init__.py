"""emo-r3 rewards: parsing, label sets, rule and model rewards, judges, rubric, presets.

Importing this package needs only the standard library; model-based rewards import
torch, open_clip, transformers or sentence-transformers when first used.

Quick start:
    >>> from rewards import presets
    >>> rubric = presets.get("emo_r3_paper")
    >>> resp = ("<step1>A storm over the sea.</step1><step2>Scared.</step2>"
    ...         "<step3>Negative, high arousal.</step3> \\\\boxed{fear}")
    >>> rubric.score_batch([resp], labels=["fear"])[0].total
    1.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rewards._lazy import lazy_exports

__all__ = [
    # errors
    "EmoError",
    "InvalidInputError",
    "JudgeError",
    "MissingDependencyError",
    "ModelLoadError",
    "UnknownNameError",
    # parsing and labels
    "LabelSet",
    "ParsedResponse",
    "get_label_set",
    "get_parser",
    "completion_text",
    "completion_texts",
    # rewards
    "AccuracyReward",
    "AffectReward",
    "FormatReward",
    "HackingGuards",
    "MultiReward",
    "ReflectiveReward",
    "Reward",
    # judges
    "CallableJudge",
    "ConstantJudge",
    "Judge",
    "JudgeRequest",
    # composition
    "Rubric",
    "ScoreResult",
    "presets",
]

_LAZY = {
    "presets": "rewards.presets",
    "EmoError": "rewards.errors",
    "InvalidInputError": "rewards.errors",
    "JudgeError": "rewards.errors",
    "MissingDependencyError": "rewards.errors",
    "ModelLoadError": "rewards.errors",
    "UnknownNameError": "rewards.errors",
    "LabelSet": "rewards.labels",
    "get_label_set": "rewards.labels",
    "ParsedResponse": "rewards.parsing",
    "get_parser": "rewards.parsing",
    "completion_text": "rewards._inputs",
    "completion_texts": "rewards._inputs",
    "AccuracyReward": "rewards.rules",
    "AffectReward": "rewards.rules",
    "FormatReward": "rewards.rules",
    "HackingGuards": "rewards.guards",
    "MultiReward": "rewards.base",
    "Reward": "rewards.base",
    "ReflectiveReward": "rewards.reflective",
    "CallableJudge": "rewards.judges",
    "ConstantJudge": "rewards.judges",
    "Judge": "rewards.judges",
    "JudgeRequest": "rewards.judges",
    "Rubric": "rewards.rubric",
    "ScoreResult": "rewards.rubric",
}

__getattr__, __dir__ = lazy_exports("rewards", _LAZY, __all__)


if TYPE_CHECKING:  # pragma: no cover
    from rewards import presets
    from rewards._inputs import completion_text, completion_texts
    from rewards.base import MultiReward, Reward
    from rewards.errors import (
        EmoError,
        InvalidInputError,
        JudgeError,
        MissingDependencyError,
        ModelLoadError,
        UnknownNameError,
    )
    from rewards.guards import HackingGuards
    from rewards.judges import CallableJudge, ConstantJudge, Judge, JudgeRequest
    from rewards.labels import LabelSet, get_label_set
    from rewards.parsing import ParsedResponse, get_parser
    from rewards.reflective import ReflectiveReward
    from rewards.rubric import Rubric, ScoreResult
    from rewards.rules import AccuracyReward, AffectReward, FormatReward
