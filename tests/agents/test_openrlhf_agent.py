"""The OpenRLHF agent module driven by OpenRLHF's own MultiTurnAgentExecutor code."""

from __future__ import annotations

import asyncio
import importlib.util
import json

import pytest
from fixtures.tiny_models import build_tiny_causal_lm
from openrlhf.utils.agent import AgentExecutorBase, MultiTurnAgentExecutor
from openrlhf_standins import CannedEngine, SamplingParams

import agents.openrlhf.agent as agent_module
from agents.common.labels import encode_label
from agents.openrlhf.settings import Settings
from rewards.errors import EmoError
from rewards.judges import CONSISTENCY_QUESTION

GOOD = (
    "<step1>A storm hits a tiny boat at sea.</step1><step2>People would feel scared."
    "</step2><step3>Negative, high arousal.</step3> \\boxed{fear}"
)
WRONG = GOOD.replace("\\boxed{fear}", "\\boxed{awe}")
PROMPT = "Image description: a storm at sea.\nWhich emotion does this image evoke?"


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(build_tiny_causal_lm(tmp_path_factory.mktemp("lm")))


def load_executor_class():
    """Load the file the way OpenRLHF's vllm_engine._load_agent_executor does."""
    spec = importlib.util.spec_from_file_location("agent_module", agent_module.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.AgentExecutor


def run(executor, tokenizer, engine, label, prompt=PROMPT):
    return asyncio.run(
        executor.execute(prompt, label, SamplingParams(), 1024, tokenizer, engine, images=None)
    )


def test_module_loads_like_openrlhf_and_subclasses_its_executor():
    cls = load_executor_class()
    assert issubclass(cls, AgentExecutorBase)
    assert issubclass(cls, MultiTurnAgentExecutor)


def test_paper_reward_with_the_policy_as_judge(tokenizer, monkeypatch):
    monkeypatch.setenv("EMO_R3_PRESET", "emo_r3_paper")
    executor = load_executor_class()()  # OpenRLHF builds it without arguments
    engine = CannedEngine(tokenizer, lambda _: GOOD, consistency="Yes.", coherence="awe")
    out = run(executor, tokenizer, engine, encode_label("fear", caption="a storm at sea"))
    # 0.8 acc + 0.1 format + 0.05 cons(yes) + 0.05 coh("awe" != fear)
    assert out["reward"] == pytest.approx(0.95)
    assert out["scores"].item() == pytest.approx(0.95)
    assert out["extra_logs"]["coherence"].item() == 0.0
    assert out["extra_logs"]["consistency"].item() == 1.0
    kinds = [c.kind for c in engine.calls]
    assert kinds == ["rollout", "consistency", "coherence"] or kinds == [
        "rollout",
        "coherence",
        "consistency",
    ]
    for call in engine.calls[1:]:
        assert (call.params.temperature, call.params.top_p) == (0.6, 0.95)
        assert call.params.max_tokens == 32
    consistency = next(c for c in engine.calls if c.kind == "consistency")
    # the reference prompt, with the caption for a text-only policy, in the chat template
    assert "Image description: a storm at sea\n" + CONSISTENCY_QUESTION + "<step1>" in (
        consistency.text
    )
    assert consistency.text.startswith("<|im_start|>user\n")
    # the trajectory holds prompt then the one action
    start, end = out["action_ranges"][0]
    assert tokenizer.decode(out["observation_tokens"][start:end]) == GOOD


def test_rewards_are_exact_for_each_case(tokenizer, monkeypatch):
    monkeypatch.setenv("EMO_R3_PRESET", "emo_r3_reference")
    executor = load_executor_class()()
    cases = [
        (GOOD, "fear", "yes", "fear", 1.1),
        (WRONG, "fear", "no", "sad", 0.1),
        # no passage: both questions become "Answer 'None'"; the reference reads the
        # answer "None" as consistency 0 ("no" in it) and coherence 0.5
        ("no tags \\boxed{fear}", "fear", "yes", "fear", 0.85),
    ]
    for response, label, cons, coh, expected in cases:
        engine = CannedEngine(tokenizer, lambda _, r=response: r, consistency=cons, coherence=coh)
        out = run(executor, tokenizer, engine, json.dumps({"label": label}))
        assert out["reward"] == pytest.approx(expected), response


def test_concurrent_rollouts_keep_their_own_rewards(tokenizer, monkeypatch):
    monkeypatch.setenv("EMO_R3_PRESET", "emo_r3_paper")
    executor = load_executor_class()()
    labels = ["fear", "awe", "anger", "sadness"] * 10

    def respond(text):  # each prompt carries its own gold label: answer right or wrong
        gold = text.split("GOLD=")[1].split()[0]
        return GOOD.replace("fear", gold) if gold in ("fear", "awe") else WRONG

    engine = CannedEngine(tokenizer, respond, coherence="fear", delay=0.001)

    async def main():
        return await asyncio.gather(
            *(
                executor.execute(
                    f"GOLD={lbl} question",
                    encode_label(lbl),
                    SamplingParams(),
                    1024,
                    tokenizer,
                    engine,
                )
                for lbl in labels
            )
        )

    outs = asyncio.run(main())
    for lbl, out in zip(labels, outs, strict=True):
        acc = 1.0 if lbl in ("fear", "awe") else 0.0
        coh = 1.0 if lbl == "fear" else 0.0
        assert out["reward"] == pytest.approx(0.8 * acc + 0.1 + 0.05 + 0.05 * coh), lbl


def test_engine_failure_is_counted_not_scored_zero(tokenizer, monkeypatch):
    monkeypatch.setenv("EMO_R3_PRESET", "emo_r3_paper")
    executor = load_executor_class()()
    engine = CannedEngine(tokenizer, lambda _: GOOD, consistency=None, coherence=None)
    out = run(executor, tokenizer, engine, encode_label("fear"))
    assert out["extra_logs"]["reflection_unanswered"].item() == 2.0
    assert out["reward"] == pytest.approx(1.0)  # missing verdicts count 1, as with no judge
    assert executor.reflection.stats["engine_errors"] == 2


def test_self_reflection_off_asks_nothing(tokenizer):
    executor = agent_module.AgentExecutor(Settings(self_reflect=False))
    engine = CannedEngine(tokenizer, lambda _: GOOD)
    out = run(executor, tokenizer, engine, "fear")
    assert [c.kind for c in engine.calls] == ["rollout"]
    assert out["reward"] == pytest.approx(1.0)


def test_bad_label_is_a_clear_error(tokenizer):
    executor = agent_module.AgentExecutor(Settings())
    engine = CannedEngine(tokenizer, lambda _: GOOD)
    with pytest.raises(EmoError, match="Did you mean 'fear'"):
        run(executor, tokenizer, engine, json.dumps({"label": "feer"}))


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ("<answer1>Yes</answer1>\n<answer2>fear</answer2>", 1.0),
        ("<answer1>no</answer1><answer2>awe</answer2>", 0.9),
        ("I am not sure.", 0.9),  # answers not found count as empty answers: 0 under 'paper'
    ],
)
def test_reflect_mode_two_turns(tokenizer, answers, expected):
    executor = agent_module.AgentExecutor(Settings(mode="reflect"))
    engine = CannedEngine(tokenizer, lambda _: GOOD, turn2=answers)
    out = run(
        executor,
        tokenizer,
        engine,
        encode_label("fear"),
        prompt="<|im_start|>user\nWhich emotion?<|im_end|>\n<|im_start|>assistant\n",
    )
    assert [c.kind for c in engine.calls] == ["rollout", "turn2"]
    assert out["reward"] == pytest.approx(expected)
    assert len(out["action_ranges"]) == 2  # both turns are trained on
    text = tokenizer.decode(out["observation_tokens"])
    assert GOOD + "<|im_end|>\n<|im_start|>user\nNow check your reasoning" in text
    assert text.endswith("<|im_start|>assistant\n" + answers)


def test_settings_validate_the_mode():
    with pytest.raises(EmoError, match="mode"):
        Settings.from_env({"EMO_R3_AGENT_MODE": "chat"})


def test_user_turn_without_a_chat_template():
    from types import SimpleNamespace

    assert agent_module.user_turn(SimpleNamespace(), False, "Q?") == "\nQ?\n"


def test_reflect_mode_does_not_repeat_an_end_of_turn_token(tokenizer):
    """vLLM keeps the EOS it stopped on in the action's token ids: no second one."""
    executor = agent_module.AgentExecutor(Settings(mode="reflect"))
    engine = CannedEngine(tokenizer, lambda _: GOOD, eos_id=tokenizer.eos_token_id)
    out = run(executor, tokenizer, engine, encode_label("fear"))
    text = tokenizer.decode(out["observation_tokens"])
    assert GOOD + "<|im_end|>\n<|im_start|>user\nNow check" in text
    assert text.count("<|im_end|>") == 3  # after the response, the question, the answers
    assert "<|im_end|><|im_end|>" not in text
