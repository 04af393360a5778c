"""Write the ``openrlhf.cli.train_ppo_ray`` command for GRPO with emo-r3 rewards.

GRPO in OpenRLHF terms: ``group_norm`` advantages over ``n_samples_per_prompt``
rollouts per prompt, KL to the reference as a loss (``k3`` estimator, coefficient
0.01), no critic. Rewards come from the emo-r3 agent (default; the policy answers the
reflective questions through its own rollout engine), the reward server
(``reward="remote"``) or the reward-function file (``reward="func"``).

The defaults are the paper's and its reference code's settings (arXiv 2602.23802; the
authors' EasyR1 configuration): lr 2e-6 constant (no warmup), AdamW weight decay 0.01
and betas (0.9, 0.999), G = 8, temperature 1.0, 2048 new tokens, 2048 prompt tokens,
rollouts of 512 prompts, 256 prompts per optimiser step (OpenRLHF's
``--train.batch_size`` counts samples, so it is set to 256 x G: two optimiser steps
per rollout, as in the reference), clip ratios 0.2 / 0.3 with dual clip 3, 20 epochs.

Flags are the dotted ones of OpenRLHF 0.10.2 and later (checked against the installed
parser); older releases spelled every flag differently and are refused.

``python -m agents.openrlhf.launcher [flags]`` is ``emo-r3 train --backend openrlhf
[flags]``: it writes a run's prompt data and command (:mod:`agents.openrlhf.run`).

Example:
    >>> from agents.openrlhf.launcher import LaunchConfig, build_command
    >>> cmd = build_command(LaunchConfig(pretrain="Qwen/Qwen2.5-VL-3B-Instruct",
    ...                                  prompt_data="data/train.jsonl"), version="0.11.2")
    >>> cmd[:3], cmd[cmd.index("--algo.advantage.estimator") + 1]
    (['python3', '-m', 'openrlhf.cli.train_ppo_ray'], 'group_norm')
    >>> cmd[cmd.index("--train.batch_size") + 1]  # 256 prompts x G = 8 per optimiser step
    '2048'
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from agents.openrlhf.flags import FLAGS, MIN_VERSION, check_version, installed_version
from agents.openrlhf.settings import Settings
from rewards.errors import InvalidInputError

__all__ = [
    "FLAGS",
    "MIN_VERSION",
    "LaunchConfig",
    "build_command",
    "build_env",
    "check_version",
    "installed_version",
    "main",
]


@dataclass
class LaunchConfig:
    """A GRPO run on OpenRLHF; defaults follow the paper and its reference code.

    Attributes:
        pretrain: the policy (hub id or path).
        prompt_data: the prompt dataset (JSONL/parquet/hub id) with ``input_key``,
            ``label_key`` (JSON label fields) and, for a VLM, ``image_key`` columns
            (:func:`agents.openrlhf.data.write_prompt_dataset` writes one).
        vision: the policy is a vision-language model: pass the image flags.
        reward: ``"agent"`` (the emo-r3 agent file), ``"remote"`` (the reward server at
            ``remote_url``) or ``"func"`` (the reward-function file).
        global_batch_size: prompts per optimiser step (the reference's
            ``worker.actor.global_batch_size``); ``--train.batch_size`` becomes
            ``global_batch_size * n_samples_per_prompt`` samples.
        train_batch_size: ``--train.batch_size`` in samples, overriding the above.
        ray_address: a Ray cluster's dashboard address; the command then becomes a
            ``ray job submit`` carrying the ``EMO_R3_*`` settings in its runtime env.
        settings: scoring settings for the agent / reward function.
        extra_args: more flags appended verbatim (they win over earlier ones).
    """

    pretrain: str = "Qwen/Qwen2.5-VL-3B-Instruct"
    prompt_data: str | None = None
    vision: bool = True
    reward: str = "agent"
    remote_url: str | None = None
    input_key: str = "prompt"
    label_key: str = "label"
    image_key: str = "images"
    max_images_per_prompt: int = 1
    apply_chat_template: bool = True
    n_samples_per_prompt: int = 8
    kl_coef: float = 0.01
    kl_estimator: str = "k3"
    learning_rate: float = 2e-6
    adam_betas: tuple[float, float] = (0.9, 0.999)
    weight_decay: float = 0.01
    lr_scheduler: str = "constant"
    lr_warmup_ratio: float = 0.0
    max_norm: float = 1.0
    eps_clip_low_high: tuple[float, float] = (0.2, 0.3)
    dual_clip: float | None = 3.0
    temperature: float = 1.0
    top_p: float = 1.0
    rollout_batch_size: int = 512
    global_batch_size: int = 256
    train_batch_size: int | None = None
    micro_rollout_batch_size: int = 16
    micro_train_batch_size: int = 4
    prompt_max_len: int = 2048
    max_new_tokens: int = 2048
    num_episodes: int = 20
    max_epochs: int = 1
    seed: int = 42
    save_path: str = "./checkpoints/emo_r3_grpo"
    ckpt_path: str = "./checkpoints/emo_r3_grpo/ckpt"
    actor_num_nodes: int = 1
    actor_num_gpus_per_node: int = 8
    vllm_num_engines: int = 8
    vllm_tensor_parallel_size: int = 1
    vllm_gpu_memory_utilization: float = 0.6
    colocate_all: bool = True
    zero_stage: int = 3
    gradient_checkpointing: bool = True
    ray_address: str | None = None
    python: str = "python3"
    settings: Settings = field(default_factory=Settings)
    extra_args: tuple[str, ...] = ()

    @property
    def samples_per_step(self) -> int:
        """``--train.batch_size``: samples per optimiser step."""
        if self.train_batch_size is not None:
            return self.train_batch_size
        return self.global_batch_size * self.n_samples_per_prompt

    def check(self) -> None:
        """Raise :class:`InvalidInputError` for settings OpenRLHF would reject later."""
        if self.reward not in ("agent", "remote", "func"):
            raise InvalidInputError(
                f"reward must be 'agent', 'remote' or 'func'; got {self.reward!r}."
            )
        if self.reward == "remote" and not self.remote_url:
            raise InvalidInputError("reward='remote' needs remote_url (the /get_reward URL).")
        if self.n_samples_per_prompt < 2:
            raise InvalidInputError(
                "GRPO's group_norm advantages need n_samples_per_prompt >= 2 "
                f"(got {self.n_samples_per_prompt}): with one sample every advantage is 0."
            )
        for name in ("pretrain", "prompt_data"):
            if not getattr(self, name):
                raise InvalidInputError(
                    f"LaunchConfig.{name} is required (write prompt data with "
                    "agents.openrlhf.data.write_prompt_dataset or `emo-r3 train --backend "
                    "openrlhf`)."
                )
        samples = self.rollout_batch_size * self.n_samples_per_prompt
        if self.samples_per_step <= 0 or samples % self.samples_per_step:
            raise InvalidInputError(
                f"A rollout of {self.rollout_batch_size} prompts x {self.n_samples_per_prompt} "
                f"samples does not split into optimiser steps of {self.samples_per_step} "
                "samples: make rollout_batch_size a multiple of global_batch_size (the "
                "reference: 512 and 256)."
            )


def _config(config: Any, overrides: dict[str, Any]) -> LaunchConfig:
    names = {f.name for f in fields(LaunchConfig)}
    if config is None:
        values: dict[str, Any] = {}
    elif isinstance(config, LaunchConfig):
        values = {n: getattr(config, n) for n in names}
    elif isinstance(config, Mapping):
        values = dict(config)
    else:  # an argparse.Namespace or any object with matching attributes
        values = {n: getattr(config, n) for n in names if hasattr(config, n)}
    values.update(overrides)
    unknown = sorted(set(values) - names)
    if unknown:
        raise InvalidInputError(f"Unknown launch option(s) {unknown}; known: {sorted(names)}.")
    return LaunchConfig(**values)


def _package_file(name: str) -> str:
    return str(Path(__file__).with_name(name).resolve())


def build_command(config: Any = None, /, *, version: str | None = None, **options) -> list[str]:
    """The launch command as an argument list.

    Args:
        config: a :class:`LaunchConfig`, a mapping or a namespace of its fields (None:
            defaults); ``options`` override single fields.
        version: the OpenRLHF version the command is for (default: the installed one).

    Raises:
        InvalidInputError: unknown options, settings GRPO cannot run with, or an
            OpenRLHF older than 0.10.2.
    """
    cfg = _config(config, options)
    cfg.check()
    check_version(version if version is not None else installed_version())
    gpus = cfg.actor_num_gpus_per_node
    values: dict[str, Any] = {
        "pretrain": cfg.pretrain,
        "prompt_data": cfg.prompt_data,
        "input_key": cfg.input_key,
        "label_key": cfg.label_key,
        "apply_chat_template": cfg.apply_chat_template,
        "max_len": cfg.prompt_max_len + cfg.max_new_tokens,
        "max_new_tokens": cfg.max_new_tokens,
        "estimator": "group_norm",
        "n_samples_per_prompt": cfg.n_samples_per_prompt,
        "use_kl_loss": True,
        "kl_coef": cfg.kl_coef,
        "kl_estimator": cfg.kl_estimator,
        "temperature": cfg.temperature,
        "top_p": cfg.top_p,
        "rollout_batch_size": cfg.rollout_batch_size,
        "micro_rollout_batch_size": cfg.micro_rollout_batch_size,
        "train_batch_size": cfg.samples_per_step,
        "micro_train_batch_size": cfg.micro_train_batch_size,
        "learning_rate": cfg.learning_rate,
        "adam_betas": list(cfg.adam_betas),
        "weight_decay": cfg.weight_decay,
        "lr_scheduler": cfg.lr_scheduler,
        "lr_warmup_ratio": cfg.lr_warmup_ratio,
        "max_norm": cfg.max_norm,
        "eps_clip_low_high": list(cfg.eps_clip_low_high),
        "dual_clip": cfg.dual_clip,
        "num_episodes": cfg.num_episodes,
        "max_epochs": cfg.max_epochs,
        "seed": cfg.seed,
        "save_path": cfg.save_path,
        "ckpt_path": cfg.ckpt_path,
        "actor_num_nodes": cfg.actor_num_nodes,
        "actor_num_gpus_per_node": gpus,
        "ref_num_nodes": cfg.actor_num_nodes,
        "ref_num_gpus_per_node": gpus,
        "vllm_num_engines": cfg.vllm_num_engines,
        "vllm_tensor_parallel_size": cfg.vllm_tensor_parallel_size,
        "vllm_gpu_memory_utilization": cfg.vllm_gpu_memory_utilization,
        "colocate_all": cfg.colocate_all,
        "vllm_enable_sleep": cfg.colocate_all,  # colocated engines sleep while training
        "ds_enable_sleep": cfg.colocate_all,
        "zero_stage": cfg.zero_stage,
        "gradient_checkpointing": cfg.gradient_checkpointing,
    }
    if cfg.vision:
        values["image_key"] = cfg.image_key
        values["max_images_per_prompt"] = cfg.max_images_per_prompt
    if cfg.reward == "agent":
        values["agent_func_path"] = _package_file("agent.py")
    elif cfg.reward == "func":
        values["remote_url"] = _package_file("reward_func.py")
    else:
        values["remote_url"] = cfg.remote_url
    args: list[str] = []
    for key, value in values.items():
        if value is None or value is False:
            continue
        if value is True:
            args.append(FLAGS[key])
        elif isinstance(value, list):
            args += [FLAGS[key], *map(str, value)]
        else:
            args += [FLAGS[key], str(value)]
    args += list(cfg.extra_args)
    command = [cfg.python, "-m", "openrlhf.cli.train_ppo_ray", *args]
    if cfg.ray_address:
        runtime_env = {"env_vars": cfg.settings.to_env()}
        command = [
            "ray", "job", "submit", "--address", cfg.ray_address,
            "--runtime-env-json", json.dumps(runtime_env), "--", *command,
        ]  # fmt: skip
    return command


def build_env(config: Any = None, /, **options) -> dict[str, str]:
    """The ``EMO_R3_*`` variables a local (non-``ray job``) launch must export."""
    return _config(config, options).settings.to_env()


def main(argv: list[str] | None = None) -> int:
    """``python -m agents.openrlhf.launcher [flags]``: the same as ``emo-r3 train --backend
    openrlhf [flags]`` (write the prompt data and the command, launch on a GPU node)."""
    from agents.cli.train import main as train_main  # the command line lives in agents.cli

    return train_main(["--backend", "openrlhf", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
