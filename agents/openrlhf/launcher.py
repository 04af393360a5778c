"""Write the ``openrlhf.cli.train_ppo_ray`` command for GRPO with emo-r3 rewards.

GRPO in OpenRLHF terms: ``group_norm`` advantages over ``n_samples_per_prompt``
rollouts per prompt, KL to the reference as a loss (``k3`` estimator, coefficient
0.01), no critic. Rewards come from the emo-r3 agent (default; the policy answers the
reflective questions through its own rollout engine), the reward server
(``reward="remote"``) or the reward-function file (``reward="func"``).

Flags are spelled for the installed OpenRLHF: dotted (``--algo.advantage.estimator``)
from 0.10.2 on, the old underscore names (``--advantage_estimator``) before.

Example:
    >>> from agents.openrlhf.launcher import LaunchConfig, build_command
    >>> cmd = build_command(LaunchConfig(pretrain="Qwen/Qwen2.5-VL-3B-Instruct",
    ...                                  prompt_data="data/train.jsonl"), version="0.11.2")
    >>> cmd[:3], cmd[cmd.index("--algo.advantage.estimator") + 1]
    (['python3', '-m', 'openrlhf.cli.train_ppo_ray'], 'group_norm')
    >>> "--advantage_estimator" in build_command(pretrain="m", prompt_data="d", version="0.9.0")
    True
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from agents.openrlhf.settings import Settings
from rewards.errors import InvalidInputError

__all__ = ["FLAGS", "LaunchConfig", "build_command", "flag_style", "installed_version"]

DOTTED_SINCE = (0, 10, 2)

# option -> (dotted flag, old flag or None where that version had none)
FLAGS: dict[str, tuple[str, str | None]] = {
    "pretrain": ("--actor.model_name_or_path", "--pretrain"),
    "prompt_data": ("--data.prompt_dataset", "--prompt_data"),
    "input_key": ("--data.input_key", "--input_key"),
    "label_key": ("--data.label_key", "--label_key"),
    "image_key": ("--data.image_key", "--image_key"),
    "max_images_per_prompt": ("--data.max_images_per_prompt", None),
    "apply_chat_template": ("--data.apply_chat_template", "--apply_chat_template"),
    "max_len": ("--data.max_len", None),
    "prompt_max_len": (None, "--prompt_max_len"),
    "max_new_tokens": ("--rollout.max_new_tokens", "--generate_max_len"),
    "estimator": ("--algo.advantage.estimator", "--advantage_estimator"),
    "n_samples_per_prompt": ("--rollout.n_samples_per_prompt", "--n_samples_per_prompt"),
    "use_kl_loss": ("--algo.kl.use_loss", "--use_kl_loss"),
    "kl_coef": ("--algo.kl.init_coef", "--init_kl_coef"),
    "kl_estimator": ("--algo.kl.estimator", "--kl_estimator"),
    "temperature": ("--rollout.temperature", "--temperature"),
    "top_p": ("--rollout.top_p", "--top_p"),
    "rollout_batch_size": ("--rollout.batch_size", "--rollout_batch_size"),
    "micro_rollout_batch_size": ("--rollout.micro_batch_size", "--micro_rollout_batch_size"),
    "train_batch_size": ("--train.batch_size", "--train_batch_size"),
    "micro_train_batch_size": ("--train.micro_batch_size", "--micro_train_batch_size"),
    "learning_rate": ("--actor.adam.lr", "--actor_learning_rate"),
    "num_episodes": ("--train.num_episodes", "--num_episodes"),
    "max_epochs": ("--train.max_epochs", "--max_epochs"),
    "seed": ("--train.seed", "--seed"),
    "save_path": ("--ckpt.output_dir", "--save_path"),
    "ckpt_path": ("--ckpt.path", "--ckpt_path"),
    "actor_num_nodes": ("--actor.num_nodes", "--actor_num_nodes"),
    "actor_num_gpus_per_node": ("--actor.num_gpus_per_node", "--actor_num_gpus_per_node"),
    "ref_num_nodes": ("--ref.num_nodes", "--ref_num_nodes"),
    "ref_num_gpus_per_node": ("--ref.num_gpus_per_node", "--ref_num_gpus_per_node"),
    "vllm_num_engines": ("--vllm.num_engines", "--vllm_num_engines"),
    "vllm_tensor_parallel_size": ("--vllm.tensor_parallel_size", "--vllm_tensor_parallel_size"),
    "colocate_all": ("--train.colocate_all", "--colocate_all_models"),
    "zero_stage": ("--ds.zero_stage", "--zero_stage"),
    "gradient_checkpointing": ("--actor.gradient_checkpointing_enable", "--gradient_checkpointing"),
    "agent_func_path": ("--train.agent_func_path", "--agent_func_path"),
    "remote_url": ("--reward.remote_url", "--remote_rm_url"),
}


@dataclass
class LaunchConfig:
    """A GRPO run on OpenRLHF. Defaults follow the paper (DESIGN.md section 1).

    Attributes:
        pretrain: the policy (hub id or path).
        prompt_data: the prompt dataset (JSONL/parquet/hub id) with ``input_key``,
            ``label_key`` (JSON label fields) and ``image_key`` columns.
        reward: ``"agent"`` (the emo-r3 agent file), ``"remote"`` (the reward server at
            ``remote_url``) or ``"func"`` (the reward-function file).
        ray_address: a Ray cluster's dashboard address; the command then becomes a
            ``ray job submit`` carrying the ``EMO_R3_*`` settings in its runtime env.
        settings: scoring settings for the agent / reward function.
        extra_args: more flags appended verbatim.
    """

    pretrain: str = "Qwen/Qwen2.5-VL-3B-Instruct"
    prompt_data: str = "emo_r3_prompts.jsonl"
    reward: str = "agent"
    remote_url: str | None = None
    input_key: str = "prompt"
    label_key: str = "label"
    image_key: str | None = "images"
    max_images_per_prompt: int = 1
    apply_chat_template: bool = True
    n_samples_per_prompt: int = 8
    kl_coef: float = 0.01
    kl_estimator: str = "k3"
    learning_rate: float = 2e-6
    temperature: float = 1.0
    top_p: float = 1.0
    rollout_batch_size: int = 512
    micro_rollout_batch_size: int = 4
    train_batch_size: int = 256
    micro_train_batch_size: int = 2
    prompt_max_len: int = 1024
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
    colocate_all: bool = True
    zero_stage: int = 3
    gradient_checkpointing: bool = True
    ray_address: str | None = None
    python: str = "python3"
    settings: Settings = field(default_factory=Settings)
    extra_args: tuple[str, ...] = ()

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
                raise InvalidInputError(f"LaunchConfig.{name} is required.")


def installed_version() -> str | None:
    """The installed OpenRLHF version, or None when it is not installed."""
    from importlib import metadata

    try:
        return metadata.version("openrlhf")
    except metadata.PackageNotFoundError:
        return None


def flag_style(version: str | None) -> str:
    """``"dotted"`` for OpenRLHF >= 0.10.2 (or unknown: the current style), else ``"old"``."""
    if version is None:
        return "dotted"
    parts = [int(p) for p in re.findall(r"\d+", version)[:3]]
    parts += [0] * (3 - len(parts))
    return "dotted" if tuple(parts) >= DOTTED_SINCE else "old"


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
        version: OpenRLHF version whose flag spelling to use (default: installed).

    Raises:
        InvalidInputError: unknown options or settings GRPO cannot run with.
    """
    cfg = _config(config, options)
    cfg.check()
    style = flag_style(version if version is not None else installed_version())
    values: dict[str, Any] = {
        "pretrain": cfg.pretrain,
        "prompt_data": cfg.prompt_data,
        "input_key": cfg.input_key,
        "label_key": cfg.label_key,
        "apply_chat_template": cfg.apply_chat_template,
        "estimator": "group_norm",
        "n_samples_per_prompt": cfg.n_samples_per_prompt,
        "use_kl_loss": True,
        "kl_coef": cfg.kl_coef,
        "kl_estimator": cfg.kl_estimator,
        "temperature": cfg.temperature,
        "top_p": cfg.top_p,
        "rollout_batch_size": cfg.rollout_batch_size,
        "micro_rollout_batch_size": cfg.micro_rollout_batch_size,
        "train_batch_size": cfg.train_batch_size,
        "micro_train_batch_size": cfg.micro_train_batch_size,
        "learning_rate": cfg.learning_rate,
        "num_episodes": cfg.num_episodes,
        "max_epochs": cfg.max_epochs,
        "seed": cfg.seed,
        "save_path": cfg.save_path,
        "ckpt_path": cfg.ckpt_path,
        "actor_num_nodes": cfg.actor_num_nodes,
        "actor_num_gpus_per_node": cfg.actor_num_gpus_per_node,
        "ref_num_nodes": cfg.actor_num_nodes,
        "ref_num_gpus_per_node": cfg.actor_num_gpus_per_node,
        "vllm_num_engines": cfg.vllm_num_engines,
        "vllm_tensor_parallel_size": cfg.vllm_tensor_parallel_size,
        "colocate_all": cfg.colocate_all,
        "zero_stage": cfg.zero_stage,
        "gradient_checkpointing": cfg.gradient_checkpointing,
        "max_new_tokens": cfg.max_new_tokens,
    }
    if style == "dotted":
        values["max_len"] = cfg.prompt_max_len + cfg.max_new_tokens
    else:
        values["prompt_max_len"] = cfg.prompt_max_len
    if cfg.image_key:
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
        flag = FLAGS[key][0 if style == "dotted" else 1]
        if flag is None or value is None or value is False:
            continue
        args += [flag] if value is True else [flag, str(value)]
    if style == "old":
        args.append("--bf16")  # dotted versions default to bf16 (--ds.param_dtype)
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
