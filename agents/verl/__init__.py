"""verl adapter: the reward function verl calls, ``compute_score`` (and a batch form).

Point verl's ``custom_reward_function.path`` at ``agents/verl/reward.py`` (the file of
:mod:`agents.verl.reward`) with ``name: compute_score``, or ``compute_score_batch``
with verl's batch reward manager.

Example:
    >>> from agents.verl import compute_score
    >>> r = "<step1>A storm</step1><step2>scared</step2><step3>negative</step3>\\\\boxed{fear}"
    >>> compute_score("EmoSet", r, "fear")["score"]
    1.0
"""

from __future__ import annotations

from agents.verl.reward import compute_score, compute_score_batch, label_set_for

__all__ = ["compute_score", "compute_score_batch", "label_set_for"]
