"""The SFT baseline: templated SET targets, TRL's SFTTrainer on tiny local models."""

from __future__ import annotations

import json

import pytest
from fixtures.tiny_models import build_tiny_causal_lm, build_tiny_qwen2vl

from agents.cli import main as emo_main
from agents.common.jsonl import read_jsonl
from agents.trl.sft import SFTRunConfig, build_sft_trainer
from agents.trl.sft_data import NO_CAPTION, sft_dataset, sft_target
from emo_env.data import load_dataset
from rewards import presets
from rewards.errors import EmoError
from rewards.labels import get_label_set


def test_target_text_is_the_template():
    assert sft_target("Joy", "emotion6", "  Kids  laugh\nin a park. ") == (
        "<step1>Kids laugh in a park.</step1>\n"
        "<step2>A person looking at it would feel joy.</step2>\n"
        "<step3>Positive, high arousal.</step3>\n"
        "\\boxed{joy}"
    )
    assert sft_target("contentment", "mikels8").startswith(f"<step1>{NO_CAPTION}</step1>")


@pytest.mark.parametrize("label_set", ["mikels8", "emotion6"])
@pytest.mark.parametrize("preset", ["emo_r3_reference", "emo_r3_paper", "emo_r3_robust"])
def test_every_target_scores_format_and_accuracy_one(label_set, preset):
    labels = list(get_label_set(label_set).names)
    targets = [sft_target(label, label_set, "A scene.") for label in labels]
    results = presets.build(preset).score_batch(
        targets, labels, label_set=[label_set] * len(labels)
    )
    for label, result in zip(labels, results, strict=True):
        assert result.components["format"] == 1.0, label
        assert result.components["accuracy"] == 1.0, label


def test_dataset_rows_are_the_grpo_prompt_and_the_target():
    data = load_dataset("embedded", "train")
    text = sft_dataset(data, vlm=False)
    row, sample = text[0], data[0]
    assert text.column_names == ["prompt", "completion"]
    assert row["prompt"][0]["content"].startswith(f"Image description: {sample['caption']}")
    assert row["completion"] == [
        {
            "role": "assistant",
            "content": sft_target(sample["label"], sample["label_set"], sample["caption"]),
        }
    ]
    vision = sft_dataset(data, vlm=True, template="reference", limit=3)
    assert vision.column_names == ["image", "prompt", "completion"] and len(vision) == 3
    assert "You First think" in vision[0]["prompt"][0]["content"]
    assert "Image description" not in vision[0]["prompt"][0]["content"]


def test_bad_inputs_are_refused():
    data = load_dataset("embedded", "train")
    with pytest.raises(EmoError, match="SET responses"):
        sft_dataset(data, vlm=False, template="think")
    with pytest.raises(EmoError, match="needs an image in every row"):
        sft_dataset(load_dataset("captions", "test"), vlm=True)
    with pytest.raises(EmoError, match="batch_size"):
        SFTRunConfig(batch_size=0)


def test_cli_trains_two_steps_and_writes_the_files(tmp_path, capsys):
    model = build_tiny_causal_lm(tmp_path / "lm")
    out = tmp_path / "sft"
    argv = ["sft", "--model", model, "--max-steps", "2", "--batch-size", "2"]
    assert emo_main([*argv, "--threads", "1", "--output-dir", str(out)]) == 0
    assert "Done: 2 SFT steps" in capsys.readouterr().out
    summary = json.loads((out / "sft_summary.json").read_text())
    assert summary["steps"] == 2 and summary["final_eval_loss"] is not None
    records = read_jsonl(out / "metrics.jsonl")
    assert [r["step"] for r in records if "loss" in r] == [1, 2]
    assert all(r["loss"] > 0 for r in records if "loss" in r)
    targets = read_jsonl(out / "targets_sample.jsonl")
    assert targets[0]["completion"][0]["content"].endswith("\\boxed{amusement}")
    from transformers import AutoModelForCausalLM

    reloaded = AutoModelForCausalLM.from_pretrained(out / "model")  # the fine-tuned policy
    assert reloaded.config.model_type == "qwen2"


def test_a_vlm_learns_from_the_images(tmp_path):
    config = SFTRunConfig(
        model=build_tiny_qwen2vl(tmp_path / "vl"),
        max_steps=2,
        batch_size=2,
        eval_split=None,
        output_dir=str(tmp_path / "out"),
    )
    run = build_sft_trainer(config)
    vision = {
        n: p.detach().clone() for n, p in run.policy.model.named_parameters() if "visual" in n
    }
    summary = run.train()
    now = dict(run.policy.model.named_parameters())
    assert summary["steps"] == 2 and summary["final_train_loss"] > 0
    assert any(not bool((now[n] == before).all()) for n, before in vision.items())
