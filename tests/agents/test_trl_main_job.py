"""The main job's default path end to end with a tiny local model, through the real TRL trainer.

Caption benchmark, compact prompt, format warm start on the worked examples, LoRA
adapters with merged-copy sampling, two GRPO steps, greedy held-out evaluation before,
during and after: checks the metrics file, the curve, the summary and the saved adapter.
"""

from __future__ import annotations

import json

import pytest
import torch
from fixtures.tiny_models import build_tiny_causal_lm

from agents.common.jsonl import read_jsonl
from agents.trl import TrainConfig, build_trainer, load_policy
from agents.trl.merged import MergedGenerator
from agents.trl.policy import add_lora
from emo_env.data import load_dataset

RECORD_KEYS = {"step", "split", "reward", "components", "accuracy", "format_rate"}
RECORD_KEYS |= {"consistency", "coherence", "completion_length"}
SUMMARY_KEYS = {"steps", "warm_start", "initial_eval", "final_eval", "evals", "files", "config"}


@pytest.fixture(scope="module")
def main_job(tmp_path_factory):
    root = tmp_path_factory.mktemp("main_job")
    cfg = TrainConfig(
        model=build_tiny_causal_lm(root / "lm"),
        preset="emo_r3_paper",  # no reward model to load: the test stays fast
        judge="none",
        warm_start_steps=2,
        max_steps=2,
        eval_steps=1,
        eval_samples=6,
        max_completion_length=10,
        learning_rate=1e-3,
        warmup_steps=0,
        output_dir=str(root / "out"),
        print_table=False,
    )
    train = load_dataset("captions", split="train").select(range(16))
    run = build_trainer(cfg, train_dataset=train)
    before = {k: v.detach().clone() for k, v in run.policy.model.named_parameters()}
    summary = run.train()
    return run, summary, before, cfg


def test_defaults_are_the_fast_main_job():
    cfg = TrainConfig()
    assert (cfg.dataset, cfg.prompt_style, cfg.finetune, cfg.beta) == (
        "captions",
        "compact",
        "lora",
        0.0,
    )
    assert cfg.eval_samples == 0 and cfg.eval_temperature == 0.0  # the whole test split
    assert cfg.warm_start_steps > 0 and cfg.eval_steps > 0


def test_metrics_file_has_documented_keys_and_eval_points(main_job):
    run, _, _, cfg = main_job
    records = read_jsonl(run.recorder.metrics_path)
    train = [r for r in records if r["split"] == "train"]
    evals = [r for r in records if r["split"] == "eval"]
    assert [r["step"] for r in train] == [1, 2]
    # before GRPO (after the warm start), after step 1, after GRPO (step 2)
    assert [r["step"] for r in evals] == [0, 1, 2]
    assert [r.get("phase") for r in evals] == ["before GRPO", None, "after GRPO"]
    for r in records:
        assert set(r) >= RECORD_KEYS
        assert set(r["components"]) == {"accuracy", "format", "consistency", "coherence"}
    for r in evals:
        assert r["n"] == 6 and 0 < r["completion_length"] <= 10
    for r in train:
        # the learning rate TRL used (constant schedule), as its own log history says
        assert r["learning_rate"] == pytest.approx(cfg.learning_rate)
        history = [h for h in run.trainer.state.log_history if h.get("step") == r["step"]]
        assert history[0]["learning_rate"] == r["learning_rate"]
        assert r["kl"] is None  # beta 0: no reference-model pass


def test_trainer_gets_the_run_settings(main_job):
    run, _, _, cfg = main_job
    args = run.trainer.args
    assert (args.scale_rewards, args.num_generations, args.beta) == ("group", 4, 0.0)
    assert args.per_device_train_batch_size == cfg.prompts_per_step * cfg.num_generations


def test_curve_and_summary(main_job):
    run, summary, _, _ = main_job
    out = run.output_dir
    assert (out / "reward_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads((out / "summary.json").read_text())
    assert set(saved) >= SUMMARY_KEYS
    assert saved["steps"] == 2 and len(saved["evals"]) == 3
    assert saved["warm_start"]["steps"] == 2 and saved["warm_start"]["examples"] == 40
    assert saved["initial_eval"]["phase"] == "before GRPO"
    assert saved["final_eval"] == summary["final_eval"]


def test_only_the_adapter_is_saved_with_the_prompt_settings(main_job):
    run, _, _, _ = main_job
    final = run.output_dir / "final"
    names = {p.name for p in final.iterdir()}
    assert {"adapter_model.safetensors", "adapter_config.json", "emo_r3_run.json"} <= names
    assert "model.safetensors" not in names
    assert not list(run.output_dir.rglob("optimizer.pt"))  # no optimizer state by default
    assert not list(run.output_dir.glob("checkpoint-*"))
    settings = json.loads((final / "emo_r3_run.json").read_text())
    assert settings["prompt_style"] == "compact" and settings["adapter"] is True


def test_warm_start_and_grpo_train_only_the_adapters(main_job):
    run, _, before, _ = main_job
    changed = [
        k for k, v in run.policy.model.named_parameters() if not torch.equal(before[k], v.detach())
    ]
    assert changed and all("lora_" in k for k in changed)


def test_merged_generation_matches_the_adapter_model(tmp_path):
    policy = add_lora(load_policy(build_tiny_causal_lm(tmp_path / "lm")))
    model = policy.model
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5)
    x = torch.randint(5, 100, (3, 7))
    options = {"attention_mask": torch.ones_like(x), "max_new_tokens": 8, "do_sample": False}
    with torch.no_grad():
        plain = model.generate(x, **options)
        merged = MergedGenerator(model)
        assert torch.equal(merged.generate(x, **options), plain)
        merged.generate(x, **options)
        assert merged.syncs == 1  # adapters unchanged: no second merge
        for name, p in model.named_parameters():
            if "lora_A" in name:
                p.mul_(3)
        again = merged.generate(x, **options)
        assert merged.syncs == 2 and torch.equal(again, model.generate(x, **options))


def test_eval_of_the_saved_run_asks_the_training_prompt(main_job, tmp_path):
    from agents.common.prompts import find_run_file, read_run_settings
    from agents.evaluation.generate import HFBackend
    from agents.evaluation.harness import evaluate

    run, _, _, _ = main_job
    final = run.output_dir / "final"
    settings = read_run_settings(find_run_file(final))
    assert (settings.prompt_style, settings.one_shot) == ("compact", False)
    assert settings.max_completion_length == run.config.max_completion_length
    backend = HFBackend(str(final), max_new_tokens=10)
    rows = load_dataset("captions", split="test").select(range(3))
    result = evaluate(
        rows, backend, output_dir=tmp_path / "eval", preset="emo_r3_paper", plots=False,
        progress=False, prompt=settings,
    )  # fmt: skip
    assert len(result.records) == 3
    assert all(r["prompt"].startswith("Scene: ") for r in result.records)
    # the adapter was loaded on its base: the same greedy answers as the in-run evaluation
    in_run = run.heldout.samples[:3]
    assert [r["prompt"] for r in result.records] == [s["prompt"] for s in in_run]
    assert [r["response"].strip() for r in result.records] == [
        s["completion"].strip() for s in in_run
    ]


def test_merged_generation_follows_a_fused_optimizer_step(tmp_path):
    policy = add_lora(load_policy(build_tiny_causal_lm(tmp_path / "lm")))
    model = policy.model
    merged = MergedGenerator(model)
    x = torch.randint(5, 100, (2, 5))
    merged.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=2)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=0.5, fused=True)  # does not bump _version
    for p in params:
        p.grad = torch.ones_like(p)
    optimizer.step()
    merged.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=2)
    assert merged.syncs == 2
    lora = merged.layers[0][0]
    expected = lora.base_layer.weight.float() + lora.get_delta_weight("default").float()
    assert torch.allclose(
        merged.layers[0][1].weight.float(), expected.to(lora.base_layer.weight.dtype).float()
    )


def test_kl_reference_is_the_warm_started_policy(tmp_path):
    cfg = TrainConfig(
        model=build_tiny_causal_lm(tmp_path / "lm"),
        preset="emo_r3_paper",
        judge="none",
        beta=0.01,
        warm_start_steps=2,
        warm_start_lr=1e-2,
        eval_split=None,
        output_dir=str(tmp_path / "out"),
        print_table=False,
    )
    run = build_trainer(cfg, train_dataset=load_dataset("captions", split="train").select(range(4)))
    model = run.trainer.model
    assert "ref" in model.peft_config  # TRL's frozen copy of the adapter
    run.warm_start()
    params = dict(model.named_parameters())
    pairs = [(k, k.replace(".default.", ".ref.")) for k in params if ".default." in k]
    assert pairs and all(torch.equal(params[a], params[b]) for a, b in pairs)
    assert any(params[a].abs().sum() > 0 for a, _ in pairs if "lora_B" in a)
