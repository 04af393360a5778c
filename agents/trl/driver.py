"""Build and run a TRL ``GRPOTrainer`` on an emo_env dataset with a reward preset.

Example:
    >>> from agents.trl import TrainConfig, build_trainer
    >>> run = build_trainer(TrainConfig(max_steps=2))  # doctest: +SKIP
    >>> summary = run.train()  # doctest: +SKIP
    >>> summary["final_eval"]["accuracy"]  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.trl.config import TrainConfig
from agents.trl.data import load_split, prompt_dataset
from agents.trl.policy import Policy, load_policy
from agents.trl.scoring import RubricRewards
from rewards import presets
from rewards.errors import MissingDependencyError
from rewards.rubric import Rubric

__all__ = ["GRPORun", "build_rubric", "build_trainer", "policy_judge"]


def policy_judge(policy: Policy) -> Any:
    """A judge that asks the policy being trained (its current weights) the questions."""
    from rewards.models import PolicyJudge

    return PolicyJudge(policy.model, policy.processing_class)


def build_rubric(preset: str, judge: Any = "preset", policy: Policy | None = None) -> Rubric:
    """The preset's rubric with the chosen judge (see :data:`agents.trl.config.JUDGES`).

    ``judge`` is a mode (``"preset"``, ``"none"``, ``"policy"``: the policy being
    trained answers) or a judge callable, resolved by :func:`rewards.presets.resolve_judge`.
    """
    ask_policy = None if policy is None else (lambda: policy_judge(policy))
    return presets.build(preset, judge=presets.resolve_judge(judge, policy=ask_policy))


@dataclass
class GRPORun:
    """A ready GRPO run: the trainer, its rewards and recorder, and where files go."""

    trainer: Any
    rewards: RubricRewards
    recorder: Any
    policy: Policy
    config: TrainConfig
    output_dir: Path
    summary: dict[str, Any] = field(default_factory=dict)

    def evaluate(self) -> dict[str, Any] | None:
        """Evaluate on the held-out prompts; returns (and records) the eval record."""
        if self.trainer.eval_dataset is None:
            return None
        from agents.trl.callbacks import record_from_logs

        logs = self.trainer.evaluate()
        step = self.trainer.state.global_step
        return record_from_logs(logs, self.rewards.names, step, "eval_")

    def train(self) -> dict[str, Any]:
        """Evaluate, train (resuming if asked), evaluate again; write files; return a summary."""
        cfg = self.config
        resume: str | bool | None = cfg.resume_from_checkpoint
        if resume == "latest":
            resume = True
        before = None if resume else self.evaluate()
        result = self.trainer.train(resume_from_checkpoint=resume)
        after = self.evaluate()
        self.recorder.finish()
        train_records = [r for r in self.recorder.records if r["split"] == "train"]
        shares = [r["reward_share"] for r in train_records if r.get("reward_share") is not None]
        self.summary = {
            "steps": self.trainer.state.global_step,
            "train_runtime_s": result.metrics.get("train_runtime"),
            "initial_eval": before,
            "final_eval": after,
            "mean_reward_share": sum(shares) / len(shares) if shares else None,
            "files": {
                "metrics": str(self.recorder.metrics_path),
                "rollouts": str(self.recorder.rollouts_path),
                "curve": str(self.recorder.curve_path),
            },
            "config": cfg.as_dict(),
            "model_source": self.policy.source,
        }
        (self.output_dir / "summary.json").write_text(json.dumps(self.summary, indent=2))
        return self.summary


def _quiet_progress(trainer: Any) -> None:
    """Keep the tqdm bar but drop its raw log-dict printing (the recorder prints a table)."""
    from transformers.trainer_callback import ProgressCallback

    class _Progress(ProgressCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            return None

    if trainer.pop_callback(ProgressCallback) is not None:
        trainer.add_callback(_Progress())


def _grpo_args(cfg: TrainConfig, out: Path, has_eval: bool):
    import torch
    from trl import GRPOConfig

    batch = cfg.prompts_per_step * cfg.num_generations
    save_steps = cfg.save_steps or cfg.max_steps
    kwargs: dict[str, Any] = {
        "output_dir": str(out),
        "per_device_train_batch_size": batch,
        "per_device_eval_batch_size": batch,
        "gradient_accumulation_steps": 1,
        "num_generations": cfg.num_generations,
        "num_generations_eval": cfg.eval_generations,
        "max_completion_length": cfg.max_completion_length,
        "learning_rate": cfg.learning_rate,
        "beta": cfg.beta,
        "temperature": cfg.temperature,
        "max_steps": cfg.max_steps,
        "logging_steps": 1,
        "save_strategy": "steps",
        "save_steps": save_steps,
        "save_total_limit": 2,
        "eval_strategy": "steps" if has_eval and cfg.eval_steps else "no",
        "eval_steps": cfg.eval_steps or None,
        "report_to": "none",
        "seed": cfg.seed,
        "data_seed": cfg.seed,
        "use_cpu": not torch.cuda.is_available(),
        "bf16": False,
        "remove_unused_columns": False,
        "dataloader_num_workers": 0,
        "log_completions": False,
    }
    kwargs.update(cfg.trainer_kwargs)
    return GRPOConfig(**kwargs)


def build_trainer(
    config: TrainConfig | None = None,
    *,
    train_dataset: Any = None,
    eval_dataset: Any = None,
    rubric: Rubric | None = None,
    policy: Policy | None = None,
    callbacks: Sequence[Any] = (),
    env: Any = None,
) -> GRPORun:
    """Build a TRL ``GRPOTrainer`` for an emo_env dataset and a reward preset.

    Each rubric component becomes its own TRL reward function (logged as
    ``rewards/<name>/mean``) weighted by ``reward_weights``; one rubric pass per batch
    serves them all. The dataset's ``image``, ``label``, ``label_set`` and ``caption``
    columns reach the rewards.

    Args:
        config: run settings (defaults: the offline CPU demo).
        train_dataset: rows to train on (default: ``config.dataset``/``train_split``).
        eval_dataset: held-out rows (default: ``config.eval_split``; None to skip when
            ``config.eval_split`` is None).
        rubric: the reward rubric (default: ``config.preset`` with ``config.judge``).
        policy: an already loaded policy (default: ``load_policy(config.model)``).
        callbacks: extra ``transformers.TrainerCallback`` objects.
        env: an emo_env environment (e.g. ``gym.make("EmoReason-v0")``); its dataset
            and rubric are used unless ``train_dataset`` / ``rubric`` are given
            (``EmoReflect-v0``: its preset with ``config.judge`` as the judge, the
            policy by default; see :mod:`agents.trl.envs`).

    Returns:
        A :class:`GRPORun`; call ``.train()``.
    """
    try:
        from trl import GRPOTrainer
    except ImportError as err:
        raise MissingDependencyError("trl", "train", "GRPO training") from err
    from transformers import set_seed

    from agents.trl.callbacks import GRPORecorder, TimeLimit

    cfg = config or TrainConfig()
    if cfg.torch_threads:
        import torch

        torch.set_num_threads(cfg.torch_threads)
    set_seed(cfg.seed)
    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    policy = policy or load_policy(cfg.model)
    if env is not None:  # EmoReflect's rubric gets a judge that answers (agents.trl.envs)
        from agents.trl.envs import env_parts

        env_data, env_rubric = env_parts(env, cfg.judge, policy, need_rubric=rubric is None)
        train_dataset = env_data if train_dataset is None else train_dataset
        rubric = env_rubric if rubric is None else rubric
    if train_dataset is None:
        train_dataset = load_split(cfg.dataset, cfg.train_split)
    if eval_dataset is None and cfg.eval_split:
        eval_dataset = load_split(cfg.dataset, cfg.eval_split)
    shot = cfg.one_shot and not policy.is_vlm and cfg.template == "set"
    train_ds = prompt_dataset(
        train_dataset, vlm=policy.is_vlm, template=cfg.template, one_shot=shot
    )
    eval_ds = None
    if eval_dataset is not None:
        eval_ds = prompt_dataset(
            eval_dataset,
            vlm=policy.is_vlm,
            template=cfg.template,
            limit=cfg.eval_samples,
            one_shot=shot,
        )
    rubric = rubric or build_rubric(cfg.preset, cfg.judge, policy)
    shared = RubricRewards(rubric)
    args = _grpo_args(cfg, out, eval_ds is not None)
    args.reward_weights = shared.weights()
    extra = [TimeLimit(cfg.max_minutes)] if cfg.max_minutes else []
    recorder = GRPORecorder(
        shared,
        out,
        print_table=cfg.print_table,
        rollouts_per_step=cfg.rollouts_per_step,
        title=f"GRPO {Path(policy.source).name} / {rubric.__name__}",
        append=bool(cfg.resume_from_checkpoint),
    )
    trainer = GRPOTrainer(
        model=policy.model,
        reward_funcs=shared.functions(),
        args=args,
        train_dataset=train_ds,
        eval_dataset=eval_ds,
        processing_class=policy.processing_class,
        callbacks=[recorder, *extra, *callbacks],
    )
    _quiet_progress(trainer)
    (out / "train_config.json").write_text(json.dumps(cfg.as_dict(), indent=2, default=str))
    return GRPORun(trainer, shared, recorder, policy, cfg, out)
