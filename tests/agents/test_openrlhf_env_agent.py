"""The agent is general: any registered Gymnasium text env, and VLM rollouts with images.

Run end to end through OpenRLHF's own MultiTurnAgentExecutor code with the stand-in
engine: a tiny environment of the tests' own (``tiny_text_env:TinyQuiz-v0``, two
trained turns, a judge that asks the policy), and EmoReason-v0 / EmoReflect-v0 with a
tiny Qwen2-VL processor, where images reach the policy and its reflective questions.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading

import pytest
from fixtures.tiny_models import build_tiny_causal_lm, build_tiny_qwen2vl
from openrlhf_standins import CannedEngine, SamplingParams
from tiny_text_env import POLITE

from agents.openrlhf.agent import AgentExecutor
from agents.openrlhf.data import write_prompt_dataset
from agents.openrlhf.run import prepare_run
from agents.openrlhf.settings import Settings
from rewards.errors import EmoError
from rewards.judges import COHERENCE_QUESTION, CONSISTENCY_QUESTION

ENV = "tiny_text_env:TinyQuiz-v0"
GOOD = (
    "<step1>A face screams.</step1><step2>People would feel scared.</step2>"
    "<step3>Negative, high arousal.</step3> \\boxed{fear}"
)


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(build_tiny_causal_lm(tmp_path_factory.mktemp("lm")))


@pytest.fixture(scope="module")
def processor(tmp_path_factory):
    from transformers import AutoProcessor

    return AutoProcessor.from_pretrained(build_tiny_qwen2vl(tmp_path_factory.mktemp("vl")))


def quiz_answers(text: str) -> str:
    """The policy: right sums, wrong products, always polite."""
    if POLITE in text:
        return "yes"
    if "x" in text.rsplit("user", 1)[-1]:
        return "It is 100."
    return "The sum is 5."


def execute(executor, prompt, label, tokenizer, engine, images=None):
    return executor.execute(prompt, label, SamplingParams(), 1024, tokenizer, engine, images)


def test_a_custom_environment_end_to_end(tokenizer):
    executor = AgentExecutor(Settings(env_id=ENV))
    engine = CannedEngine(tokenizer, quiz_answers)
    label = json.dumps({"a": 2, "b": 3})
    out = asyncio.run(execute(executor, "ignored prompt", label, tokenizer, engine))
    # turn 1 right (1.0), turn 2 wrong (0.0); no judge
    assert out["reward"] == pytest.approx(1.0)
    assert out["extra_logs"]["correct"].item() == 0.0  # the final step's info
    assert out["extra_logs"]["polite"].item() == 0.0
    assert len(out["action_ranges"]) == 2  # both turns are trained on
    text = tokenizer.decode(out["observation_tokens"])
    assert text.startswith("<|im_start|>user\nWhat is 2 + 3?<|im_end|>\n<|im_start|>assistant\n")
    assert "The sum is 5.<|im_end|>\n<|im_start|>user\nAnd 2 x 3?<|im_end|>\n" in text
    assert text.endswith("<|im_start|>assistant\nIt is 100.")
    env = executor.pool._idle[0].env.unwrapped
    assert env.resets[-1] == {"prompt": "ignored prompt", "label": label, "images": None}


def test_a_custom_environment_gets_the_policy_as_judge_off_the_event_loop(tokenizer):
    settings = Settings(env_id=ENV, env_options={"judge": "policy"})
    executor = AgentExecutor(settings)
    threads = []

    def answers(text):
        threads.append(threading.current_thread().name)
        return quiz_answers(text)

    engine = CannedEngine(tokenizer, answers, delay=0.001)
    labels = [json.dumps({"a": a, "b": 3}) for a in range(12)]

    async def main():
        return await asyncio.gather(
            *(execute(executor, "p", lbl, tokenizer, engine) for lbl in labels)
        )

    outs = asyncio.run(main())
    for a, out in zip(range(12), outs, strict=True):
        right_sum = 1.0 if a + 3 == 5 else 0.0
        assert out["reward"] == pytest.approx(right_sum + 0.0 + 0.5), a  # polite: +0.5
        assert out["extra_logs"]["polite"].item() == 1.0
    judged = [c for c in engine.calls if POLITE in c.text]
    assert len(judged) == 12
    assert all((c.params.temperature, c.params.top_p) == (0.6, 0.95) for c in judged)
    assert set(threads) == {threading.main_thread().name}  # the engine ran on the loop
    assert 1 <= len(executor.pool._idle) <= 12
    steps = [t for slot in executor.pool._idle for t in slot.env.unwrapped.step_threads]
    assert len(steps) == 24 and all(t.startswith("emo_r3_env") for t in steps)  # off the loop


def test_settings_from_a_config_file(tmp_path, tokenizer):
    path = tmp_path / "env.json"
    path.write_text(json.dumps({"env_id": ENV, "options": {"judge": "policy"}}))
    settings = Settings.from_env({"EMO_R3_ENV_CONFIG": str(path)})
    assert (settings.env_id, settings.env_options, settings.reset) == (
        ENV,
        {"judge": "policy"},
        "auto",
    )
    assert Settings.from_env(settings.to_env()) == settings
    with pytest.raises(EmoError, match="keys env_id, options, reset"):
        path.write_text(json.dumps({"id": ENV}))
        Settings.from_env({"EMO_R3_ENV_CONFIG": str(path)})


def test_an_unknown_env_id_is_named(tmp_path):
    with pytest.raises(EmoError, match="Did you mean: `TinyQuiz`"):
        AgentExecutor(Settings(env_id="tiny_text_env:TinyQuix-v0"))
    with pytest.raises(EmoError, match="module:Id"):
        prepare_run(tmp_path, prompt_data="p.jsonl", vision=False, env_id="nomodule:X-v0")
    run = prepare_run(tmp_path, prompt_data="p.jsonl", vision=False, env_id=ENV)
    assert Settings.from_env(run.env).env_id == ENV


# --- a VLM policy: the images reach the rollout and the reflective questions ---------


@pytest.fixture(scope="module")
def vision_rows(tmp_path_factory):
    out = tmp_path_factory.mktemp("data")
    path = write_prompt_dataset(out, split="test", vision=True)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    return [r for r in rows if '"fear"' in r["label"]]


def test_vlm_reason_asks_consistency_with_the_image(processor, vision_rows):
    row = vision_rows[0]
    executor = AgentExecutor(Settings(preset="emo_r3_reference"))
    engine = CannedEngine(processor.tokenizer, lambda _: GOOD, consistency="yes")
    out = asyncio.run(execute(executor, "p", row["label"], processor, engine, images=row["images"]))
    assert out["reward"] == pytest.approx(1.1)  # the authors' 0.8 + 0.1 + 0.1 + 0.1
    assert out["mm_train_inputs"] is not None  # the rollout's image was processed
    rollout, *asked = engine.calls
    assert rollout.mm is not None and "<|vision_start|><|image_pad|>" in rollout.text
    consistency = next(c for c in asked if c.kind == "consistency")
    coherence = next(c for c in asked if c.kind == "coherence")
    assert consistency.mm is not None and coherence.mm is None
    # the reference's newline between the image and the question
    assert "<|vision_end|>\n" + CONSISTENCY_QUESTION in consistency.text
    assert "Image description" not in consistency.text
    assert COHERENCE_QUESTION in coherence.text and "<|vision_start|>" not in coherence.text


def test_vlm_reflect_fresh_prompts_image_only_for_consistency(processor, vision_rows):
    row = vision_rows[0]
    executor = AgentExecutor(Settings(preset="emo_r3_reference", mode="reflect"))
    engine = CannedEngine(processor.tokenizer, lambda _: GOOD, consistency="yes")
    out = asyncio.run(execute(executor, "p", row["label"], processor, engine, images=row["images"]))
    assert [c.kind for c in engine.calls] == ["rollout", "consistency", "coherence"]
    assert out["reward"] == pytest.approx(1.1)
    _, consistency, coherence = engine.calls
    assert consistency.mm is not None and coherence.mm is None
    # the image (expanded to one pad token per patch, as OpenRLHF's own executor sends
    # it; its engine collapses them), the reference's newline, the question
    collapsed = re.sub(r"(<\|image_pad\|>)+", "<|image_pad|>", consistency.text)
    assert collapsed.startswith(
        "<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>\n" + CONSISTENCY_QUESTION
    )
    assert len(out["action_ranges"]) == 1
