"""The paper's SFT baseline: TRL's ``SFTTrainer`` on the same data and prompt as GRPO.

The policy is fine-tuned on prompt-completion pairs (:mod:`agents.trl.sft_data`: the
GRPO prompt, and a templated SET response with the gold label boxed); the loss is on
the completion only. The run writes the fine-tuned model (``model/``, loadable by
``emo-r3 eval --model``), ``metrics.jsonl`` (one record per logged step: loss,
learning rate, and eval loss where evaluated), ``targets_sample.jsonl`` (the first
prompt-target pairs, to read what was trained on) and ``sft_summary.json``.

Example:
    >>> from agents.trl.sft import SFTRunConfig, build_sft_trainer
    >>> run = build_sft_trainer(SFTRunConfig(max_steps=2))  # doctest: +SKIP
    >>> run.train()["final_train_loss"]  # doctest: +SKIP
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agents.trl.config import DEFAULT_MODEL
from rewards.errors import InvalidInputError, MissingDependencyError

__all__ = ["SFTRun", "SFTRunConfig", "build_sft_trainer"]


@dataclass
class SFTRunConfig:
    """Settings of an SFT run (defaults: a short run of the offline CPU demo policy).

    Attributes:
        model: hub id, local checkpoint or ``"smollm2"``.
        dataset: an ``emo_env.data`` source; ``train_split`` is trained on.
        eval_split: held-out split whose loss is logged (None: none).
        template: ``"set"`` or ``"reference"`` (the authors' prompt).
        epochs: passes over the data (when ``max_steps`` is 0).
        max_steps: optimiser steps (0: ``epochs`` decide).
        batch_size: samples per optimiser step.
        learning_rate: AdamW learning rate.
        max_length: longest tokenised prompt + completion (longer ones are cut).
        limit: train on the first ``limit`` rows only (0: all).
        output_dir: where the model and the files go.
        seed: random seed.
        torch_threads: torch CPU threads (0: torch's default).
        trainer_kwargs: extra :class:`trl.SFTConfig` fields.
    """

    model: str = DEFAULT_MODEL
    dataset: str = "embedded"
    train_split: str = "train"
    eval_split: str | None = "test"
    template: str = "set"
    epochs: float = 3.0
    max_steps: int = 0
    batch_size: int = 4
    learning_rate: float = 1e-5
    max_length: int = 1024
    limit: int = 0
    output_dir: str = "runs/sft"
    seed: int = 0
    torch_threads: int = 0
    trainer_kwargs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("max_steps", "limit", "torch_threads"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 0:
                raise InvalidInputError(f"{name} must be an integer >= 0.")
        for name in ("batch_size", "max_length"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise InvalidInputError(f"{name} must be a positive integer.")
        if not self.learning_rate > 0 or not self.epochs > 0:
            raise InvalidInputError("learning_rate and epochs must be > 0.")


@dataclass
class SFTRun:
    """A ready SFT run: the trainer, the policy and where files go."""

    trainer: Any
    policy: Any
    config: SFTRunConfig
    output_dir: Path

    def train(self) -> dict[str, Any]:
        """Train, save the model and the files; return the summary."""
        result = self.trainer.train()
        model_dir = self.output_dir / "model"
        self.trainer.save_model(str(model_dir))
        history = self.trainer.state.log_history
        records = [
            {k: v for k, v in r.items() if k in ("step", "epoch", "loss", "learning_rate",
                                                  "eval_loss", "grad_norm")}
            for r in history
            if "loss" in r or "eval_loss" in r
        ]  # fmt: skip
        metrics = self.output_dir / "metrics.jsonl"
        metrics.write_text("".join(json.dumps(r) + "\n" for r in records))
        losses = [r["loss"] for r in records if "loss" in r]
        evals = [r["eval_loss"] for r in records if "eval_loss" in r]
        summary = {
            "steps": self.trainer.state.global_step,
            "train_runtime_s": result.metrics.get("train_runtime"),
            "first_train_loss": losses[0] if losses else None,
            "final_train_loss": losses[-1] if losses else None,
            "final_eval_loss": evals[-1] if evals else None,
            "model_dir": str(model_dir),
            "files": {"metrics": str(metrics), "targets": str(self.output_dir / _SAMPLE)},
            "config": asdict(self.config),
            "model_source": self.policy.source,
        }
        (self.output_dir / "sft_summary.json").write_text(json.dumps(summary, indent=2))
        return summary


_SAMPLE = "targets_sample.jsonl"


def build_sft_trainer(config: SFTRunConfig | None = None, *, policy: Any = None) -> SFTRun:
    """Build TRL's ``SFTTrainer`` for the configured data and policy.

    Args:
        config: run settings.
        policy: an already loaded :class:`~agents.trl.policy.Policy`.
    """
    try:
        from trl import SFTConfig, SFTTrainer
    except ImportError as err:
        raise MissingDependencyError("trl", "train", "SFT") from err
    import torch
    from transformers import set_seed

    from agents.trl.data import load_split
    from agents.trl.policy import load_policy
    from agents.trl.sft_data import sft_dataset

    cfg = config or SFTRunConfig()
    if cfg.torch_threads:
        torch.set_num_threads(cfg.torch_threads)
    set_seed(cfg.seed)
    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    policy = policy or load_policy(cfg.model)
    train = sft_dataset(
        load_split(cfg.dataset, cfg.train_split), vlm=policy.is_vlm, template=cfg.template,
        limit=cfg.limit,
    )  # fmt: skip
    held_out = None
    if cfg.eval_split:
        data = load_split(cfg.dataset, cfg.eval_split)
        held_out = sft_dataset(data, vlm=policy.is_vlm, template=cfg.template)
    sample = train.select_columns(["prompt", "completion"]).select(range(min(5, len(train))))
    (out / _SAMPLE).write_text("".join(json.dumps(r) + "\n" for r in sample))
    args = SFTConfig(
        **{
            "output_dir": str(out),
            "per_device_train_batch_size": cfg.batch_size,
            "per_device_eval_batch_size": cfg.batch_size,
            "num_train_epochs": cfg.epochs,
            "max_steps": cfg.max_steps or -1,
            "learning_rate": cfg.learning_rate,
            "max_length": cfg.max_length,
            "logging_steps": 1,
            "eval_strategy": "epoch" if held_out is not None else "no",
            "save_strategy": "no",
            "report_to": "none",
            "seed": cfg.seed,
            "use_cpu": not torch.cuda.is_available(),
            "bf16": False,
            "dataloader_num_workers": 0,
            "remove_unused_columns": not policy.is_vlm,  # TRL reads the image column
            **cfg.trainer_kwargs,
        }
    )
    trainer = SFTTrainer(
        model=policy.model,
        args=args,
        train_dataset=train,
        eval_dataset=held_out,
        processing_class=policy.processing_class,
    )
    (out / "sft_config.json").write_text(json.dumps(asdict(cfg), indent=2, default=str))
    return SFTRun(trainer, policy, cfg, out)
