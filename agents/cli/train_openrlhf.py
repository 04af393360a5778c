"""The OpenRLHF side of ``emo-r3 train --backend openrlhf`` (and
``python -m agents.openrlhf.launcher``): its flags and the run they describe.

Flags shared with the TRL backend (``--model``, ``--preset``, ``--num-generations``, ...)
are defined by :mod:`agents.cli.train` with no default; left unset they take the
paper's settings of :class:`agents.openrlhf.launcher.LaunchConfig`.
"""

from __future__ import annotations

import argparse

from agents.cli.options import add_preset_arg, parse_preset_args
from rewards.errors import InvalidInputError

__all__ = ["add_openrlhf_arguments", "openrlhf_options", "run_openrlhf"]


def add_openrlhf_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the OpenRLHF-only flags (an argument group) to the ``train`` parser."""
    group = parser.add_argument_group("OpenRLHF backend (--backend openrlhf)")
    g = group.add_argument
    g("--ray-address", default=None, help="Ray dashboard address: launch as `ray job submit`")
    g(
        "--prompt-data",
        default=None,
        help="an existing OpenRLHF prompt dataset (else written from --dataset)",
    )
    g("--split", default="train", help="split of --dataset written as prompt data")
    modality = group.add_mutually_exclusive_group()
    modality.add_argument(
        "--vision",
        dest="vision",
        action="store_const",
        const=True,
        default=None,
        help="the policy is a VLM (default: detected)",
    )
    modality.add_argument(
        "--text-only",
        dest="vision",
        action="store_const",
        const=False,
        help="the policy is text-only: captions in the prompt",
    )
    g(
        "--reward",
        choices=("agent", "remote", "func"),
        default="agent",
        help="agent file (default), reward server or reward file",
    )
    g("--remote-url", default=None, help="the reward server's /get_reward URL (--reward remote)")
    g(
        "--agent-mode",
        choices=("reason", "reflect"),
        default="reason",
        help="the agent's environment: EmoReason-v0 or EmoReflect-v0",
    )
    g("--env-id", default=None, help="another registered Gymnasium env id (module:Id imports)")
    g(
        "--env-option",
        action="append",
        default=[],
        metavar="KEY=JSON",
        help="gym.make option of the agent's env (repeatable)",
    )
    g("--rollout-batch-size", type=int, default=None, help="prompts per rollout (512)")
    g(
        "--train-batch-size",
        type=int,
        default=None,
        help="samples per optimiser step (default: prompts-per-step x G)",
    )
    g("--epochs", type=int, default=None, help="passes over the prompt data (20)")
    g("--prompt-max-len", type=int, default=None, help="prompt tokens (2048)")
    g("--nodes", type=int, default=None, help="nodes (1)")
    g("--gpus-per-node", type=int, default=None, help="GPUs per node (8)")
    g("--vllm-engines", type=int, default=None, help="vLLM engines (8)")
    g(
        "--openrlhf-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="flag passed verbatim, e.g. --openrlhf-arg=--logger.wandb.key=K (repeatable)",
    )
    add_preset_arg(group)


def openrlhf_options(args: argparse.Namespace) -> dict:
    """The :func:`agents.openrlhf.run.prepare_run` arguments the parsed flags describe."""
    from agents.openrlhf.run import PAPER_MODEL

    launch = {
        "n_samples_per_prompt": args.num_generations,
        "global_batch_size": args.prompts_per_step,
        "train_batch_size": args.train_batch_size,
        "rollout_batch_size": args.rollout_batch_size,
        "max_new_tokens": args.max_completion_length,
        "prompt_max_len": args.prompt_max_len,
        "learning_rate": args.learning_rate,
        "kl_coef": args.beta,
        "temperature": args.temperature,
        "num_episodes": args.epochs,
        "seed": args.seed,
        "actor_num_nodes": args.nodes,
        "actor_num_gpus_per_node": args.gpus_per_node,
        "vllm_num_engines": args.vllm_engines,
        "ray_address": args.ray_address,
        "remote_url": args.remote_url,
    }
    return {
        "output_dir": args.output_dir or "runs/openrlhf",
        "model": args.model or PAPER_MODEL,
        "split": args.split,
        "prompt_data": args.prompt_data,
        "preset": args.preset,
        "judge": args.judge,
        "preset_args": parse_preset_args(args.preset_arg),
        "template": args.template,
        "vision": args.vision,
        "mode": args.agent_mode,
        "env_id": args.env_id,
        "env_options": _pairs(args.env_option, "--env-option"),
        "reward": args.reward,
        "extra_args": tuple(args.openrlhf_arg),
        **({"dataset": args.dataset} if args.dataset else {}),  # else prepare_run's default
        **{k: v for k, v in launch.items() if v is not None},
    }


def _pairs(items: list[str], flag: str) -> dict:
    try:
        return parse_preset_args(items)
    except InvalidInputError as err:
        raise InvalidInputError(str(err).replace("--preset-arg", flag)) from None


def run_openrlhf(args: argparse.Namespace) -> int:
    """Write the run's files and launch it (exit status 3 without a GPU)."""
    import shlex

    from agents.openrlhf.run import launch, prepare_run

    options = openrlhf_options(args)
    run = prepare_run(options.pop("output_dir"), **options)
    settings = run.settings
    print(f"OpenRLHF run: preset {settings.preset}, judge {settings.preset_args['judge']}")
    print(f"  prompt data: {run.config.prompt_data}")
    print(f"  settings:    {run.record} (EMO_R3_* exported by the script)")
    print(f"  command ({run.script}):\n{shlex.join(run.command)}")
    return launch(run)
