"""The reward-function file driven by OpenRLHF's own SingleTurnAgentExecutor."""

from __future__ import annotations

import asyncio
import json

import pytest
import torch
from fixtures.tiny_models import build_tiny_causal_lm
from openrlhf.utils.agent import SingleTurnAgentExecutor
from openrlhf_standins import CannedEngine, SamplingParams

import agents.openrlhf.reward_func as reward_module
from agents.common.labels import encode_label
from rewards.errors import EmoError

GOOD = (
    "<step1>A storm hits a tiny boat.</step1><step2>Scared.</step2>"
    "<step3>Negative, high arousal.</step3> \\boxed{fear}"
)


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(build_tiny_causal_lm(tmp_path_factory.mktemp("lm")))


@pytest.fixture(autouse=True)
def fresh_scorer(monkeypatch):
    monkeypatch.setattr(reward_module, "_SCORER", None)


def test_single_turn_executor_scores_through_the_file(tokenizer, monkeypatch):
    monkeypatch.setenv("EMO_R3_PRESET", "emo_r3_reference")
    executor = SingleTurnAgentExecutor(remote_rm_url=reward_module.__file__)
    assert executor.reward_func is not None  # OpenRLHF loaded reward_func from the file
    responses = {"fear": GOOD, "awe": GOOD}  # right for fear, wrong for awe

    async def main():
        outs = []
        for label in ("fear", "awe"):
            engine = CannedEngine(tokenizer, lambda _, lbl=label: responses[lbl])
            outs.append(
                await executor.execute(
                    "<|im_start|>user\nWhich emotion?<|im_end|>\n<|im_start|>assistant\n",
                    encode_label(label),
                    SamplingParams(max_tokens=None),
                    512,
                    tokenizer,
                    engine,
                )
            )
        return outs

    fear, awe = asyncio.run(main())
    # reference: 0.8 acc + 0.1 format + 0.1 (coh + cons) with no judge (both 1) = 1.1
    assert fear["reward"].tolist() == pytest.approx([1.1])
    assert fear["scores"].tolist() == pytest.approx([1.0])  # 1.1 is the top of [0, 1.1]
    assert awe["reward"].tolist() == pytest.approx([0.3])
    assert awe["extra_logs"]["accuracy"].tolist() == [0.0]
    assert fear["extra_logs"]["format"].tolist() == [1.0]


def test_reward_func_contract():
    q = "PROMPT " + GOOD + "<|im_end|>"
    out = reward_module.reward_func(
        [q, q], ["PROMPT ", "PROMPT "], ["fear", json.dumps({"label": "sadness"})]
    )
    assert isinstance(out["rewards"], torch.Tensor) and out["rewards"].dtype == torch.float32
    assert out["rewards"].tolist() == pytest.approx([1.0, 0.2])
    assert out["scores"].tolist() == pytest.approx([1.0, 0.2])
    assert set(out["extra_logs"]) == {
        "accuracy",
        "format",
        "consistency",
        "coherence",
        "not_applicable",
    }


def test_bad_labels_raise_clearly():
    with pytest.raises(EmoError, match="Did you mean 'sadness'"):
        reward_module.reward_func(["x"], [""], ["sadnes"])
    with pytest.raises(EmoError, match="same length"):
        reward_module.reward_func(["x", "y"], [""], ["fear"])
