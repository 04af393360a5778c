"""Plain ``trl.GRPOTrainer`` (no emo-r3 driver) on an emo_env dataset with a text-only policy.

An emo_env row has an ``image`` column (None for the caption benchmark). TRL takes any
``image`` column as a sign of a multimodal run and rewrites the prompts for a vision
processor, which a text-only model cannot take (SmolLM2's template fails with
``TypeError: can only concatenate str (not "list") to str``; the tiny Qwen2 tokenizer
here with ``KeyError: 'pixel_values'``). ``agents.trl.prompt_dataset(ds, vlm=False)``
writes the prompts and moves the image to ``source_image``; with it the same plain
trainer runs, and ``RubricRewards`` hands the image back to the rubric as ``image``.
"""

from __future__ import annotations

import pytest
from fixtures.tiny_models import build_tiny_causal_lm
from trl import GRPOConfig, GRPOTrainer

from agents.trl import RubricRewards, prompt_dataset
from emo_env.data import load_dataset
from rewards import presets
from rewards.prompts import build_prompt
from rewards.rubric import Rubric
from rewards.rules import AccuracyReward


def _args(tmp_path):
    return GRPOConfig(
        output_dir=str(tmp_path / "out"),
        per_device_train_batch_size=4,
        num_generations=2,
        max_completion_length=6,
        max_steps=1,
        use_cpu=True,
        bf16=False,
        report_to="none",
        remove_unused_columns=False,
        gradient_checkpointing=False,
        save_strategy="no",
    )


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return build_tiny_causal_lm(tmp_path_factory.mktemp("plain") / "lm")


def test_the_image_column_left_in_breaks_plain_trl_for_a_text_model(model, tmp_path):
    rows = load_dataset("captions", split="train").select(range(4))
    rows = rows.map(
        lambda r: {
            "prompt": [
                {"role": "user", "content": build_prompt(r["label_set"], "set", r["caption"])}
            ]
        }
    )
    assert "image" in rows.column_names
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=[presets.get("emo_r3_paper")],
        args=_args(tmp_path),
        train_dataset=rows,
    )
    with pytest.raises((TypeError, KeyError)):  # TRL's multimodal path on a text model
        trainer.train()


def test_prompt_dataset_makes_plain_trl_work_and_images_still_reach_the_rubric(model, tmp_path):
    data = load_dataset("embedded", split="train").select(range(4))
    rows = prompt_dataset(data, vlm=False)
    assert "image" not in rows.column_names and "source_image" in rows.column_names
    seen = []

    def probe(prompts, completions, image=None, **kwargs):
        seen.extend(getattr(i, "size", None) for i in image)
        return [0.0] * len(completions)

    rubric = Rubric([AccuracyReward("set", "exact", "mikels8"), probe], {"accuracy": 1, "probe": 0})
    shared = RubricRewards(rubric)
    args = _args(tmp_path)
    args.reward_weights = shared.weights()
    trainer = GRPOTrainer(
        model=model, reward_funcs=shared.functions(), args=args, train_dataset=rows
    )
    trainer.train()
    assert trainer.state.global_step == 1 and shared.stats["rubric_calls"] == 1
    # the rubric saw the dataset's images under `image` (RubricRewards maps them back)
    assert len(seen) == 4 and set(seen) <= {img.size for img in data["image"]}
