"""``emo-r3 train``: GRPO training with TRL on this machine, or an OpenRLHF Ray launch.

Example:
    emo-r3 train --max-steps 20 --output-dir runs/demo
    emo-r3 train --backend openrlhf --model Qwen/Qwen2.5-VL-3B-Instruct --output-dir runs/ray
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path

from agents.trl.config import DEFAULT_MODEL, FINETUNE, JUDGES, TrainConfig
from agents.trl.data import PROMPT_STYLES
from agents.trl.policy import DTYPES

__all__ = ["add_arguments", "config_from_args", "main", "run"]

_DEFAULTS = TrainConfig()


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the training flags to ``parser`` (shared by ``emo-r3 train`` and the example)."""
    d = _DEFAULTS
    a = parser.add_argument
    a("--backend", choices=("trl", "openrlhf"), default="trl", help="training backend")
    a("--model", default=DEFAULT_MODEL, help="hub id, local checkpoint dir, or 'smollm2'")
    a("--dataset", default=d.dataset, help="emo_env dataset (default: captions)")
    a("--preset", default=d.preset, help="reward preset (rewards.presets.names())")
    a("--judge", choices=JUDGES, default=d.judge, help="who answers the reflective questions")
    a("--num-generations", type=int, default=d.num_generations, help="GRPO group size G")
    a("--prompts-per-step", type=int, default=d.prompts_per_step, help="prompts per step")
    a("--max-steps", type=int, default=d.max_steps, help="optimiser steps")
    a("--max-completion-length", type=int, default=d.max_completion_length)
    a("--learning-rate", type=float, default=d.learning_rate)
    a("--warmup-steps", type=int, default=d.warmup_steps, help="learning-rate warm-up steps")
    a("--beta", type=float, default=d.beta, help="KL coefficient (paper: 0.01; 0: no ref pass)")
    a("--temperature", type=float, default=d.temperature)
    a("--template", choices=("set", "think"), default=d.template, help="answer format")
    a("--prompt-style", choices=PROMPT_STYLES, default=d.prompt_style, help="prompt style")
    a("--one-shot", action="store_true", help="worked example before the question (paper style)")
    a("--warm-start-steps", type=int, default=d.warm_start_steps, help="format SFT steps (0: off)")
    a("--warm-start-lr", type=float, default=d.warm_start_lr)
    a("--finetune", choices=FINETUNE, default=d.finetune, help="LoRA adapters or all weights")
    a("--lora-rank", type=int, default=d.lora_rank)
    a("--lora-layers", type=int, default=d.lora_layers, help="adapt the top N layers (0: all)")
    a("--dtype", choices=DTYPES, default=d.dtype, help="weight dtype (auto: bf16 where fast)")
    a("--device", choices=("auto", "cpu", "cuda"), default=d.device)
    a(
        "--max-minutes",
        type=float,
        default=d.max_minutes,
        help="wall-time budget of the run, evaluations included (0: no limit)",
    )
    a("--eval-samples", type=int, default=d.eval_samples, help="held-out prompts (0: all)")
    a("--eval-temperature", type=float, default=d.eval_temperature, help="0: greedy eval")
    a("--eval-steps", type=int, default=d.eval_steps, help="evaluate every N steps (0: ends)")
    a("--eval-before-warm-start", action="store_true", help="also evaluate the raw policy")
    a("--no-eval", action="store_true", help="skip held-out evaluation")
    a("--save-steps", type=int, default=d.save_steps, help="resumable checkpoint every N steps")
    a("--resume", default=None, help="checkpoint dir to resume from, or 'latest'")
    a("--output-dir", default=d.output_dir)
    a("--ray-address", default=None, help="openrlhf: Ray cluster address (ray job submit)")
    a("--prompt-data", default=None, help="openrlhf: prompt JSONL (default: OpenRLHF's)")
    a("--seed", type=int, default=d.seed)
    a("--threads", type=int, default=d.torch_threads, help="torch CPU threads (0: free cores)")
    a("--quiet", action="store_true", help="do not print the per-step table")
    return parser


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The :class:`TrainConfig` the parsed flags describe."""
    return TrainConfig(
        model=args.model,
        dataset=args.dataset,
        eval_split=None if args.no_eval else "test",
        eval_samples=args.eval_samples,
        eval_steps=args.eval_steps,
        eval_temperature=args.eval_temperature,
        eval_before_warm_start=args.eval_before_warm_start,
        preset=args.preset,
        judge=args.judge,
        template=args.template,
        prompt_style=args.prompt_style,
        one_shot=args.one_shot,
        warm_start_steps=args.warm_start_steps,
        warm_start_lr=args.warm_start_lr,
        finetune=args.finetune,
        lora_rank=args.lora_rank,
        lora_layers=args.lora_layers,
        dtype=args.dtype,
        device=args.device,
        max_minutes=args.max_minutes,
        num_generations=args.num_generations,
        prompts_per_step=args.prompts_per_step,
        max_steps=args.max_steps,
        max_completion_length=args.max_completion_length,
        learning_rate=args.learning_rate,
        warmup_steps=args.warmup_steps,
        beta=args.beta,
        temperature=args.temperature,
        output_dir=args.output_dir,
        seed=args.seed,
        save_steps=args.save_steps,
        resume_from_checkpoint=args.resume,
        print_table=not args.quiet,
        torch_threads=args.threads,
    )


def _run_openrlhf(args: argparse.Namespace) -> int:
    from agents.openrlhf.launcher import build_command

    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    options = {
        "pretrain": args.model,
        "n_samples_per_prompt": args.num_generations,
        "max_new_tokens": args.max_completion_length,
        "learning_rate": args.learning_rate,
        "kl_coef": args.beta,
        "temperature": args.temperature,
        "seed": args.seed,
        "save_path": str(out / "checkpoints"),
        "ckpt_path": str(out / "checkpoints" / "ckpt"),
        "ray_address": args.ray_address,
    }
    if args.prompt_data:
        options["prompt_data"] = args.prompt_data
    command = [str(c) for c in build_command(options)]
    text = shlex.join(command)
    path = out / "openrlhf_command.sh"
    path.write_text("#!/bin/sh\n" + text + "\n")
    print(f"OpenRLHF launch command (also written to {path}):\n{text}")
    import torch

    if not torch.cuda.is_available():
        print(
            "No CUDA GPU on this machine: OpenRLHF's Ray trainer needs GPUs and vLLM, so the "
            f"run stops here. Run {path} on a GPU cluster node.",
            file=sys.stderr,
        )
        return 3
    return subprocess.call(command)


_PHASES = (
    ("raw_eval", "untouched policy"),
    ("initial_eval", "before GRPO (after warm start)"),
    ("final_eval", "after GRPO"),
)


def print_report(summary: dict, output_dir: str | Path) -> None:
    """Print the held-out before/after table and where the files are."""
    files = summary["files"]
    print(f"\nDone: {summary['steps']} GRPO steps in {summary['train_runtime_s'] or 0:.0f} s.")
    rows = [(label, summary.get(key)) for key, label in _PHASES if summary.get(key)]
    if rows:
        n = rows[-1][1].get("n")
        print(f"Held-out evaluation ({n or 'all'} prompts of the test split):")
        print(f"  {'':32} {'accuracy':>9} {'format':>7} {'reward':>7}")
        for label, r in rows:
            acc, fmt = r.get("accuracy") or 0.0, r.get("format_rate") or 0.0
            print(f"  {label:32} {acc:>9.1%} {fmt:>7.1%} {r['reward']:>7.3f}")
        if len(rows) > 1 and summary.get("initial_eval") and summary.get("final_eval"):
            gain = (summary["final_eval"]["accuracy"] or 0) - (
                summary["initial_eval"]["accuracy"] or 0
            )
            print(f"  GRPO's own accuracy change: {gain * 100:+.1f} points")
    for key in ("metrics", "rollouts", "curve", "final"):
        print(f"  {key}: {files[key]}")
    print(f"  summary: {Path(output_dir) / 'summary.json'}")


def run(args: argparse.Namespace) -> int:
    """Run the sub-command; returns the exit status."""
    if args.backend == "openrlhf":
        return _run_openrlhf(args)
    import warnings

    from transformers.utils import logging as hf_logging

    from agents.trl.driver import build_trainer

    # transformers 5 renames gradient-checkpointing helpers that TRL still calls: the
    # FutureWarning repeats every step and buries the progress table.
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"transformers\.")
    hf_logging.disable_progress_bar()  # no "Loading weights" bars inside the table
    config = config_from_args(args)
    summary = build_trainer(config).train()
    print_report(summary, config.output_dir)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point (``python -m agents.train_cli``)."""
    from rewards.errors import EmoError

    parser = add_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    args = parser.parse_args(argv)
    try:
        return run(args)
    except EmoError as err:
        print(f"train: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
