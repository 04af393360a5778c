"""Prompt datasets for OpenRLHF, read back with OpenRLHF's own preprocess_data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures.tiny_models import build_tiny_causal_lm
from openrlhf.datasets.prompts_dataset import preprocess_data

from agents.common.images import ImageResolver
from agents.common.labels import decode_label
from agents.openrlhf.data import write_prompt_dataset
from emo_env.data import load_dataset


@pytest.fixture(scope="module")
def render(tmp_path_factory):
    """A Qwen-style policy tokenizer's apply_chat_template, as OpenRLHF passes it."""
    from transformers import AutoTokenizer

    path = build_tiny_causal_lm(tmp_path_factory.mktemp("lm"))
    return AutoTokenizer.from_pretrained(path).apply_chat_template


def test_vision_dataset(tmp_path, render):
    path = write_prompt_dataset(tmp_path, split="test")
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    gold = load_dataset("embedded", split="test")
    assert len(rows) == len(gold)
    resolver = ImageResolver([tmp_path / "images"])
    for row, sample in zip(rows, gold, strict=True):
        prompt, label = preprocess_data(row, None, "prompt", "label", render)
        assert prompt.startswith("<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>")
        assert "Which emotion does this image evoke?" in prompt
        info = decode_label(label)
        assert (info.label, info.label_set) == (sample["label"], sample["label_set"])
        assert Path(row["images"][0]).is_file()
        assert resolver.load(resolver.check(info)).size == sample["image"].size


def test_text_only_dataset(tmp_path, render):
    path = write_prompt_dataset(tmp_path, split="test", vision=False, template="think")
    row = json.loads(path.read_text().splitlines()[0])
    prompt, _ = preprocess_data(row, None, "prompt", "label", render)
    caption = load_dataset("embedded", split="test")[0]["caption"]
    assert prompt.startswith(f"<|im_start|>user\nImage description: {caption}")
    assert "<think>" in prompt and "images" not in row
