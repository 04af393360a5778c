"""OpenRLHF python-file reward: pass this file's path to ``--reward.remote_url``.

OpenRLHF calls ``reward_func(queries, prompts, labels)`` (one sample per call, in a
worker thread) and expects ``{"rewards": Tensor, "scores": Tensor, "extra_logs":
{name: Tensor}}``. Queries are prompt + response; labels are JSON label fields
(:mod:`agents.common.labels`). No judge is available here (the policy is not reachable
from a reward file), so reflective components count 1 unless the preset brings its
own scorer; use the agent (``agents/openrlhf/agent.py``) for the paper's
self-reflection. Settings come from ``EMO_R3_*`` variables
(:mod:`agents.openrlhf.settings`).

Example:
    >>> from agents.openrlhf.reward_func import reward_func
    >>> r = "<step1>A storm</step1><step2>scared</step2><step3>negative</step3>\\\\boxed{fear}"
    >>> reward_func(["Q " + r], ["Q "], ['{"label": "fear"}'])["rewards"].tolist()
    [1.0]
"""

from __future__ import annotations

import threading
from typing import Any

from agents.common.scorer import RewardScorer
from agents.openrlhf.settings import Settings

__all__ = ["get_scorer", "reward_func"]

_SCORER: RewardScorer | None = None
_LOCK = threading.Lock()


def get_scorer() -> RewardScorer:
    """The module's scorer, built once from the ``EMO_R3_*`` variables."""
    global _SCORER
    with _LOCK:
        if _SCORER is None:
            s = Settings.from_env()
            _SCORER = RewardScorer(
                s.preset,
                preset_args=s.preset_args,
                label_set=s.label_set,
                image_roots=s.image_roots,
                dataset=s.dataset,
            )
        return _SCORER


def reward_func(queries: list[str], prompts: list[str], labels: list[Any], **kwargs) -> dict:
    """Score a batch the OpenRLHF way (tensors out)."""
    import torch

    scorer = get_scorer()
    with _LOCK:  # OpenRLHF calls from several threads; models and caches are not shared-safe
        out = scorer.score_requests(list(queries), list(prompts), list(labels))
    return {
        "rewards": torch.tensor(out["rewards"], dtype=torch.float32),
        "scores": torch.tensor(out["scores"], dtype=torch.float32),
        "extra_logs": {
            k: torch.tensor(v, dtype=torch.float32) for k, v in out["extra_logs"].items()
        },
    }
