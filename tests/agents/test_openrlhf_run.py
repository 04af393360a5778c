"""``emo-r3 train --backend openrlhf``: files written, settings carried, command parsed.

The written command is parsed by the installed OpenRLHF's own ``train_ppo_ray``
argument parser, and the written prompt data is read back by OpenRLHF's own prompt
preprocessing with the tiny VLM's processor.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.tiny_models import build_tiny_causal_lm, build_tiny_qwen2vl
from openrlhf.datasets.prompts_dataset import preprocess_data
from openrlhf_parser import cli_args, openrlhf_parse

from agents.cli import main as emo_main
from agents.common.labels import decode_label
from agents.openrlhf import launcher
from agents.openrlhf.run import detect_vision, prepare_run
from agents.openrlhf.settings import Settings
from rewards.errors import EmoError, InvalidInputError
from rewards.prompts import question, render_reference


@pytest.fixture(scope="module")
def vlm(tmp_path_factory):
    return build_tiny_qwen2vl(tmp_path_factory.mktemp("vl"))


@pytest.fixture(scope="module")
def lm(tmp_path_factory):
    return build_tiny_causal_lm(tmp_path_factory.mktemp("lm"))


def command_of(out: Path) -> list[str]:
    return json.loads((out / "openrlhf_run.json").read_text())["command"]


def test_reference_run_for_a_local_vlm(vlm, tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", "--backend", "openrlhf", "--preset", "emo_r3_reference", "--model", vlm]
    code = emo_main([*argv, "--split", "test", "--output-dir", str(out)])
    assert code == 3  # no GPU here: files written, then a clear stop
    printed = capsys.readouterr()
    assert "No CUDA GPU" in printed.err and "openrlhf_command.sh" in printed.err
    assert "openrlhf.cli.train_ppo_ray" in printed.out

    command = command_of(out)
    args = openrlhf_parse(cli_args(command))
    # the paper's settings
    assert args.actor.model_name_or_path == vlm
    assert args.actor.adam.lr == 2e-6 and args.rollout.n_samples_per_prompt == 8
    assert args.rollout.temperature == 1.0 and args.rollout.max_new_tokens == 2048
    assert (args.algo.kl.use_loss, args.algo.kl.init_coef, args.algo.kl.estimator) == (
        True,
        0.01,
        "k3",
    )
    assert args.rollout.batch_size == 512 and args.train.num_episodes == 20
    assert args.algo.advantage.estimator == "group_norm"
    # a VLM (detected from its config): image flags
    assert args.data.max_images_per_prompt == 1 and args.data.image_key == "images"
    # the agent, with the preset and the judge in the exported settings
    assert Path(args.train.agent_func_path).is_file()
    script = (out / "openrlhf_command.sh").read_text()
    assert "export EMO_R3_PRESET=emo_r3_reference\n" in script
    env = json.loads((out / "openrlhf_run.json").read_text())["env"]
    settings = Settings.from_env(env)
    assert settings.preset == "emo_r3_reference" and settings.preset_args == {"judge": "policy"}
    assert settings.judge_max_tokens == 2048  # the reference's cap on reflective answers
    assert settings.image_roots == (str((out / "data" / "images").resolve()),)

    # the prompt dataset the command points at exists and OpenRLHF reads it
    data = Path(args.data.prompt_dataset)
    assert data.is_file() and data.parent == (out / "data").resolve()
    from transformers import AutoProcessor

    processor = AutoProcessor.from_pretrained(vlm)
    rows = [json.loads(line) for line in data.read_text().splitlines()]
    assert rows
    for row in rows:
        prompt, label = preprocess_data(
            row, None, args.data.input_key, args.data.label_key, processor.apply_chat_template
        )
        assert prompt.startswith("<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>")
        info = decode_label(label)
        # the authors' template, byte for byte, for the reference preset's run
        assert render_reference(question(info.label_set)) in prompt
        assert Path(row["images"][0]).is_file()
        assert (Path(settings.image_roots[0]) / info.image).is_file()


def test_text_only_local_model_and_overrides(lm, tmp_path):
    out = tmp_path / "run"
    argv = ["train", "--backend", "openrlhf", "--model", lm, "--split", "test"]
    argv += ["--num-generations", "4", "--learning-rate", "1e-6", "--judge", "none"]
    argv += ["--max-completion-length", "512", "--epochs", "3", "--gpus-per-node", "4"]
    argv += ["--vllm-engines", "4", "--preset-arg", "l1=0.2", "--output-dir", str(out)]
    assert emo_main(argv) == 3
    args = openrlhf_parse(cli_args(command_of(out)))
    assert args.data.max_images_per_prompt == 0  # text-only: no image flags
    assert args.rollout.n_samples_per_prompt == 4 and args.train.batch_size == 256 * 4
    assert args.actor.adam.lr == 1e-6 and args.rollout.max_new_tokens == 512
    assert args.train.num_episodes == 3 and args.actor.num_gpus_per_node == 4
    settings = Settings.from_env(json.loads((out / "openrlhf_run.json").read_text())["env"])
    assert settings.preset == "emo_r3_paper"  # the VLM training default
    assert settings.preset_args == {"l1": 0.2, "judge": "none"}
    row = json.loads(Path(args.data.prompt_dataset).read_text().splitlines()[0])
    assert row["prompt"].startswith("Image description:") and "images" not in row


def test_grpo_baseline_asks_no_question_and_uses_think(tmp_path):
    run = prepare_run(tmp_path, preset="grpo_baseline", split="test", vision=False)
    assert run.settings.preset_args == {"judge": "preset"}
    row = json.loads(Path(run.config.prompt_data).read_text().splitlines()[0])
    assert "<think>" in row["prompt"]
    with pytest.raises(InvalidInputError, match="asks no reflective question"):
        prepare_run(tmp_path, preset="grpo_baseline", judge="policy", vision=False)


def test_existing_prompt_data_and_a_ray_cluster(tmp_path):
    run = prepare_run(
        tmp_path, prompt_data="/data/p.jsonl", vision=True, ray_address="http://head:8265"
    )
    assert not (tmp_path / "data").exists()
    env = json.loads(run.command[run.command.index("--runtime-env-json") + 1])["env_vars"]
    assert Settings.from_env(env) == run.settings
    assert openrlhf_parse(cli_args(run.command)).data.prompt_dataset == "/data/p.jsonl"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"model": "someone/some-model"}, "pass --vision or --text-only"),
        ({"reward": "func", "judge": "policy", "vision": False}, "cannot reach the policy"),
        ({"preset": "emo_r3_referense", "vision": False}, "Did you mean 'emo_r3_reference'"),
        ({"preset_args": {"l9": 1}, "vision": False}, "l9"),
    ],
)
def test_bad_runs_are_refused_before_anything_is_written(tmp_path, options, message):
    with pytest.raises(EmoError, match=message):
        prepare_run(tmp_path / "run", prompt_data="p.jsonl", **options)
    assert not (tmp_path / "run").exists()


def test_modality_detection(vlm, lm):
    assert detect_vision(vlm) is True and detect_vision(lm) is False
    assert detect_vision("Qwen/Qwen2.5-VL-7B-Instruct") is True
    assert detect_vision("llava-hf/llava-1.5-7b-hf") is True
    assert detect_vision("Qwen/Qwen2.5-7B-Instruct") is None  # a flag must say it


def test_launcher_module_is_the_same_command_line(tmp_path, capsys):
    out = tmp_path / "run"
    assert launcher.main(["--text-only", "--split", "test", "--output-dir", str(out)]) == 3
    assert "OpenRLHF run: preset emo_r3_paper" in capsys.readouterr().out
    assert openrlhf_parse(cli_args(command_of(out))).data.max_images_per_prompt == 0
    done = subprocess.run(
        [sys.executable, "-m", "agents.openrlhf.launcher", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--prompts-per-step" in done.stdout and "OpenRLHF backend" in done.stdout
