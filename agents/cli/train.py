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
from agents.trl.config import DEFAULT_MODEL, JUDGES, TrainConfig
from rewards.errors import InvalidInputError
from rewards.prompts import TEMPLATES

__all__ = ["add_arguments", "config_from_args", "main", "run"]

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
    a("--dataset", default=d.dataset, help="emo_env dataset (default: embedded)")
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
        help="tokens per response (TRL 64, OpenRLHF 2048)",
    )
    a("--learning-rate", type=float, default=None, help="TRL 1e-5, OpenRLHF 2e-6")
    a("--beta", type=float, default=None, help="KL coefficient (paper: 0.01)")
    a("--temperature", type=float, default=None, help="rollout temperature (1.0)")
    a(
        "--template",
        choices=tuple(TEMPLATES),
        default=None,
        help="prompt template (default: set; OpenRLHF: reference for emo_r3_reference)",
    )
    a("--no-one-shot", action="store_true", help="no worked example before the question")
    a(
        "--max-minutes",
        type=float,
        default=d.max_minutes,
        help="TRL: stop after N minutes (0: no limit)",
    )
    a("--eval-samples", type=int, default=d.eval_samples, help="held-out prompts (0: all)")
    a("--eval-generations", type=int, default=d.eval_generations, help="samples per eval prompt")
    a("--eval-steps", type=int, default=d.eval_steps, help="evaluate every N steps (0: ends)")
    a("--no-eval", action="store_true", help="skip held-out evaluation")
    a("--save-steps", type=int, default=d.save_steps, help="checkpoint every N steps")
    a("--resume", default=None, help="checkpoint dir to resume from, or 'latest'")
    a("--output-dir", default=None, help=f"TRL: {d.output_dir}; OpenRLHF: runs/openrlhf")
    a("--seed", type=int, default=None)
    a("--threads", type=int, default=d.torch_threads, help="torch CPU threads (0: default)")
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
        dataset=args.dataset,
        eval_split=None if args.no_eval else "test",
        eval_samples=args.eval_samples,
        eval_steps=args.eval_steps,
        eval_generations=args.eval_generations,
        one_shot=not args.no_one_shot,
        max_minutes=args.max_minutes,
        max_steps=args.max_steps,
        save_steps=args.save_steps,
        resume_from_checkpoint=args.resume,
        print_table=not args.quiet,
        torch_threads=args.threads,
    )


def run(args: argparse.Namespace) -> int:
    """Run the sub-command; returns the exit status."""
    if args.backend == "openrlhf":
        return run_openrlhf(args)
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
