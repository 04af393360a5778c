"""OpenRLHF integration: the agent module, the reward-function file and the launcher.

* ``agents/openrlhf/agent.py`` — pass its path to ``--train.agent_func_path``; defines
  ``AgentExecutor`` (EmoReason per prompt, reflective questions asked to the policy
  through the rollout engine).
* ``agents/openrlhf/reward_func.py`` — pass its path to ``--reward.remote_url`` for the
  python-file reward path.
* :mod:`agents.openrlhf.launcher` — ``build_command(...)`` writes the
  ``openrlhf.cli.train_ppo_ray`` GRPO command for the installed OpenRLHF version.
* :mod:`agents.openrlhf.data` — ``write_prompt_dataset(...)`` turns an emo_env dataset
  into OpenRLHF's prompt JSONL (prompt, JSON label, image paths).

The agent and reward files are configured through ``EMO_R3_*`` environment variables
(:mod:`agents.openrlhf.settings`), since OpenRLHF builds them without arguments.
"""

__all__: list[str] = []  # the modules above are the API; nothing is re-exported
