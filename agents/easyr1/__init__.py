"""EasyR1 integration (hiyouga/EasyR1, the framework the EMO-R3 authors' code forks).

``agents/easyr1/reward.py`` is an EasyR1 batch reward function: point
``worker.reward.reward_function`` at ``path/to/agents/easyr1/reward.py:compute_score``.
"""

__all__: list[str] = []  # reward.py is the file EasyR1 loads; nothing is re-exported
