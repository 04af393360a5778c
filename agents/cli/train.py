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

from agents.trl.config import DEFAULT_MODEL, JUDGES, TrainConfig

__all__ = ["add_arguments", "config_from_args", "main", "run"]

_DEFAULTS = TrainConfig()


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the training flags to ``parser`` (shared by ``emo-r3 train`` and the example)."""
    d = _DEFAULTS
    a = parser.add_argument
    a("--backend", choices=("trl", "openrlhf"), default="trl", help="training backend")
    a("--model", default=DEFAULT_MODEL, help="hub id, local checkpoint dir, or 'smollm2'")
    a("--dataset", default=d.dataset, help="emo_env dataset (default: embedded)")
    a("--preset", default=d.preset, help="reward preset (rewards.presets.names())")
    a("--judge", choices=JUDGES, default=d.judge, help="who answers the reflective questions")
    a("--num-generations", type=int, default=d.num_generations, help="GRPO group size G")
    a("--prompts-per-step", type=int, default=d.prompts_per_step, help="prompts per step")
    a("--max-steps", type=int, default=d.max_steps, help="optimiser steps")
    a("--max-completion-length", type=int, default=d.max_completion_length)
    a("--learning-rate", type=float, default=d.learning_rate)
    a("--beta", type=float, default=d.beta, help="KL coefficient (paper: 0.01)")
    a("--temperature", type=float, default=d.temperature)
    a("--template", choices=("set", "think"), default=d.template, help="answer format")
    a("--no-one-shot", action="store_true", help="no worked example before the question")
    a(
        "--max-minutes",
        type=float,
        default=d.max_minutes,
        help="stop training after N minutes (0: no limit)",
    )
    a("--eval-samples", type=int, default=d.eval_samples, help="held-out prompts (0: all)")
    a("--eval-generations", type=int, default=d.eval_generations, help="samples per eval prompt")
    a("--eval-steps", type=int, default=d.eval_steps, help="evaluate every N steps (0: ends)")
    a("--no-eval", action="store_true", help="skip held-out evaluation")
    a("--save-steps", type=int, default=d.save_steps, help="checkpoint every N steps")
    a("--resume", default=None, help="checkpoint dir to resume from, or 'latest'")
    a("--output-dir", default=d.output_dir)
    a("--ray-address", default=None, help="openrlhf: Ray cluster address (ray job submit)")
    a("--prompt-data", default=None, help="openrlhf: prompt JSONL (default: OpenRLHF's)")
    a("--seed", type=int, default=d.seed)
    a("--threads", type=int, default=d.torch_threads, help="torch CPU threads (0: default)")
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
        eval_generations=args.eval_generations,
        preset=args.preset,
        judge=args.judge,
        template=args.template,
        one_shot=not args.no_one_shot,
        max_minutes=args.max_minutes,
        num_generations=args.num_generations,
        prompts_per_step=args.prompts_per_step,
        max_steps=args.max_steps,
        max_completion_length=args.max_completion_length,
        learning_rate=args.learning_rate,
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


def run(args: argparse.Namespace) -> int:
    """Run the sub-command; returns the exit status."""
    if args.backend == "openrlhf":
        return _run_openrlhf(args)
    import warnings

    from agents.trl.driver import build_trainer

    # transformers 5 renames gradient-checkpointing helpers that TRL still calls: the
    # FutureWarning repeats every step and buries the progress table.
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"transformers\.")
    config = config_from_args(args)
    summary = build_trainer(config).train()
    files = summary["files"]
    print(f"\nDone: {summary['steps']} steps in {summary['train_runtime_s'] or 0:.0f} s.")
    for name in ("initial_eval", "final_eval"):
        record = summary.get(name)
        if record:
            print(
                f"  {name.replace('_', ' ')}: reward {record['reward']:.3f}, "
                f"accuracy {record['accuracy'] or 0:.3f}, format {record['format_rate'] or 0:.3f}"
            )
    for key in ("metrics", "rollouts", "curve"):
        print(f"  {key}: {files[key]}")
    print(f"  summary: {Path(config.output_dir) / 'summary.json'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point (``python -m agents.cli.train``; ``examples/train_grpo.py``)."""
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
