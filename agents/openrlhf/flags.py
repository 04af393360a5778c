"""The OpenRLHF flags emo-r3 writes, and the releases that take them.

OpenRLHF 0.10.2 renamed every ``train_ppo_ray`` flag to a dotted form
(``--pretrain`` -> ``--actor.model_name_or_path``, ``--advantage_estimator`` ->
``--algo.advantage.estimator``); the flags below are those names, as the installed
0.11.2 parser defines them (the same names exist in 0.10.2 through 0.11.0). Older
releases are refused with a clear error rather than given a command they would reject.

Example:
    >>> from agents.openrlhf.flags import FLAGS, check_version
    >>> FLAGS["estimator"]
    '--algo.advantage.estimator'
    >>> try:
    ...     check_version("0.10.1")
    ... except Exception as err:
    ...     print(str(err).split(";")[0])
    OpenRLHF 0.10.1 spells its flags the old way (--pretrain, --advantage_estimator, ...)
"""

from __future__ import annotations

import re

from rewards.errors import InvalidInputError

__all__ = ["FLAGS", "MIN_VERSION", "check_version", "installed_version"]

#: The first OpenRLHF release with the dotted flags written here.
MIN_VERSION = (0, 10, 2)

#: option -> OpenRLHF flag.
FLAGS: dict[str, str] = {
    "pretrain": "--actor.model_name_or_path",
    "prompt_data": "--data.prompt_dataset",
    "input_key": "--data.input_key",
    "label_key": "--data.label_key",
    "image_key": "--data.image_key",
    "max_images_per_prompt": "--data.max_images_per_prompt",
    "apply_chat_template": "--data.apply_chat_template",
    "max_len": "--data.max_len",
    "max_new_tokens": "--rollout.max_new_tokens",
    "estimator": "--algo.advantage.estimator",
    "n_samples_per_prompt": "--rollout.n_samples_per_prompt",
    "use_kl_loss": "--algo.kl.use_loss",
    "kl_coef": "--algo.kl.init_coef",
    "kl_estimator": "--algo.kl.estimator",
    "temperature": "--rollout.temperature",
    "top_p": "--rollout.top_p",
    "rollout_batch_size": "--rollout.batch_size",
    "micro_rollout_batch_size": "--rollout.micro_batch_size",
    "train_batch_size": "--train.batch_size",
    "micro_train_batch_size": "--train.micro_batch_size",
    "learning_rate": "--actor.adam.lr",
    "adam_betas": "--actor.adam.betas",
    "weight_decay": "--actor.adam.weight_decay",
    "lr_scheduler": "--actor.lr_scheduler",
    "lr_warmup_ratio": "--actor.lr_warmup_ratio",
    "max_norm": "--actor.max_norm",
    "eps_clip_low_high": "--actor.eps_clip_low_high",
    "dual_clip": "--actor.dual_clip",
    "num_episodes": "--train.num_episodes",
    "max_epochs": "--train.max_epochs",
    "seed": "--train.seed",
    "save_path": "--ckpt.output_dir",
    "ckpt_path": "--ckpt.path",
    "actor_num_nodes": "--actor.num_nodes",
    "actor_num_gpus_per_node": "--actor.num_gpus_per_node",
    "ref_num_nodes": "--ref.num_nodes",
    "ref_num_gpus_per_node": "--ref.num_gpus_per_node",
    "vllm_num_engines": "--vllm.num_engines",
    "vllm_tensor_parallel_size": "--vllm.tensor_parallel_size",
    "vllm_gpu_memory_utilization": "--vllm.gpu_memory_utilization",
    "colocate_all": "--train.colocate_all",
    "vllm_enable_sleep": "--vllm.enable_sleep",
    "ds_enable_sleep": "--ds.enable_sleep",
    "zero_stage": "--ds.zero_stage",
    "gradient_checkpointing": "--actor.gradient_checkpointing_enable",
    "agent_func_path": "--train.agent_func_path",
    "remote_url": "--reward.remote_url",
}


def installed_version() -> str | None:
    """The installed OpenRLHF version, or None when it is not installed."""
    from importlib import metadata

    try:
        return metadata.version("openrlhf")
    except metadata.PackageNotFoundError:
        return None


def check_version(version: str | None) -> None:
    """Refuse OpenRLHF releases older than :data:`MIN_VERSION` (None: not installed, fine).

    Raises:
        InvalidInputError: the version predates the dotted flags.
    """
    if version is None:
        return
    parts = [int(p) for p in re.findall(r"\d+", version)[:3]]
    parts += [0] * (3 - len(parts))
    if tuple(parts) < MIN_VERSION:
        raise InvalidInputError(
            f"OpenRLHF {version} spells its flags the old way (--pretrain, "
            "--advantage_estimator, ...); emo-r3 writes the dotted flags of OpenRLHF >= "
            f"{'.'.join(map(str, MIN_VERSION))}: pip install -U 'openrlhf>=0.10.2'."
        )
