"""The launch command, parsed by the installed OpenRLHF's own argument parser.

``openrlhf.cli.train_ppo_ray`` cannot be imported here (it imports ray and vllm at
module level), and its parser is built inline under ``if __name__ == "__main__":``.
The narrowest honest check: take that block from the installed file, drop only its
last statement (``train(args)``), make ``parse_args()`` read our argument list, and
execute it: OpenRLHF's real flags, types, choices and post-parse validation run.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from agents.openrlhf import launcher
from agents.openrlhf.launcher import LaunchConfig, build_command, build_env, flag_style
from agents.openrlhf.settings import Settings
from rewards.errors import InvalidInputError


def openrlhf_parse(argv: list[str]):
    """Run the installed train_ppo_ray.py's argument parsing and checks on ``argv``."""
    origin = importlib.util.find_spec("openrlhf.cli.train_ppo_ray").origin
    tree = ast.parse(Path(origin).read_text())
    main = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)
    )
    *body, last = main.body
    assert ast.unparse(last) == "train(args)"  # the only statement left out

    class ReadArgv(ast.NodeTransformer):
        def visit_Call(self, node):
            self.generic_visit(node)
            if isinstance(node.func, ast.Attribute) and node.func.attr == "parse_args":
                node.args = [ast.Name("ARGV", ast.Load())]
            return node

    module = ast.fix_missing_locations(ReadArgv().visit(ast.Module(body=body, type_ignores=[])))
    namespace = {"argparse": argparse, "os": os, "datetime": datetime, "ARGV": argv}
    exec(compile(module, origin, "exec"), namespace)
    return namespace["args"]


def cli_args(command: list[str]) -> list[str]:
    if command[0] == "ray":
        command = command[command.index("--") + 1 :]
    assert command[1:3] == ["-m", "openrlhf.cli.train_ppo_ray"]
    return command[3:]


def test_agent_command_parses_as_grpo():
    cmd = build_command(LaunchConfig(pretrain="/models/qwen", prompt_data="/data/p.jsonl"))
    args = openrlhf_parse(cli_args(cmd))
    assert args.algo.advantage.estimator == "group_norm"
    assert args.rollout.n_samples_per_prompt == 8
    assert args.algo.kl.use_loss is True
    assert args.algo.kl.init_coef == 0.01
    assert args.algo.kl.estimator == "k3"
    assert args.actor.adam.lr == 2e-6
    assert args.data.image_key == "images" and args.data.max_images_per_prompt == 1
    assert args.data.label_key == "label" and args.data.input_key == "prompt"
    assert args.train.agent_func_path.endswith("agents/openrlhf/agent.py")
    assert Path(args.train.agent_func_path).is_file()
    assert args.reward.remote_url == ["agent"]  # what OpenRLHF sets for agents
    assert args.critic.model_name_or_path is None  # GRPO: no critic
    assert args.data.max_len == 1024 + 2048 and args.rollout.max_new_tokens == 2048


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
                image_key=None,
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


def test_old_flag_spelling_before_0_10_2():
    assert flag_style("0.10.1") == "old" and flag_style("0.10.2") == "dotted"
    assert flag_style("0.11.2") == "dotted" and flag_style("0.9.8.post1") == "old"
    cmd = build_command(pretrain="m", prompt_data="d", version="0.9.8")
    for flag in (
        "--advantage_estimator",
        "--n_samples_per_prompt",
        "--use_kl_loss",
        "--init_kl_coef",
        "--agent_func_path",
        "--image_key",
        "--pretrain",
    ):
        assert flag in cmd
    assert not [a for a in cmd if a.startswith("--") and "." in a]
    assert cmd[cmd.index("--advantage_estimator") + 1] == "group_norm"
    # the installed (dotted) parser rejects the old spelling: the two styles really differ
    with pytest.raises(SystemExit):
        openrlhf_parse(cli_args(cmd))


def test_installed_version_is_dotted():
    assert launcher.installed_version() == "0.11.2"
    assert "--algo.advantage.estimator" in build_command(pretrain="m", prompt_data="d")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n_samples_per_prompt": 1}, "n_samples_per_prompt >= 2"),
        ({"reward": "remote"}, "needs remote_url"),
        ({"reward": "http"}, "reward must be"),
        ({"num_generations": 8}, "Unknown launch option"),
    ],
)
def test_bad_settings_fail_before_launch(options, message):
    with pytest.raises(InvalidInputError, match=message):
        build_command(pretrain="m", prompt_data="d", **options)


def test_namespace_input_like_the_training_cli():
    ns = argparse.Namespace(pretrain="m", prompt_data="d", n_samples_per_prompt=4, other=1)
    cmd = build_command(ns)
    assert cmd[cmd.index("--rollout.n_samples_per_prompt") + 1] == "4"
