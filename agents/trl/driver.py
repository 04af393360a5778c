"""Build and run a TRL ``GRPOTrainer`` on an emo_env dataset with a reward preset.

Example:
    >>> from agents.trl import TrainConfig, build_trainer
    >>> run = build_trainer(TrainConfig(max_steps=2))  # doctest: +SKIP
    >>> summary = run.train()  # doctest: +SKIP
    >>> summary["final_eval"]["accuracy"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.common.atomic import write_json
from agents.common.prompts import RUN_FILE, PromptSettings, write_run_settings
from agents.trl.config import TrainConfig
from agents.trl.data import load_split, prompt_dataset
from agents.trl.policy import Policy, load_policy
from agents.trl.scoring import RubricRewards
from rewards import presets
from rewards.errors import InvalidInputError, MissingDependencyError
from rewards.rubric import Rubric

__all__ = [
    "RUN_FILE",
    "GRPORun",
    "build_rubric",
    "build_trainer",
    "policy_judge",
    "save_final",
    "sync_reference_adapter",
]


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
    """A ready GRPO run: the trainer, its rewards, recorder and evaluator, and where files go."""

    trainer: Any
    rewards: RubricRewards
    recorder: Any
    policy: Policy
    config: TrainConfig
    output_dir: Path
    heldout: Any = None
    summary: dict[str, Any] = field(default_factory=dict)

    def evaluate(self, phase: str | None = None) -> dict[str, Any] | None:
        """Evaluate on every held-out prompt; records and returns the eval record."""
        if self.heldout is None:
            return None
        record = self.heldout(self.trainer.state.global_step)
        if phase:
            record["phase"] = phase
        self.recorder.log_record(record, samples=self.heldout.samples)
        return record

    def _say(self, text: str) -> None:
        if self.config.print_table:
            print(text, flush=True)

    def warm_start(self) -> dict[str, Any]:
        """The format warm start (:func:`agents.trl.warmstart.warm_start`) on this policy."""
        from agents.trl.warmstart import warm_start

        cfg = self.config
        label_set = "mikels8"
        if len(self.trainer.train_dataset):
            label_set = self.trainer.train_dataset[0]["label_set"]
        report = warm_start(
            self.policy.model,
            self.policy.tokenizer,
            steps=cfg.warm_start_steps,
            learning_rate=cfg.warm_start_lr,
            style=cfg.prompt_style,
            label_set=label_set,
            seed=cfg.seed,
        )
        sync_reference_adapter(self.trainer.model)
        return report

    def train(self) -> dict[str, Any]:
        """Warm start, evaluate, train (resuming if asked), evaluate; write files; summary.

        The held-out evaluation after the warm start is the "before GRPO" point, so the
        gain GRPO itself brings is ``final_eval - initial_eval``. With
        ``eval_before_warm_start`` the untouched policy is evaluated first as well.
        """
        cfg = self.config
        resume: str | bool | None = cfg.resume_from_checkpoint
        if resume == "latest":
            resume = True
        from agents.trl.callbacks import TimeLimit

        raw = warm = before = None
        limit = next(
            (c for c in self.trainer.callback_handler.callbacks if isinstance(c, TimeLimit)), None
        )
        if limit is not None:
            limit.start()  # --max-minutes bounds the whole run, evaluations included
        if not resume:
            if cfg.eval_before_warm_start and cfg.warm_start_steps:
                self._say("Evaluating the untouched policy on the held-out split...")
                raw = self.evaluate("before warm start")
            if cfg.warm_start_steps:
                self._say(f"Format warm start: {cfg.warm_start_steps} supervised steps...")
                warm = self.warm_start()
                self._say(
                    f"  done in {warm['seconds']:.0f} s (loss {warm['first_loss']:.2f} "
                    f"-> {warm['last_loss']:.2f})."
                )
            if self.heldout is not None:
                n = len(getattr(self.heldout, "prompts", ())) or "the"
                self._say(f"Evaluating on {n} held-out prompts...")
            before = self.evaluate("before GRPO")
        if limit is not None and before is not None:
            limit.reserve_seconds = 1.2 * before["eval_seconds"]  # room for the final one
        result = self.trainer.train(resume_from_checkpoint=resume)
        after = self.evaluate("after GRPO")
        self.recorder.finish()
        final_dir = save_final(self)
        train_records = [r for r in self.recorder.records if r["split"] == "train"]
        shares = [r["reward_share"] for r in train_records if r.get("reward_share") is not None]
        steps = [r["step_seconds"] for r in train_records if r.get("step_seconds") is not None]
        self.summary = {
            "steps": self.trainer.state.global_step,
            "train_runtime_s": result.metrics.get("train_runtime"),
            "mean_step_seconds": sum(steps) / len(steps) if steps else None,
            "warm_start": warm,
            "raw_eval": raw,
            "initial_eval": before,
            "final_eval": after,
            "evals": [r for r in self.recorder.records if r["split"] == "eval"],
            "mean_reward_share": sum(shares) / len(shares) if shares else None,
            "files": {
                "metrics": str(self.recorder.metrics_path),
                "rollouts": str(self.recorder.rollouts_path),
                "curve": str(self.recorder.curve_path),
                "final": str(final_dir),
            },
            "config": cfg.as_dict(),
            "model_source": self.policy.source,
        }
        write_json(self.output_dir / "summary.json", self.summary)
        return self.summary


def sync_reference_adapter(model: Any) -> bool:
    """Make TRL's frozen ``ref`` LoRA adapter (KL reference, beta > 0) equal ``default``.

    TRL copies the adapter into ``ref`` when the trainer is built, before the warm start;
    copying it again afterwards makes the KL term pull towards the warm-started policy
    (which writes the format), not towards the untouched model. Returns whether a ``ref``
    adapter was there.
    """
    if "ref" not in getattr(model, "peft_config", {}):
        return False
    import torch

    with torch.no_grad():
        for name, param in model.named_parameters():
            if ".default." in name:
                model.get_parameter(name.replace(".default.", ".ref.")).copy_(param)
    return True


def save_final(run: GRPORun) -> Path:
    """Save what a user needs: the LoRA adapter (or the full weights), tokenizer, run config.

    No optimizer state (``--save-steps`` checkpoints keep it for resuming). The run's
    prompt settings go to ``emo_r3_run.json``, which ``emo-r3 eval`` reads so it asks the
    same prompts as training.
    """
    final = run.output_dir / "final"
    final.mkdir(parents=True, exist_ok=True)
    run.policy.model.save_pretrained(final)
    run.policy.processing_class.save_pretrained(final)
    cfg = run.config
    settings = PromptSettings(
        template=cfg.template,
        one_shot=cfg.one_shot,
        prompt_style="paper" if run.policy.is_vlm else cfg.prompt_style,
        caption_in_prompt=not run.policy.is_vlm,
        preset=cfg.preset,
        max_completion_length=cfg.max_completion_length,
    )
    extra = {"base_model": run.policy.source, "adapter": cfg.finetune == "lora"}
    write_run_settings(final, settings, **extra, dataset=cfg.dataset)
    return final


class TRLEval:
    """Held-out evaluation through TRL's ``trainer.evaluate()`` (vision-language policies).

    TRL samples ``num_generations`` completions per prompt at the training temperature.
    """

    def __init__(self, trainer: Any, rewards: RubricRewards):
        self.trainer, self.rewards = trainer, rewards
        self.samples: list[dict[str, Any]] = []

    def __call__(self, step: int) -> dict[str, Any]:
        from agents.trl.callbacks import record_from_logs

        logs = self.trainer.evaluate()
        record = record_from_logs(logs, self.rewards.names, step, "eval_") or {
            "step": step,
            "split": "eval",
        }
        batch = self.rewards.last_batch or {"completions": []}
        self.samples = [
            {
                "completion": batch["completions"][i],
                "label": batch["labels"][i],
                "reward": batch["totals"][i],
                "components": {n: v[i] for n, v in batch["components"].items()},
            }
            for i in range(len(batch["completions"]))
        ]
        return record


def _quiet_progress(trainer: Any) -> None:
    """Keep the tqdm bar but drop its raw log-dict printing (the recorder prints a table)."""
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    trainer.pop_callback(PrinterCallback)  # with disable_tqdm it would print every log dict

    class _Progress(ProgressCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            return None

    if trainer.pop_callback(ProgressCallback) is not None:
        trainer.add_callback(_Progress())


def _grpo_args(cfg: TrainConfig, out: Path, use_cpu: bool, autocast_bf16: bool):
    from trl import GRPOConfig

    batch = cfg.prompts_per_step * cfg.num_generations
    kwargs: dict[str, Any] = {
        "output_dir": str(out),
        "per_device_train_batch_size": batch,
        "per_device_eval_batch_size": batch,  # TRL's evaluation (vision-language policies)
        "gradient_accumulation_steps": 1,
        "num_generations": cfg.num_generations,
        "max_completion_length": cfg.max_completion_length,
        "learning_rate": cfg.learning_rate,
        # runs often stop at the time limit, not at max_steps: no decay
        "lr_scheduler_type": "constant_with_warmup",
        "warmup_steps": cfg.warmup_steps,
        "beta": cfg.beta,
        "scale_rewards": cfg.scale_rewards,
        "temperature": cfg.temperature,
        "max_steps": cfg.max_steps,
        "logging_steps": 1,
        "save_strategy": "steps" if cfg.save_steps else "no",
        "save_steps": cfg.save_steps or 500,
        "save_total_limit": 2,
        "eval_strategy": "no",  # held-out evaluation is agents.trl.heldout (all prompts)
        "report_to": "none",
        "seed": cfg.seed,
        "data_seed": cfg.seed,
        "use_cpu": use_cpu,
        "bf16": autocast_bf16,
        "gradient_checkpointing": cfg.gradient_checkpointing,
        "remove_unused_columns": False,
        "dataloader_num_workers": 0,
        "log_completions": False,
        # a completion cut at the limit has no verdict of its own: leave it out of the loss
        "mask_truncated_completions": True,
        "disable_tqdm": not cfg.print_table,
    }
    kwargs.update(cfg.trainer_kwargs)
    return GRPOConfig(**kwargs)


def _device(cfg: TrainConfig) -> str:
    import torch

    if cfg.device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if cfg.device == "cuda" and not torch.cuda.is_available():
        raise InvalidInputError("device='cuda' but torch sees no CUDA GPU; use 'cpu' or 'auto'.")
    return cfg.device


def prepare_policy(cfg: TrainConfig, device: str) -> Policy:
    """Load ``cfg.model`` in the dtype ``cfg`` asks for and add LoRA adapters if asked."""
    from agents.trl.policy import auto_dtype

    dtype = cfg.dtype
    if dtype == "auto":
        # Full fine-tuning keeps float32 master weights (bf16 autocast on a GPU instead).
        dtype = auto_dtype(device) if cfg.finetune == "lora" else "float32"
    return _with_lora(cfg, load_policy(cfg.model, dtype=dtype))


def _with_lora(cfg: TrainConfig, policy: Policy) -> Policy:
    """Add LoRA adapters (and merged-copy sampling) when ``cfg`` asks for them."""
    from agents.trl.policy import add_lora

    if cfg.finetune != "lora":
        return policy
    if not hasattr(policy.model, "peft_config"):
        add_lora(policy, rank=cfg.lora_rank, alpha=cfg.lora_alpha, layers=cfg.lora_layers)
    if cfg.merged_generation and not policy.is_vlm:
        from agents.trl.merged import use_merged_generation

        use_merged_generation(policy.model)
    return policy


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
    from agents.trl.heldout import EvalEvery, HeldOutEval

    cfg = config or TrainConfig()
    device = _device(cfg)
    if device == "cpu":
        import torch

        from agents.trl.policy import auto_threads

        torch.set_num_threads(cfg.torch_threads or auto_threads())
    set_seed(cfg.seed)
    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    policy = prepare_policy(cfg, device) if policy is None else _with_lora(cfg, policy)
    if env is not None:  # EmoReflect's rubric gets a judge that answers (agents.trl.envs)
        from agents.trl.envs import env_parts

        env_data, env_rubric = env_parts(env, cfg.judge, policy, need_rubric=rubric is None)
        train_dataset = env_data if train_dataset is None else train_dataset
        rubric = env_rubric if rubric is None else rubric
    if train_dataset is None:
        train_dataset = load_split(cfg.dataset, cfg.train_split)
    if eval_dataset is None and cfg.eval_split:
        eval_dataset = load_split(cfg.dataset, cfg.eval_split)
    style = "paper" if policy.is_vlm else cfg.prompt_style
    shot = cfg.one_shot and not policy.is_vlm and cfg.template == "set"
    options = {"vlm": policy.is_vlm, "template": cfg.template, "one_shot": shot, "style": style}
    train_ds = prompt_dataset(train_dataset, **options)
    rubric = rubric or build_rubric(cfg.preset, cfg.judge, policy)
    heldout: Any = None
    eval_ds = None
    if eval_dataset is not None:
        eval_ds = prompt_dataset(eval_dataset, limit=cfg.eval_samples, **options)
    if eval_dataset is not None and not policy.is_vlm:
        heldout = HeldOutEval(
            policy.model,
            policy.tokenizer,
            eval_ds,
            rubric,
            max_new_tokens=cfg.max_completion_length,
            temperature=cfg.eval_temperature,
        )
    shared = RubricRewards(rubric)
    autocast = device == "cuda" and cfg.finetune == "full" and _cuda_bf16()
    args = _grpo_args(cfg, out, device == "cpu", autocast)
    args.reward_weights = shared.weights()
    recorder = GRPORecorder(
        shared,
        out,
        print_table=cfg.print_table,
        rollouts_per_step=cfg.rollouts_per_step,
        title=f"GRPO {Path(policy.source).name} / {rubric.__name__}",
        append=bool(cfg.resume_from_checkpoint),
    )
    extra: list[Any] = [TimeLimit(cfg.max_minutes, save=bool(cfg.save_steps))]
    if not cfg.max_minutes:
        extra = []
    if heldout is not None and cfg.eval_steps:  # text-only; VLMs get theirs below
        extra.append(EvalEvery(heldout, cfg.eval_steps, recorder.log_record))
    trainer = GRPOTrainer(
        model=policy.model,
        reward_funcs=shared.functions(),
        args=args,
        train_dataset=train_ds,
        eval_dataset=eval_ds if policy.is_vlm else None,
        processing_class=policy.processing_class,
        callbacks=[recorder, *extra, *callbacks],
    )
    if eval_ds is not None and policy.is_vlm:  # images in the prompt: TRL's own evaluation
        heldout = TRLEval(trainer, shared)
        if cfg.eval_steps:
            trainer.add_callback(EvalEvery(heldout, cfg.eval_steps, recorder.log_record))
    _quiet_progress(trainer)
    write_json(out / "train_config.json", cfg.as_dict(), default=str)
    return GRPORun(trainer, shared, recorder, policy, cfg, out, heldout)


def _cuda_bf16() -> bool:
    import torch

    return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
