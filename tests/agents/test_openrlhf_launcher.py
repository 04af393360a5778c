"""The launch command, parsed by the installed OpenRLHF's own argument parser."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from openrlhf_parser import cli_args, openrlhf_parse

from agents.openrlhf import launcher
from agents.openrlhf.flags import FLAGS, check_version
from agents.openrlhf.launcher import LaunchConfig, build_command, build_env
from agents.openrlhf.settings import Settings
from rewards.errors import InvalidInputError


def test_agent_command_parses_as_the_papers_grpo():
    cmd = build_command(LaunchConfig(pretrain="/models/qwen", prompt_data="/data/p.jsonl"))
    args = openrlhf_parse(cli_args(cmd))
    assert args.algo.advantage.estimator == "group_norm"
    assert args.rollout.n_samples_per_prompt == 8
    assert args.algo.kl.use_loss is True
    assert (args.algo.kl.init_coef, args.algo.kl.estimator) == (0.01, "k3")
    assert args.actor.adam.lr == 2e-6
    assert args.rollout.temperature == 1.0 and args.rollout.top_p == 1.0
    assert args.rollout.batch_size == 512 and args.train.num_episodes == 20
    # the reference's optimiser: constant lr, no warmup, AdamW wd 0.01, betas (0.9, 0.999)
    assert args.actor.lr_scheduler == "constant" and args.actor.lr_warmup_ratio == 0.0
    assert args.actor.adam.weight_decay == 0.01 and tuple(args.actor.adam.betas) == (0.9, 0.999)
    assert tuple(args.actor.eps_clip_low_high) == (0.2, 0.3) and args.actor.dual_clip == 3.0
    # 256 prompts x G per optimiser step: two optimiser steps per rollout of 512 prompts
    assert args.train.batch_size == 256 * 8
    steps = args.rollout.batch_size * args.rollout.n_samples_per_prompt // args.train.batch_size
    assert steps == 512 // 256
    assert args.data.image_key == "images" and args.data.max_images_per_prompt == 1
    assert args.data.label_key == "label" and args.data.input_key == "prompt"
    assert args.train.agent_func_path.endswith("agents/openrlhf/agent.py")
    assert Path(args.train.agent_func_path).is_file()
    assert args.reward.remote_url == ["agent"]  # what OpenRLHF sets for agents
    assert args.critic.model_name_or_path is None  # GRPO: no critic
    assert args.data.max_len == 2048 + 2048 and args.rollout.max_new_tokens == 2048
    assert args.vllm.enable_sleep and args.train.colocate_all


def test_group_size_keeps_the_steps_per_rollout():
    for n in (4, 8, 16):
        args = openrlhf_parse(
            cli_args(build_command(pretrain="m", prompt_data="d", n_samples_per_prompt=n))
        )
        assert args.rollout.batch_size * n // args.train.batch_size == 2
    args = openrlhf_parse(
        cli_args(build_command(pretrain="m", prompt_data="d", train_batch_size=512))
    )
    assert args.train.batch_size == 512  # an explicit sample count wins


def test_text_only_policy_gets_no_image_flags():
    args = openrlhf_parse(cli_args(build_command(pretrain="m", prompt_data="d", vision=False)))
    assert args.data.max_images_per_prompt == 0  # OpenRLHF's text-only default


def test_remote_and_func_rewards_and_group_size():
    url = "http://10.0.0.5:8000/get_reward?token=t"
    args = openrlhf_parse(
        cli_args(
            build_command(
                pretrain="m",
                prompt_data="d",
                reward="remote",
                remote_url=url,
                n_samples_per_prompt=4,
                vision=False,
            )
        )
    )
    assert args.reward.remote_url == [url] and args.rollout.n_samples_per_prompt == 4
    assert args.train.agent_func_path is None and args.data.max_images_per_prompt == 0
    args = openrlhf_parse(cli_args(build_command(pretrain="m", prompt_data="d", reward="func")))
    assert args.reward.remote_url[0].endswith("agents/openrlhf/reward_func.py")


def test_ray_address_submits_a_job_with_the_settings():
    settings = Settings(preset="emo_r3_reference", image_roots=("/data/img",))
    cmd = build_command(
        pretrain="m", prompt_data="d", ray_address="http://head:8265", settings=settings
    )
    assert cmd[:5] == ["ray", "job", "submit", "--address", "http://head:8265"]
    env = json.loads(cmd[cmd.index("--runtime-env-json") + 1])["env_vars"]
    assert env["EMO_R3_PRESET"] == "emo_r3_reference"
    assert Settings.from_env(env) == settings
    assert openrlhf_parse(cli_args(cmd)).algo.advantage.estimator == "group_norm"
    assert build_env(settings=settings) == settings.to_env()


def test_extra_args_reach_openrlhf_and_win():
    cmd = build_command(pretrain="m", prompt_data="d", extra_args=("--actor.adam.lr", "1e-6"))
    assert openrlhf_parse(cli_args(cmd)).actor.adam.lr == 1e-6


@pytest.mark.parametrize("version", ["0.10.1", "0.10.1.post2", "0.10.0", "0.9.5", "0.9.10"])
def test_releases_before_the_dotted_flags_are_refused(version):
    """0.10.0/0.10.1 reject --bf16 and friends, 0.9.x has no --image_key: no old spelling."""
    with pytest.raises(InvalidInputError, match=r"pip install -U 'openrlhf>=0\.10\.2'"):
        build_command(pretrain="m", prompt_data="d", version=version)
    for ok in ("0.10.2", "0.11.2", "1.0"):
        check_version(ok)
    assert launcher.installed_version() == "0.11.2"


def test_every_flag_is_written_and_parsed():
    """The agent command and the reward-file command together use every flag."""
    agent = cli_args(build_command(pretrain="m", prompt_data="d"))
    func = cli_args(build_command(pretrain="m", prompt_data="d", reward="func"))
    assert set(FLAGS.values()) <= {a for a in agent + func if a.startswith("--")}
    openrlhf_parse(agent), openrlhf_parse(func)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n_samples_per_prompt": 1}, "n_samples_per_prompt >= 2"),
        ({"reward": "remote"}, "needs remote_url"),
        ({"reward": "http"}, "reward must be"),
        ({"num_generations": 8}, "Unknown launch option"),
        ({"rollout_batch_size": 300}, "multiple of global_batch_size"),
        ({"prompt_data": None}, "prompt_data is required"),
    ],
)
def test_bad_settings_fail_before_launch(options, message):
    with pytest.raises(InvalidInputError, match=message):
        build_command(**{"pretrain": "m", "prompt_data": "d", **options})


def test_namespace_input():
    ns = argparse.Namespace(pretrain="m", prompt_data="d", n_samples_per_prompt=4, other=1)
    cmd = build_command(ns)
    assert cmd[cmd.index("--rollout.n_samples_per_prompt") + 1] == "4"
