"""The OpenRLHF agent module driven by OpenRLHF's own MultiTurnAgentExecutor code.

The agent runs EmoReason-v0 / EmoReflect-v0 (emo_env) on the sample the label field
names; the engine is a stand-in returning canned text, the tokenizer a real tiny one.
"""

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
from emo_env.data import load_dataset
from rewards.errors import EmoError
from rewards.judges import COHERENCE_QUESTION, CONSISTENCY_QUESTION

GOOD = (
    "<step1>A storm hits a tiny boat at sea.</step1><step2>People would feel scared."
    "</step2><step3>Negative, high arousal.</step3> \\boxed{fear}"
)
WRONG = GOOD.replace("\\boxed{fear}", "\\boxed{awe}")
SAMPLE = "embedded/frightened-face"  # gold label: fear
PROMPT = "<|im_start|>user\nWhich emotion?<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(build_tiny_causal_lm(tmp_path_factory.mktemp("lm")))


@pytest.fixture(scope="module")
def rows():
    return {r["id"]: r for r in load_dataset("embedded", "all")}


def label(sample_id=SAMPLE, gold="fear") -> str:
    return encode_label(gold, sample_id=sample_id)


def load_executor_class():
    """Load the file the way OpenRLHF's vllm_engine._load_agent_executor does."""
    spec = importlib.util.spec_from_file_location("agent_module", agent_module.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.AgentExecutor


def run(executor, tokenizer, engine, label_field, prompt=PROMPT):
    return asyncio.run(
        executor.execute(prompt, label_field, SamplingParams(), 1024, tokenizer, engine, None)
    )


def test_module_loads_like_openrlhf_and_subclasses_its_executor():
    cls = load_executor_class()
    assert issubclass(cls, AgentExecutorBase)
    assert issubclass(cls, MultiTurnAgentExecutor)


def test_paper_reward_with_the_policy_as_judge(tokenizer, rows, monkeypatch):
    monkeypatch.setenv("EMO_R3_PRESET", "emo_r3_paper")
    executor = load_executor_class()()  # OpenRLHF builds it without arguments
    engine = CannedEngine(tokenizer, lambda _: GOOD, consistency="Yes.", coherence="awe")
    out = run(executor, tokenizer, engine, label())
    # 0.8 acc + 0.1 format + 0.05 cons(yes) + 0.05 coh("awe" != fear)
    assert out["reward"] == pytest.approx(0.95)
    assert out["scores"].item() == pytest.approx(0.95)
    assert out["extra_logs"]["coherence"].item() == 0.0
    assert out["extra_logs"]["consistency"].item() == 1.0
    kinds = [c.kind for c in engine.calls]
    assert kinds[0] == "rollout" and sorted(kinds[1:]) == ["coherence", "consistency"]
    for call in engine.calls[1:]:
        assert (call.params.temperature, call.params.top_p) == (0.6, 0.95)
        assert call.params.max_tokens == 32 and call.params.n == 1
    caption = rows[SAMPLE]["caption"]
    consistency = next(c for c in engine.calls if c.kind == "consistency")
    # the reference prompt, with the caption for a text-only policy, in the chat template
    assert consistency.text.startswith("<|im_start|>user\n")
    assert f"Image description: {caption}\n" + CONSISTENCY_QUESTION + "<step1>" in (
        consistency.text
    )
    # the user turn is the environment's observation; the trajectory is it + one action
    rollout = engine.calls[0].text
    assert rollout.startswith(f"<|im_start|>user\nImage description: {caption}\nWhich emotion")
    assert rollout.endswith("<|im_start|>assistant\n")
    start, end = out["action_ranges"][0]
    assert len(out["action_ranges"]) == 1
    assert tokenizer.decode(out["observation_tokens"][start:end]) == GOOD
    assert out["prompt"] == PROMPT  # OpenRLHF's own prompt string is handed back


def test_rewards_are_exact_for_each_case(tokenizer, monkeypatch):
    monkeypatch.setenv("EMO_R3_PRESET", "emo_r3_reference")
    executor = load_executor_class()()
    cases = [
        (GOOD, "yes", "fear", 1.1),
        (WRONG, "no", "sad", 0.1),
        # no passage: both questions become "Answer 'None'"; the reference reads the
        # answer "None" as consistency 0 ("no" in it) and coherence 0.5
        ("no tags \\boxed{fear}", "yes", "fear", 0.85),
    ]
    for response, cons, coh, expected in cases:
        engine = CannedEngine(tokenizer, lambda _, r=response: r, consistency=cons, coherence=coh)
        out = run(executor, tokenizer, engine, json.dumps({"label": "fear", "sample_id": SAMPLE}))
        assert out["reward"] == pytest.approx(expected), response


def test_concurrent_rollouts_keep_their_own_rewards(tokenizer, rows, monkeypatch):
    monkeypatch.setenv("EMO_R3_PRESET", "emo_r3_paper")
    executor = load_executor_class()()
    ids = list(rows)[:10] * 4
    by_caption = {r["caption"]: r["label"] for r in rows.values()}

    def respond(text):  # the prompt shows the sample's caption: answer right or wrong
        gold = next(lbl for cap, lbl in by_caption.items() if cap in text)
        return GOOD.replace("fear", gold) if gold in ("fear", "awe") else WRONG

    engine = CannedEngine(tokenizer, respond, coherence="fear", delay=0.001)

    async def main():
        return await asyncio.gather(
            *(
                executor.execute(
                    PROMPT, label(i, rows[i]["label"]), SamplingParams(), 1024, tokenizer, engine
                )
                for i in ids
            )
        )

    outs = asyncio.run(main())
    for sample_id, out in zip(ids, outs, strict=True):
        gold = rows[sample_id]["label"]
        acc = 1.0 if gold in ("fear", "awe") else 0.0
        coh = 1.0 if gold == "fear" else 0.0
        assert out["reward"] == pytest.approx(0.8 * acc + 0.1 + 0.05 + 0.05 * coh), sample_id
    assert executor.stats["rollouts"] == len(ids)
    assert len(executor.pool._idle) <= len(ids)  # environments are reused, one per rollout


def test_engine_failure_is_counted_not_scored_zero(tokenizer, monkeypatch):
    monkeypatch.setenv("EMO_R3_PRESET", "emo_r3_paper")
    executor = load_executor_class()()
    engine = CannedEngine(tokenizer, lambda _: GOOD, consistency=None, coherence=None)
    out = run(executor, tokenizer, engine, label())
    assert out["extra_logs"]["reflection_unanswered"].item() == 2.0
    assert out["reward"] == pytest.approx(1.0)  # missing verdicts count 1, as with no judge
    assert executor.stats["unanswered"] == 2


def test_self_reflection_off_asks_nothing(tokenizer):
    executor = agent_module.AgentExecutor(Settings(self_reflect=False))
    engine = CannedEngine(tokenizer, lambda _: GOOD)
    out = run(executor, tokenizer, engine, label())
    assert [c.kind for c in engine.calls] == ["rollout"]
    assert out["reward"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (json.dumps({"label": "feer", "sample_id": SAMPLE}), "Did you mean 'fear'"),
        (json.dumps({"label": "fear"}), "names no sample_id"),
        (label(gold="awe"), "disagree"),
        (label("embedded/nope"), "embedded/"),
    ],
)
def test_bad_label_is_a_clear_error(tokenizer, field, message):
    executor = agent_module.AgentExecutor(Settings())
    engine = CannedEngine(tokenizer, lambda _: GOOD)
    with pytest.raises(EmoError, match=message):
        run(executor, tokenizer, engine, field)


@pytest.mark.parametrize(
    ("consistency", "coherence", "expected"),
    [("Yes.", "fear", 1.0), ("no", "awe", 0.9), ("I am not sure.", "", 0.9)],
)
def test_reflect_mode_asks_two_fresh_untrained_prompts(
    tokenizer, rows, consistency, coherence, expected
):
    """EmoReflect-v0 (the reference): consistency then coherence as fresh prompts."""
    executor = agent_module.AgentExecutor(Settings(mode="reflect", judge_max_tokens=2048))
    engine = CannedEngine(tokenizer, lambda _: GOOD, consistency=consistency, coherence=coherence)
    out = run(executor, tokenizer, engine, label())
    assert [c.kind for c in engine.calls] == ["rollout", "consistency", "coherence"]
    assert out["reward"] == pytest.approx(expected)
    caption = rows[SAMPLE]["caption"]
    cons, coh = engine.calls[1:]
    assert cons.text == (
        f"<|im_start|>user\nImage description: {caption}\n"
        f"{CONSISTENCY_QUESTION}<step1>A storm hits a tiny boat at sea.</step1>"
        "<|im_end|>\n<|im_start|>assistant\n"
    )  # a fresh conversation: no trace of the rollout's prompt
    assert coh.text.startswith("<|im_start|>user\n<step1>") and COHERENCE_QUESTION in coh.text
    for call in (cons, coh):
        params = call.params
        assert (params.temperature, params.top_p, params.n, params.max_tokens) == (
            0.6,
            0.95,
            1,
            2048,
        )
    # only the response is trained on; the answers are not in the trajectory
    assert len(out["action_ranges"]) == 1
    text = tokenizer.decode(out["observation_tokens"])
    assert text.endswith(GOOD) and CONSISTENCY_QUESTION not in text


def test_combined_reflection_is_asked_in_the_same_chat_and_not_trained(tokenizer):
    settings = Settings(mode="reflect", env_options={"reflection": "combined"})
    executor = agent_module.AgentExecutor(settings)
    answers = "<answer1>no</answer1><answer2>awe</answer2>"
    engine = CannedEngine(tokenizer, lambda _: GOOD, turn2=answers, eos_id=tokenizer.eos_token_id)
    out = run(executor, tokenizer, engine, label())
    assert [c.kind for c in engine.calls] == ["rollout", "turn2"]
    assert out["reward"] == pytest.approx(0.9)
    asked = engine.calls[1].text  # the chat so far, then the questions
    assert GOOD + "<|im_end|>\n<|im_start|>user\nNow check your reasoning" in asked
    assert "<|im_end|><|im_end|>" not in asked
    assert len(out["action_ranges"]) == 1


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ("<answer1>Yes</answer1>\n<answer2>fear</answer2>", 1.0),
        ("<answer1>no</answer1><answer2>awe</answer2>", 0.9),
        ("I am not sure.", 0.9),  # answers not found count as empty answers: 0 under 'paper'
    ],
)
def test_trained_followups_give_two_trained_turns(tokenizer, answers, expected):
    """EMO_R3_TRAIN_FOLLOWUPS=1 with the combined reflection: the former reflect mode."""
    settings = Settings(
        mode="reflect", env_options={"reflection": "combined"}, train_followups=True
    )
    executor = agent_module.AgentExecutor(settings)
    engine = CannedEngine(tokenizer, lambda _: GOOD, turn2=answers)
    out = run(executor, tokenizer, engine, label())
    assert [c.kind for c in engine.calls] == ["rollout", "turn2"]
    assert out["reward"] == pytest.approx(expected)
    assert len(out["action_ranges"]) == 2  # both turns are trained on
    text = tokenizer.decode(out["observation_tokens"])
    assert GOOD + "<|im_end|>\n<|im_start|>user\nNow check your reasoning" in text
    assert text.endswith("<|im_start|>assistant\n" + answers)


def test_trained_followup_does_not_repeat_an_end_of_turn_token(tokenizer):
    """vLLM keeps the EOS it stopped on in the action's token ids: no second one."""
    settings = Settings(
        mode="reflect", env_options={"reflection": "combined"}, train_followups=True
    )
    executor = agent_module.AgentExecutor(settings)
    engine = CannedEngine(tokenizer, lambda _: GOOD, eos_id=tokenizer.eos_token_id)
    out = run(executor, tokenizer, engine, label())
    text = tokenizer.decode(out["observation_tokens"])
    assert GOOD + "<|im_end|>\n<|im_start|>user\nNow check" in text
    # after the prompt, the response, the question and the answer (its own EOS token)
    assert text.count("<|im_end|>") == 4
    assert "<|im_end|><|im_end|>" not in text


def test_settings_validate_the_mode_and_reset():
    with pytest.raises(EmoError, match="mode"):
        Settings.from_env({"EMO_R3_AGENT_MODE": "chat"})
    with pytest.raises(EmoError, match="EMO_R3_ENV_RESET"):
        Settings.from_env({"EMO_R3_ENV_RESET": "by_id"})


def test_user_turn_without_a_chat_template():
    from types import SimpleNamespace

    assert agent_module.user_turn(SimpleNamespace(), False, "Q?") == "\nQ?\n"
