"""OpenRLHF integration: the agent module, the reward-function file and the run.

* ``agents/openrlhf/agent.py`` — pass its path to ``--train.agent_func_path``; defines
  ``AgentExecutor``, which runs any registered Gymnasium text environment per rollout
  (``EmoReason-v0`` by default), with the policy as the environment's reflective judge
  through the rollout engine (:mod:`~agents.openrlhf.envs`, :mod:`~agents.openrlhf.judge`,
  :mod:`~agents.openrlhf.engine`).
* ``agents/openrlhf/reward_func.py`` — pass its path to ``--reward.remote_url`` for the
  python-file reward path.
* :mod:`agents.openrlhf.run` — ``prepare_run(...)``: the prompt data, the settings and
  the launch command of a run (``emo-r3 train --backend openrlhf``);
  :mod:`agents.openrlhf.launcher` — ``build_command(...)``, the
  ``openrlhf.cli.train_ppo_ray`` GRPO command (:mod:`agents.openrlhf.flags`).
* :mod:`agents.openrlhf.data` — ``write_prompt_dataset(...)`` turns an emo_env dataset
  into OpenRLHF's prompt JSONL (prompt, JSON label, image paths).

The agent and reward files are configured through ``EMO_R3_*`` environment variables
(:mod:`agents.openrlhf.settings`), since OpenRLHF builds them without arguments.
"""

__all__: list[str] = []  # the modules above are the API; nothing is re-exported
