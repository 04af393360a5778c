"""The ``emo-r3 train`` sub-command and examples/train_grpo.py."""

from __future__ import annotations

import argparse
import runpy
import sys

import pytest
from fixtures.tiny_models import build_tiny_causal_lm

from agents.cli import main as emo_main
from agents.cli import train as train_cli
from agents.common.jsonl import read_jsonl
from agents.trl.config import DEFAULT_MODEL, TrainConfig


def _parse(argv):
    return train_cli.add_arguments(argparse.ArgumentParser()).parse_args(argv)


def test_defaults_are_the_offline_demo():
    cfg = train_cli.config_from_args(_parse([]))
    assert cfg == TrainConfig(model=DEFAULT_MODEL)
    assert (cfg.preset, cfg.dataset, cfg.judge, cfg.prompt_style, cfg.finetune) == (
        "emo_r3_offline",
        "captions",
        "preset",
        "compact",
        "lora",
    )


def test_flags_reach_the_config():
    argv = "--model m --preset emo_r3_paper --judge policy --num-generations 8 --max-steps 5 "
    argv += "--max-completion-length 33 --learning-rate 0.001 --output-dir o --seed 7 --no-eval "
    argv += "--prompt-style paper --one-shot --finetune full --warm-start-steps 0 --lora-rank 4 "
    argv += "--dtype float32 --eval-temperature 0.7 --eval-steps 5 --scale-rewards group"
    cfg = train_cli.config_from_args(_parse(argv.split()))
    assert (cfg.model, cfg.preset, cfg.judge, cfg.num_generations, cfg.max_steps) == (
        "m",
        "emo_r3_paper",
        "policy",
        8,
        5,
    )
    assert (cfg.max_completion_length, cfg.learning_rate, cfg.output_dir, cfg.seed) == (
        33,
        0.001,
        "o",
        7,
    )
    assert cfg.eval_split is None
    assert (cfg.prompt_style, cfg.one_shot, cfg.finetune, cfg.warm_start_steps) == (
        "paper",
        True,
        "full",
        0,
    )
    assert (cfg.lora_rank, cfg.dtype, cfg.eval_temperature, cfg.eval_steps) == (
        4,
        "float32",
        0.7,
        5,
    )
    assert cfg.scale_rewards == "group"


def test_bad_flag_value_is_a_clear_error(capsys):
    assert emo_main(["train", "--num-generations", "1", "--output-dir", "x"]) == 2
    assert "num_generations must be at least 2" in capsys.readouterr().err


def test_openrlhf_backend_writes_command_and_stops_without_gpu(tmp_path, capsys):
    code = emo_main(
        ["train", "--backend", "openrlhf", "--num-generations", "4", "--output-dir", str(tmp_path)]
    )
    assert code == 3
    script = (tmp_path / "openrlhf_command.sh").read_text()
    assert "openrlhf.cli.train_ppo_ray" in script
    assert "Qwen/Qwen2.5-VL-3B-Instruct" in script  # the paper's policy, not the CPU demo's
    assert DEFAULT_MODEL not in script
    assert (tmp_path / "data" / "prompts_train.jsonl").is_file()
    out = capsys.readouterr()
    assert "No CUDA GPU" in out.err and "openrlhf.cli.train_ppo_ray" in out.out


def test_example_script_trains_tiny_model(tmp_path, monkeypatch, capsys):
    model = build_tiny_causal_lm(tmp_path / "lm")
    out = tmp_path / "run"
    argv = ["train_grpo.py", "--model", model, "--preset", "emo_r3_paper", "--max-steps", "1"]
    argv += ["--num-generations", "2", "--prompts-per-step", "1", "--max-completion-length", "8"]
    argv += ["--no-eval", "--warm-start-steps", "0", "--output-dir", str(out)]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as done:
        runpy.run_path("examples/train_grpo.py", run_name="__main__")
    assert done.value.code == 0
    printed = capsys.readouterr().out
    assert "reward" in printed and "Done: 1 GRPO steps" in printed
    records = read_jsonl(out / "metrics.jsonl")
    assert [r["step"] for r in records] == [1]
    # no judge: the reflective components count 1; a random policy has no format/accuracy
    assert records[0]["components"] == {
        "accuracy": 0.0,
        "format": 0.0,
        "consistency": 1.0,
        "coherence": 1.0,
    }
    assert records[0]["reward"] == pytest.approx(0.1, abs=1e-6)
    for name in ("rollouts.jsonl", "reward_curve.png", "summary.json"):
        assert (out / name).is_file()
