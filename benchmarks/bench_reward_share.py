"""Share of a GRPO step spent computing rewards (goal: under 5%).

Usage:
    python benchmarks/bench_reward_share.py [--steps 6] [--preset emo_r3_offline]
    python benchmarks/bench_reward_share.py --from-metrics runs/learning_proof/metrics.jsonl

Trains the default policy (SmolLM2-135M-Instruct, offline) for a few GRPO steps through
``agents.trl.build_trainer``; the driver times every rubric pass and every optimiser
step (generation + reward + loss + update), and each metrics record carries
``reward_seconds`` / ``step_seconds`` = ``reward_share``. ``--from-metrics`` summarises
an existing run's metrics file instead of training. The first step is reported apart:
it includes loading the reward models (MiniLM), which later steps do not pay.
Results go to ``reward_share.json`` and ``reward_share.md`` (``--name`` changes that).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
from pathlib import Path


def summarise(records: list[dict]) -> dict:
    train = [r for r in records if r.get("split") == "train" and r.get("step_seconds")]
    if len(train) < 2:
        raise SystemExit("Need at least two logged train steps with timings.")
    later = train[1:]
    shares = [r["reward_share"] for r in later]
    return {
        "steps": len(train),
        "first_step": {
            "step_seconds": train[0]["step_seconds"],
            "reward_seconds": train[0]["reward_seconds"],
            "reward_share": train[0]["reward_share"],
        },
        "later_steps": {
            "mean_step_seconds": statistics.mean(r["step_seconds"] for r in later),
            "mean_reward_seconds": statistics.mean(r["reward_seconds"] for r in later),
            "mean_reward_share": statistics.mean(shares),
            "median_reward_share": statistics.median(shares),
            "max_reward_share": max(shares),
            "share_of_total_time": sum(r["reward_seconds"] for r in later)
            / sum(r["step_seconds"] for r in later),
        },
    }


def run_training(args) -> tuple[list[dict], dict]:
    from agents.common.jsonl import read_jsonl
    from agents.trl import TrainConfig, build_trainer

    out = Path(tempfile.mkdtemp(prefix="bench_reward_share_"))
    cfg = TrainConfig(
        model=args.model,
        preset=args.preset,
        max_steps=args.steps,
        eval_split=None,
        max_completion_length=args.max_completion_length,
        num_generations=args.num_generations,
        prompts_per_step=args.prompts_per_step,
        output_dir=str(out),
        print_table=False,
        max_minutes=0.0,
    )
    rubric = None
    if args.embedding_model or args.device:
        from rewards import presets

        rubric = presets.get(args.preset, embedding_model=args.embedding_model, device=args.device)
    build_trainer(cfg, rubric=rubric).train()
    return read_jsonl(out / "metrics.jsonl"), cfg.as_dict()


def _machine() -> str:
    try:
        import torch

        if torch.cuda.is_available():
            return f"{torch.cuda.get_device_name(0)}, torch {torch.__version__}"
    except ImportError:
        pass
    from machine import cpu_name

    return f"{cpu_name()}, {os.cpu_count()} CPU cores (shared), Python {platform.python_version()}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--model", default="smollm2")
    p.add_argument("--preset", default="emo_r3_offline")
    p.add_argument("--max-completion-length", type=int, default=64)
    p.add_argument("--num-generations", type=int, default=4, help="GRPO group size G")
    p.add_argument("--prompts-per-step", type=int, default=2)
    p.add_argument("--embedding-model", default=None, help="MiniLM dir for emo_r3_offline")
    p.add_argument("--device", default=None, help="reward models' device (default: auto)")
    p.add_argument("--from-metrics", default=None, help="summarise this metrics.jsonl")
    p.add_argument("--out", default="benchmarks/results")
    p.add_argument("--name", default="reward_share")
    p.add_argument("--note", default="", help="free text for the report (e.g. machine load)")
    args = p.parse_args()

    if args.from_metrics:
        from agents.common.jsonl import read_jsonl

        records = read_jsonl(args.from_metrics)
        cfg_path = Path(args.from_metrics).with_name("train_config.json")
        config = json.loads(cfg_path.read_text()) if cfg_path.is_file() else {}
        source = args.from_metrics
    else:
        records, config = run_training(args)
        source = "fresh run"
    result = {
        "source": source,
        "machine": _machine(),
        "note": args.note,
        "config": {
            k: config.get(k)
            for k in (
                "model",
                "preset",
                "num_generations",
                "prompts_per_step",
                "max_completion_length",
            )
        },
        **summarise(records),
        "goal": "reward share of a step < 5%",
    }
    later = result["later_steps"]
    result["goal_met"] = later["share_of_total_time"] < 0.05
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{args.name}.json").write_text(json.dumps(result, indent=2))
    first = result["first_step"]
    md = [
        f"# Reward share of a GRPO step ({result['machine']})",
        "",
        f"Source: {source}. Config: {result['config']}. {args.note}",
        "",
        "| | step s | reward s | reward share |",
        "|---|---:|---:|---:|",
        f"| first step (may load reward models) | {first['step_seconds']:.1f} | "
        f"{first['reward_seconds']:.2f} | {first['reward_share']:.1%} |",
        f"| later steps, mean of {result['steps'] - 1} | {later['mean_step_seconds']:.1f} | "
        f"{later['mean_reward_seconds']:.2f} | {later['mean_reward_share']:.2%} |",
        "",
        f"Later steps: median share {later['median_reward_share']:.2%}, max "
        f"{later['max_reward_share']:.2%}, share of total time "
        f"{later['share_of_total_time']:.2%} (goal < 5%: "
        f"{'met' if result['goal_met'] else 'NOT met'}).",
    ]
    (out / f"{args.name}.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
