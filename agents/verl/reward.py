"""verl reward function: ``compute_score(data_source, solution_str, ground_truth, extra_info)``.

Point verl's ``custom_reward_function.path`` at this file, ``agents/verl/reward.py``
(``name: compute_score``; or ``compute_score_batch`` with verl's batch reward manager).
``ground_truth`` is a label name or a JSON label field (:mod:`agents.common.labels`);
the label set comes from the label field, else ``extra_info["label_set"]``, else the
dataset named by ``data_source`` (``EmoSet`` -> ``mikels8``, ``Emotion6`` ->
``emotion6``, ...), else ``mikels8``. The preset is ``extra_info["preset"]``, else
``EMO_R3_PRESET``, else the serving default (``emo_r3_paper``); its options come from
``EMO_R3_PRESET_ARGS`` (a JSON object, :mod:`agents.common.envvars`). verl's reward
function cannot reach the policy, so there is no judge: reflective components count 1
(the paper's convention when reflection is not run) unless the preset brings its own
scorers.

Returns a dict: ``score`` (the rubric total, verl's reward) and every component.

Example:
    >>> from agents.verl.reward import compute_score
    >>> r = "<step1>A storm</step1><step2>scared</step2><step3>negative</step3>\\\\boxed{fear}"
    >>> compute_score("EmoSet", r, "fear")["score"]
    1.0
    >>> compute_score("Emotion6", r.replace("fear", "joy"), "joy", {"preset": "grpo_baseline"})
    {'score': 0.9, 'accuracy': 1.0, 'format': 0.0}
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from agents.common.envvars import preset_from_env
from agents.common.labels import decode_label
from rewards import presets
from rewards.errors import InvalidInputError
from rewards.labels import LABEL_SETS
from rewards.rubric import Rubric

__all__ = ["compute_score", "compute_score_batch", "label_set_for"]

_RUBRICS: dict[tuple[str, str], Rubric] = {}
_LOCK = threading.Lock()


def label_set_for(data_source: str | None, default: str = "mikels8") -> str:
    """The label set of a dataset name (case-insensitive), or ``default``."""
    if data_source:
        name = str(data_source).lower()
        if name in LABEL_SETS:
            return name
        for label_set in LABEL_SETS.values():
            if any(d.lower() == name or name.startswith(d.lower()) for d in label_set.datasets):
                return label_set.id
    return default


def _rubric(preset: str, options: dict[str, Any]) -> Rubric:
    key = (preset, json.dumps(options, sort_keys=True, default=repr))
    with _LOCK:
        if key not in _RUBRICS:
            # label sets travel per sample, so one rubric serves every dataset; no judge
            _RUBRICS[key] = presets.build(preset, **{"judge": None, **options})
        return _RUBRICS[key]


def compute_score_batch(
    data_sources: Sequence[str],
    solution_strs: Sequence[str],
    ground_truths: Sequence[Any],
    extra_infos: Sequence[Mapping[str, Any] | None] | None = None,
    **kwargs: Any,
) -> list[dict[str, float]]:
    """Score a batch (verl's batch reward manager); one dict per sample."""
    n = len(solution_strs)
    extra_infos = list(extra_infos) if extra_infos is not None else [None] * n
    if not (len(data_sources) == len(ground_truths) == len(extra_infos) == n):
        raise InvalidInputError(
            "data_sources, solution_strs, ground_truths and extra_infos must have one entry "
            "per sample."
        )
    env_preset, options = preset_from_env(use="serve")
    groups: dict[str, list[int]] = {}
    rows = []
    for i in range(n):
        extra = extra_infos[i] or {}
        if not isinstance(extra, Mapping):
            raise InvalidInputError(f"extra_info must be a dict or None; got {type(extra)}.")
        default_set = extra.get("label_set") or label_set_for(data_sources[i])
        info = decode_label(ground_truths[i], default_set)
        if not isinstance(solution_strs[i], str):
            raise InvalidInputError(f"solution_str must be a str; got {type(solution_strs[i])}.")
        preset = extra.get("preset") or env_preset
        groups.setdefault(preset, []).append(i)
        rows.append((info, extra))
    out: list[dict[str, float]] = [{}] * n
    for preset, index in groups.items():
        own = options if preset == env_preset else {}  # EMO_R3_PRESET_ARGS: of EMO_R3_PRESET
        results = _rubric(preset, own).score_batch(
            [solution_strs[i] for i in index],
            labels=[rows[i][0].label for i in index],
            label_set=[rows[i][0].label_set for i in index],
            caption=[rows[i][0].caption or rows[i][1].get("caption") or "" for i in index],
        )
        for i, result in zip(index, results, strict=True):
            parts = {k: (0.0 if v is None else v) for k, v in result.components.items()}
            out[i] = {"score": result.total, **parts}
    return out


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> dict[str, float]:
    """Score one response for verl; ``{"score": total, component: value, ...}``."""
    return compute_score_batch([data_source], [solution_str], [ground_truth], [extra_info])[0]
