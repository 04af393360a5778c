"""``emo-r3 train``: GRPO training with TRL on this machine, or an OpenRLHF Ray launch.

Flags left unset take the backend's defaults: the offline CPU demo for TRL
(:class:`agents.trl.config.TrainConfig`), the paper's settings for OpenRLHF
(:class:`agents.openrlhf.launcher.LaunchConfig`: Qwen2.5-VL-3B, lr 2e-6, G = 8,
2048 new tokens, 256 prompts per optimiser step, rollouts of 512 prompts, 20 epochs).

Example:
    emo-r3 train --max-steps 20 --output-dir runs/demo
    emo-r3 train --backend openrlhf --preset emo_r3_reference --output-dir runs/ray
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agents.cli.train_openrlhf import add_openrlhf_arguments, run_openrlhf
from agents.common.prompts import PROMPT_STYLES
from agents.trl.config import DEFAULT_MODEL, FINETUNE, JUDGES, SCALE_REWARDS, TrainConfig
from agents.trl.policy import DTYPES
from rewards.errors import InvalidInputError
from rewards.prompts import TEMPLATES

__all__ = ["add_arguments", "config_from_args", "main", "print_report", "run"]

_DEFAULTS = TrainConfig()
# flags whose default depends on the backend (None = "not given")
_SHARED = (
    "model",
    "preset",
    "judge",
    "template",
    "num_generations",
    "prompts_per_step",
    "max_completion_length",
    "learning_rate",
    "beta",
    "temperature",
    "seed",
    "output_dir",
)


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the training flags to ``parser`` (shared by ``emo-r3 train`` and the example)."""
    d = _DEFAULTS
    a = parser.add_argument
    a("--backend", choices=("trl", "openrlhf"), default="trl", help="training backend")
    a(
        "--model",
        default=None,
        help=f"hub id or local dir (TRL: {DEFAULT_MODEL}; OpenRLHF: Qwen2.5-VL-3B-Instruct)",
    )
    a("--dataset", default=None, help="emo_env dataset (TRL: captions; OpenRLHF: embedded)")
    a("--preset", default=None, help="reward preset (TRL: emo_r3_offline; OpenRLHF: emo_r3_paper)")
    a(
        "--judge",
        choices=JUDGES,
        default=None,
        help="who answers the reflective questions (TRL: preset; OpenRLHF: policy)",
    )
    a("--num-generations", type=int, default=None, help="GRPO group size G (TRL 4, OpenRLHF 8)")
    a(
        "--prompts-per-step",
        type=int,
        default=None,
        help="prompts per optimiser step (TRL 2, OpenRLHF 256)",
    )
    a("--max-steps", type=int, default=d.max_steps, help="TRL: optimiser steps")
    a(
        "--max-completion-length",
        type=int,
        default=None,
        help="tokens per response (TRL 72, OpenRLHF 2048)",
    )
    a("--learning-rate", type=float, default=None, help="TRL 2e-4 (LoRA), OpenRLHF 2e-6")
    a(
        "--beta",
        type=float,
        default=None,
        help="KL coefficient (paper 0.01; TRL 0: no reference pass)",
    )
    a("--temperature", type=float, default=None, help="rollout temperature (1.0)")
    a(
        "--scale-rewards",
        choices=SCALE_REWARDS,
        default=d.scale_rewards,
        help="TRL: advantage scaling (group: the paper's GRPO; batch: batch std)",
    )
    a(
        "--template",
        choices=tuple(TEMPLATES),
        default=None,
        help="prompt template (default: set; OpenRLHF: reference for emo_r3_reference)",
    )
    a(
        "--one-shot",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a worked example before each question (paper prompt style, text policies)",
    )
    a("--prompt-style", choices=PROMPT_STYLES, default=d.prompt_style, help="TRL prompt style")
    a("--warm-start-steps", type=int, default=d.warm_start_steps, help="format SFT steps (0: off)")
    a("--warm-start-lr", type=float, default=d.warm_start_lr)
    a("--finetune", choices=FINETUNE, default=d.finetune, help="LoRA adapters or all weights")
    a("--lora-rank", type=int, default=d.lora_rank)
    a("--lora-layers", type=int, default=d.lora_layers, help="adapt the top N layers (0: all)")
    a("--warmup-steps", type=int, default=d.warmup_steps, help="learning-rate warm-up steps")
    a("--dtype", choices=DTYPES, default=d.dtype, help="weight dtype (auto: bf16 where fast)")
    a("--device", choices=("auto", "cpu", "cuda"), default=d.device)
    a(
        "--max-minutes",
        type=float,
        default=d.max_minutes,
        help="TRL: wall-time budget of the run, evaluations included (0: no limit)",
    )
    a("--eval-samples", type=int, default=d.eval_samples, help="held-out prompts (0: all)")
    a("--eval-temperature", type=float, default=d.eval_temperature, help="0: greedy eval")
    a("--eval-steps", type=int, default=d.eval_steps, help="evaluate every N steps (0: ends)")
    a("--eval-before-warm-start", action="store_true", help="also evaluate the raw policy")
    a("--no-eval", action="store_true", help="skip held-out evaluation")
    a("--save-steps", type=int, default=d.save_steps, help="checkpoint every N steps")
    a("--resume", default=None, help="checkpoint dir to resume from, or 'latest'")
    a("--output-dir", default=None, help=f"TRL: {d.output_dir}; OpenRLHF: runs/openrlhf")
    a("--seed", type=int, default=None)
    a("--threads", type=int, default=d.torch_threads, help="torch CPU threads (0: the free cores)")
    a("--quiet", action="store_true", help="do not print the per-step table")
    add_openrlhf_arguments(parser)
    return parser


def _pick(value, default):
    return default if value is None else value


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The :class:`TrainConfig` the parsed flags describe (TRL backend)."""
    d = _DEFAULTS
    shared = {name: _pick(getattr(args, name), getattr(d, name)) for name in _SHARED}
    shared["model"] = args.model or DEFAULT_MODEL
    if args.preset_arg:
        raise InvalidInputError(
            "--preset-arg is an OpenRLHF-backend flag; the TRL backend takes --preset and "
            "--judge only."
        )
    return TrainConfig(
        **shared,
        dataset=args.dataset or d.dataset,
        eval_split=None if args.no_eval else "test",
        eval_samples=args.eval_samples,
        eval_steps=args.eval_steps,
        eval_temperature=args.eval_temperature,
        eval_before_warm_start=args.eval_before_warm_start,
        one_shot=bool(args.one_shot),
        prompt_style=args.prompt_style,
        warm_start_steps=args.warm_start_steps,
        warm_start_lr=args.warm_start_lr,
        finetune=args.finetune,
        lora_rank=args.lora_rank,
        lora_layers=args.lora_layers,
        warmup_steps=args.warmup_steps,
        scale_rewards=args.scale_rewards,
        dtype=args.dtype,
        device=args.device,
        max_minutes=args.max_minutes,
        max_steps=args.max_steps,
        save_steps=args.save_steps,
        resume_from_checkpoint=args.resume,
        print_table=not args.quiet,
        torch_threads=args.threads,
    )


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
        if summary.get("initial_eval") and summary.get("final_eval"):
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
        return run_openrlhf(args)
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
