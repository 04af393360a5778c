"""emo-r3 agents: training drivers, framework adapters, the reward server and the CLI.

Laid out by concern, so a new piece has one obvious home:

* ``agents/cli/``: command-line entry points, one module per ``emo-r3`` sub-command
  (train, serve, eval, score, table, demo);
* ``agents/common/``: what the server and the adapters share (label fields, responses
  cut from queries, image references, the request scorer, JSONL files, curve plots);
* ``agents/serve/``: the reward server (config, app, request checks, micro-batching,
  uvicorn runners);
* one folder per framework adapter: ``agents/trl/`` (GRPO driver and its TRL-only
  helpers), ``agents/openrlhf/`` (agent, reward file, launcher), ``agents/verl/``
  (``compute_score``);
* ``agents/evaluation/``: the evaluation harness (generate, score, summarise, tabulate).

Heavy libraries (trl, openrlhf, uvicorn) are imported by the modules that use them.
"""
