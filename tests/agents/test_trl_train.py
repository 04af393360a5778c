"""GRPO through the real TRL GRPOTrainer with tiny randomly initialised local models.

The judge is a stand-in (no judge model runs here): it answers the consistency question
"yes", "no", "yes", ... so every GRPO group has reward variance, and "none" to the
coherence question (0.5 under the reference scoring). With a random policy accuracy and
format are 0, so every batch's mean reward is exactly 0.1 * 0.5 + 0.1 * 0.5 = 0.1.
"""

from __future__ import annotations

import json

import pytest
import torch
from fixtures.tiny_models import build_tiny_causal_lm, build_tiny_qwen2vl
from PIL import Image

from agents.common.jsonl import read_jsonl
from agents.trl import TrainConfig, build_trainer, load_policy
from emo_env.data import load_dataset
from rewards import presets
from rewards.errors import InvalidInputError

# Real GRPO steps on CPU: ~30 s for the module.
pytestmark = pytest.mark.slow


class AlternatingJudge:
    """Consistency: yes, no, yes, ...; coherence: "none". Records the images it is shown."""

    def __init__(self):
        self.n = 0
        self.images = []

    def __call__(self, requests):
        out = []
        for r in requests:
            if r.kind == "consistency":
                self.images.append(r.image)
                out.append("yes" if self.n % 2 == 0 else "no")
                self.n += 1
            else:
                out.append("none")
        return out


def _snapshot(model):
    return {k: v.detach().clone() for k, v in model.named_parameters()}


def _changed(before, model, prefix=""):
    return [
        k
        for k, v in model.named_parameters()
        if k.startswith(prefix) and not torch.equal(before[k], v.detach())
    ]


@pytest.fixture(scope="module")
def text_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("trl_text")
    policy = load_policy(build_tiny_causal_lm(root / "lm"))
    before = _snapshot(policy.model)
    judge = AlternatingJudge()
    cfg = TrainConfig(  # the paper's path: full fine-tuning, KL 0.01, its prompt
        model=policy.source,
        dataset="embedded",
        prompt_style="paper",
        finetune="full",
        beta=0.01,
        warm_start_steps=0,
        eval_steps=0,
        max_steps=3,
        save_steps=2,
        max_completion_length=12,
        learning_rate=1e-3,
        eval_samples=2,
        output_dir=str(root / "out"),
        print_table=False,
    )
    run = build_trainer(cfg, policy=policy, rubric=presets.get("emo_r3_reference", judge=judge))
    summary = run.train()
    return run, summary, before, judge, cfg


def test_text_run_metrics_have_every_component(text_run):
    run, summary, _, _, _ = text_run
    records = read_jsonl(run.recorder.metrics_path)
    train = [r for r in records if r["split"] == "train"]
    evals = [r for r in records if r["split"] == "eval"]
    assert [r["step"] for r in train] == [1, 2, 3]
    assert [r["step"] for r in evals] == [0, 3]
    for r in train + evals:
        assert set(r["components"]) == {"accuracy", "format", "consistency", "coherence"}
        assert r["components"]["consistency"] == pytest.approx(0.5)
        assert r["components"]["coherence"] == pytest.approx(0.5)
        assert r["accuracy"] == 0.0 and r["format_rate"] == 0.0
        assert r["reward"] == pytest.approx(0.1, abs=1e-6)
        assert 0 < r["completion_length"] <= 12
    for r in train:
        assert r["kl"] is not None and r["kl"] >= 0.0  # beta 0.01: a reference pass
        assert r["step_seconds"] > 0 and 0 <= r["reward_share"] < 1
    assert [r["n"] for r in evals] == [2, 2]  # greedy, one completion per held-out prompt
    assert summary["final_eval"]["accuracy"] == 0.0 and summary["steps"] == 3


def test_text_run_files(text_run):
    run, _, _, _, cfg = text_run
    out = run.output_dir
    assert (out / "reward_curve.png").read_bytes()[:4] == b"\x89PNG"
    rollouts = read_jsonl(out / "rollouts.jsonl")
    assert len(rollouts) == 4 * 3 + 2 * 2  # 3 train logs (4 samples), 2 evaluations (2)
    w = {"accuracy": 0.8, "format": 0.1, "consistency": 0.1, "coherence": 0.1}
    for r in rollouts:
        assert r["label"] in {"amusement", "anger", "awe", "contentment", "disgust",
                              "excitement", "fear", "sadness"}  # fmt: skip
        assert r["reward"] == pytest.approx(sum(w[k] * v for k, v in r["components"].items()))
        assert r["prompt"].startswith("Image description: ")
    saved = json.loads((out / "summary.json").read_text())
    assert saved["steps"] == 3 and saved["config"]["max_steps"] == cfg.max_steps
    assert (out / "checkpoint-2").is_dir() and (out / "checkpoint-3").is_dir()
    final = out / "final"  # full weights, no optimizer state, and the run's prompt settings
    assert (final / "model.safetensors").is_file() and not (final / "optimizer.pt").exists()
    run_file = json.loads((final / "emo_r3_run.json").read_text())
    assert (run_file["prompt_style"], run_file["adapter"]) == ("paper", False)


def test_text_run_changed_parameters(text_run):
    run, _, before, _, _ = text_run
    assert len(_changed(before, run.trainer.model)) > 0


def test_text_run_images_reach_rewards(text_run):
    _, _, _, judge, _ = text_run
    ds = load_dataset("embedded", split="train")
    sizes = {img.size for img in ds["image"]}
    assert judge.images and all(isinstance(i, Image.Image) for i in judge.images)
    assert {i.size for i in judge.images} <= sizes | {
        img.size for img in load_dataset("embedded", split="test")["image"]
    }


def test_resume_from_latest_checkpoint(text_run):
    run, _, _, _, cfg = text_run
    resumed = TrainConfig(**{**cfg.as_dict(), "max_steps": 4, "resume_from_checkpoint": "latest"})
    judge = AlternatingJudge()
    new = build_trainer(resumed, rubric=presets.get("emo_r3_reference", judge=judge))
    summary = new.train()
    assert summary["steps"] == 4 and summary["initial_eval"] is None
    steps = [
        r["step"] for r in read_jsonl(run.output_dir / "metrics.jsonl") if r["split"] == "train"
    ]
    assert steps == [1, 2, 3, 4]


def test_vlm_run_image_reaches_reward_and_vision_weights_change(tmp_path):
    policy = load_policy(build_tiny_qwen2vl(tmp_path / "vlm"))
    assert policy.is_vlm
    before = _snapshot(policy.model)
    rows = load_dataset("embedded", split="train").select(range(2))
    judge = AlternatingJudge()
    cfg = TrainConfig(
        model=policy.source,
        max_steps=2,
        num_generations=2,
        prompts_per_step=1,
        max_completion_length=6,
        learning_rate=1e-3,
        eval_split=None,
        finetune="full",
        warm_start_steps=0,
        output_dir=str(tmp_path / "out"),
        print_table=False,
        # a random model never stops within 6 tokens; masked truncations would zero the loss
        trainer_kwargs={"mask_truncated_completions": False},
    )
    rubric = presets.get("emo_r3_reference", judge=judge)
    run = build_trainer(cfg, policy=policy, train_dataset=rows, rubric=rubric)
    assert "Image description" not in run.trainer.train_dataset[0]["prompt"][0]["content"]
    run.train()
    assert len(judge.images) == 4
    assert all(isinstance(i, Image.Image) for i in judge.images)
    assert {i.size for i in judge.images} <= {img.size for img in rows["image"]}
    changed = _changed(before, run.trainer.model)
    assert any("visual" in k for k in changed), changed[:5]


def test_policy_judges_itself_with_live_weights(tmp_path):
    policy = load_policy(build_tiny_causal_lm(tmp_path / "lm"))
    cfg = TrainConfig(
        model=policy.source,
        preset="emo_r3_reference",
        judge="policy",
        max_steps=1,
        num_generations=2,
        prompts_per_step=1,
        max_completion_length=6,
        eval_split=None,
        warm_start_steps=0,
        output_dir=str(tmp_path / "out"),
        print_table=False,
    )
    run = build_trainer(cfg, policy=policy)
    reflective = run.rewards.rubric.funcs[2]
    assert type(reflective.judge).__name__ == "PolicyJudge"
    assert reflective.judge.generator.model is run.trainer.model
    run.train()
    assert reflective.stats["requests"] == 4  # two questions for each of two rollouts
    assert run.trainer.model.training  # the judge restored training mode


def test_trainer_from_an_environment(tmp_path):
    import gymnasium as gym

    import emo_env  # noqa: F401  (registers the ids)

    env = gym.make("EmoReason-v0")
    policy = load_policy(build_tiny_causal_lm(tmp_path / "lm"))
    cfg = TrainConfig(model=policy.source, eval_split=None, output_dir=str(tmp_path / "o"))
    run = build_trainer(cfg, policy=policy, env=env)
    assert run.rewards.rubric is env.unwrapped.rubric
    assert len(run.trainer.train_dataset) == len(env.unwrapped.dataset)
    assert set(run.trainer.train_dataset["id"]) == set(env.unwrapped.dataset["id"])
    with pytest.raises(InvalidInputError, match="must be an emo_env environment"):
        build_trainer(cfg, policy=policy, env=object())
