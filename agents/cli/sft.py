"""``emo-r3 sft``: the paper's SFT baseline with TRL's SFTTrainer (same data and prompt).

Example:
    emo-r3 sft --model path/to/Qwen2.5-VL-3B-Instruct --dataset emoset-r3:/data/EmoSet2k \\
        --template reference --output-dir runs/sft
    emo-r3 eval --model runs/sft/model ...   # the SFT row of the table
"""

from __future__ import annotations

import argparse

from agents.trl.config import DEFAULT_MODEL
from rewards.prompts import TEMPLATES, template_format

__all__ = ["add_arguments", "config_from_args", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the SFT flags to ``parser``."""
    from agents.trl.sft import SFTRunConfig

    d = SFTRunConfig()
    a = parser.add_argument
    a("--model", default=DEFAULT_MODEL, help="hub id, local checkpoint dir, or 'smollm2'")
    a("--dataset", default=d.dataset, help="emo_env dataset (default: embedded)")
    a("--split", default=d.train_split, help="split trained on")
    a("--eval-split", default=d.eval_split, help="held-out split whose loss is logged")
    a("--no-eval", action="store_true", help="no held-out loss")
    sets = [t for t in TEMPLATES if template_format(t) == "set"]
    a("--template", choices=sets, default=d.template, help="prompt template")
    a("--epochs", type=float, default=d.epochs, help="passes over the data")
    a("--max-steps", type=int, default=d.max_steps, help="optimiser steps (0: --epochs)")
    a("--batch-size", type=int, default=d.batch_size)
    a("--learning-rate", type=float, default=d.learning_rate)
    a("--max-length", type=int, default=d.max_length, help="tokens of prompt + target")
    a("--limit", type=int, default=d.limit, help="train on the first N rows (0: all)")
    a("--output-dir", default=d.output_dir)
    a("--seed", type=int, default=d.seed)
    a("--threads", type=int, default=d.torch_threads, help="torch CPU threads (0: default)")
    return parser


def config_from_args(args: argparse.Namespace):
    """The :class:`~agents.trl.sft.SFTRunConfig` the parsed flags describe."""
    from agents.trl.sft import SFTRunConfig

    return SFTRunConfig(
        model=args.model,
        dataset=args.dataset,
        train_split=args.split,
        eval_split=None if args.no_eval else args.eval_split,
        template=args.template,
        epochs=args.epochs,
        max_steps=args.max_steps,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        max_length=args.max_length,
        limit=args.limit,
        output_dir=args.output_dir,
        seed=args.seed,
        torch_threads=args.threads,
    )


def run(args: argparse.Namespace) -> int:
    """Train and print where everything went."""
    import warnings

    from agents.trl.sft import build_sft_trainer

    warnings.filterwarnings("ignore", category=FutureWarning, module=r"transformers\.")
    summary = build_sft_trainer(config_from_args(args)).train()
    loss = summary["final_train_loss"]
    print(f"\nDone: {summary['steps']} SFT steps, final train loss {loss:.4f}.")
    if summary["final_eval_loss"] is not None:
        print(f"  held-out loss: {summary['final_eval_loss']:.4f}")
    print(f"  model:   {summary['model_dir']}  (evaluate it with emo-r3 eval --model ...)")
    for key, path in summary["files"].items():
        print(f"  {key}: {path}")
    return 0
