"""``emo-r3 serve``: arguments, and a real server process answering over loopback."""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time

import httpx
import pytest

from agents.cli import available
from agents.cli.serve import add_arguments, config_from_args, parse_preset_args
from rewards.errors import InvalidInputError


def test_arguments_map_to_the_config(monkeypatch, tmp_path):
    monkeypatch.setenv("EMO_R3_SERVER_TOKEN", "tok")
    assert available()["serve"][0] == "agents.cli.serve"
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        [
            "--preset",
            "emo_r3_paper",
            "--preset-arg",
            "l1=0.2",
            "--image-root",
            str(tmp_path),
            "--max-batch",
            "128",
            "--max-wait-ms",
            "2",
            "--max-body-mb",
            "1",
        ]
    )
    config = config_from_args(args)
    assert config.host == "127.0.0.1" and config.port == 8000
    assert config.preset_args == {"l1": 0.2} and config.image_roots == (str(tmp_path),)
    assert (config.max_batch, config.max_wait_ms, config.max_body_bytes) == (128, 2.0, 1 << 20)
    assert config.token == "tok"


def test_preset_args():
    assert parse_preset_args(["l1=0.2", "label_set=emotion6"]) == {
        "l1": 0.2,
        "label_set": "emotion6",
    }
    with pytest.raises(InvalidInputError, match="KEY=VALUE"):
        parse_preset_args(["l1"])


def test_serve_subcommand_runs_a_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agents.cli",
            "serve",
            "--port",
            str(port),
            "--preset",
            "emo_r3_reference",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(url + "/health").json()["preset"] == "emo_r3_reference":
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        reply = httpx.post(
            url + "/get_reward",
            json={"query": ["Q \\boxed{awe}"], "prompts": ["Q "], "labels": ["awe"]},
        )
        assert reply.json()["rewards"] == [1.0]  # 0.8 acc + 0.2 reflective (no judge), no format
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_modules_import_light():
    code = (
        "import sys, agents.serve.app, agents.cli.serve, agents.verl, agents.openrlhf.launcher, "
        "agents.openrlhf.reward_func, agents.common.scorer\n"
        "heavy = [m for m in ('torch', 'fastapi', 'uvicorn', 'openrlhf', 'transformers', "
        "'gymnasium', 'aiohttp') if m in sys.modules]\n"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
