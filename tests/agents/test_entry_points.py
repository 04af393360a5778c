"""Every preset through every entry point, with no judge and with one (or a clean refusal).

Entry points: ``emo-r3 train`` (flags parsed, trainer constructed, not trained),
``emo-r3 eval`` (a responses file; the evaluated model as judge), ``emo-r3 serve`` (app
built, one request), the verl ``compute_score`` file, the OpenRLHF reward file and agent,
and ``gym.make``. Where an entry point gets no judge, its reward must equal the preset's
rubric called directly on the same inputs; exact values are pinned for the rule presets.
A judge is refused with a clear message where the preset asks no question (or where the
entry point has no policy to ask).
"""

from __future__ import annotations

import argparse
import asyncio
import json

import gymnasium as gym
import pytest
from fastapi.testclient import TestClient
from fixtures.tiny_models import build_tiny_causal_lm, build_tiny_open_clip
from openrlhf_standins import CannedEngine, SamplingParams

import agents.openrlhf.reward_func as reward_file
import agents.verl.reward as verl_file
import emo_env  # noqa: F401  (registers the environments)
from agents.cli import main as emo_r3
from agents.cli import train as train_cli
from agents.common.jsonl import read_jsonl
from agents.common.labels import encode_label
from agents.openrlhf.agent import AgentExecutor
from agents.openrlhf.settings import Settings
from agents.serve import ServerConfig, create_app
from agents.trl import build_trainer, load_policy
from emo_env.data import load_dataset
from rewards import presets
from rewards.errors import InvalidInputError
from rewards.judges import ConstantJudge
from rewards.reflective import ReflectiveReward

PRESETS = presets.names()
ASKERS = set(presets.judge_presets())
SAMPLE_ID = "embedded/lurking-shadow"  # gold label: fear
RESPONSE = (
    "<step1>A black shadowy figure with glowing eyes lurks in the dark.</step1>\n"
    "<step2>A person would feel scared and threatened by it.</step2>\n"
    "<step3>Negative, high arousal.</step3> \\boxed{fear}"
)
PROMPT = "<|im_start|>user\nWhich emotion?<|im_end|>\n<|im_start|>assistant\n"
REFUSED = "asks no reflective questions"
# The rule presets' totals for RESPONSE: no judge (reflective parts count 1), and a judge
# answering consistency "No." and coherence "fear".
EXACT = {
    "emo_r3_reference": (1.1, 1.0),
    "emo_r3_paper": (1.0, 0.95),
    "emo_r3_robust": (1.0, 0.95),
    "grpo_baseline": (0.9, None),  # SET tags are not the <think> format; asks nothing
}
judged = pytest.mark.parametrize("judged", [False, True], ids=["no-judge", "judge"])
every_preset = pytest.mark.parametrize("name", PRESETS)


def judge() -> ConstantJudge:
    return ConstantJudge(consistency="No.", coherence="fear")


@pytest.fixture(scope="module")
def sample():
    ds = load_dataset("embedded", "test")
    return ds[ds["id"].index(SAMPLE_ID)]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("entry_models")
    lm = build_tiny_causal_lm(root / "lm")
    return {"lm": lm, "clip": build_tiny_open_clip(root / "clip"), "policy": load_policy(lm)}


def options(name: str, models) -> dict:
    """Preset options: the CLIP preset scores with the tiny local CLIP (no download)."""
    return {"clip_model": models["clip"]} if name == "emo_r3_clip" else {}


def expected(name, models, sample, *, with_judge=False, image=True, caption=True):
    """The preset's rubric called directly on the inputs the entry point passes."""
    rubric = presets.build(name, judge=judge() if with_judge else None, **options(name, models))
    result = rubric.score_batch(
        [RESPONSE],
        ["fear"],
        images=[sample["image"]] if image else None,
        label_set=["mikels8"],
        caption=[sample["caption"] if caption else ""],
    )[0]
    if name in EXACT:
        assert result.total == pytest.approx(EXACT[name][with_judge])
    return result


def logged(components: dict) -> dict:
    """Components as the OpenRLHF and verl paths log them (None -> 0.0)."""
    return {k: (0.0 if v is None else v) for k, v in components.items()}


def label_field(sample) -> str:
    return encode_label("fear", "mikels8", sample_id=SAMPLE_ID, caption=sample["caption"])


# --- emo-r3 train: flags -> TrainConfig -> GRPOTrainer (construction only) -------------


@every_preset
@judged
def test_train(name, judged, models, tmp_path):
    policy = models["policy"]
    argv = ["--model", policy.source, "--preset", name, "--judge", "policy" if judged else "none"]
    argv += ["--max-steps", "1", "--num-generations", "2", "--prompts-per-step", "1"]
    argv += ["--no-eval", "--no-one-shot", "--quiet", "--output-dir", str(tmp_path)]
    config = train_cli.config_from_args(
        train_cli.add_arguments(argparse.ArgumentParser()).parse_args(argv)
    )
    assert (config.preset, config.judge) == (name, "policy" if judged else "none")
    if judged and name not in ASKERS:
        with pytest.raises(InvalidInputError, match=REFUSED):
            build_trainer(config, policy=policy)
        return
    run = build_trainer(config, policy=policy)
    rubric = run.rewards.rubric
    assert rubric.__name__ == name
    assert run.trainer.args.reward_weights == [rubric.weights[n] for n in rubric.names]
    judges = [f.judge for f in rubric.funcs if isinstance(f, ReflectiveReward)]
    assert len(judges) == (name in ASKERS)
    if judged:
        assert judges[0].generator.model is policy.model  # the policy being trained answers
    else:
        assert judges in ([], [None])


# --- emo-r3 eval: a responses file (no judge) or the evaluated model as judge ----------


@every_preset
@judged
def test_eval(name, judged, models, sample, tmp_path, capsys):
    argv = ["eval", "--dataset", "embedded", "--split", "test", "--preset", name]
    argv += ["--output-dir", str(tmp_path / "run"), "--no-plots", "--no-progress"]
    argv += [f"--preset-arg=clip_model={models['clip']}"] if name == "emo_r3_clip" else []
    if judged:
        argv += ["--model", models["lm"], "--judge", "self", "--limit", "1"]
        argv += ["--max-new-tokens", "4", "--cpu-threads", "1"]
    else:
        responses = tmp_path / "responses.jsonl"
        responses.write_text(json.dumps({"id": SAMPLE_ID, "response": RESPONSE}) + "\n")
        argv += ["--responses", str(responses)]
    code = emo_r3(argv)
    if judged and name not in ASKERS:
        assert code == 2 and REFUSED in capsys.readouterr().err
        return
    assert code == 0
    [record] = read_jsonl(tmp_path / "run" / "results.jsonl")
    assert record["preset"] == name
    if judged:  # the tiny model's answers are its own: measured, and summed by weight
        rubric = presets.build(name)
        assert record["consistency"] in (0.0, 0.5, 1.0)
        assert record["coherence"] in (0.0, 0.5, 1.0)
        total = sum(rubric.weights[k] * v for k, v in record["components"].items() if v is not None)
        assert record["reward"] == pytest.approx(total)
        return
    want = expected(name, models, sample)
    assert record["reward"] == pytest.approx(want.total)
    assert record["components"] == pytest.approx(want.components)


# --- emo-r3 serve: the app, one /get_reward request ------------------------------------


@every_preset
@judged
def test_serve(name, judged, models, sample):
    config = ServerConfig(
        preset=name, preset_args={**options(name, models), "judge": judge() if judged else None}
    )
    if judged and name not in ASKERS:
        with pytest.raises(InvalidInputError, match=REFUSED):
            create_app(config)
        return
    body = {"query": [PROMPT + RESPONSE + "<|im_end|>"], "prompts": [PROMPT]}
    body["labels"] = [label_field(sample)]
    with TestClient(create_app(config)) as client:
        reply = client.post("/get_reward", json=body)
        images = client.app.state.scorer.load_images
    assert reply.status_code == 200, reply.text
    want = expected(name, models, sample, with_judge=judged, image=images)
    assert images == (name == "emo_r3_clip" or judged)  # only readers load images
    assert reply.json()["rewards"] == pytest.approx([want.total])
    logs = {k: v[0] for k, v in reply.json()["extra_logs"].items() if k != "not_applicable"}
    assert logs == pytest.approx(logged(want.components))


# --- verl compute_score and the OpenRLHF reward file (no policy: no judge) -------------


def env_settings(monkeypatch, name, judged, models):
    args = {**options(name, models), "judge": "policy" if judged else "none"}
    monkeypatch.setenv("EMO_R3_PRESET", name)
    monkeypatch.setenv("EMO_R3_PRESET_ARGS", json.dumps(args))
    monkeypatch.setenv("EMO_R3_DATASET", "embedded")
    monkeypatch.setattr(verl_file, "_RUBRICS", {})
    monkeypatch.setattr(reward_file, "_SCORER", None)


@every_preset
@judged
def test_verl(name, judged, models, sample, monkeypatch):
    env_settings(monkeypatch, name, judged, models)
    call = lambda: verl_file.compute_score("EmoSet", RESPONSE, label_field(sample))  # noqa: E731
    if judged:  # verl's reward function cannot reach the policy
        with pytest.raises(InvalidInputError, match=REFUSED if name not in ASKERS else "none here"):
            call()
        return
    out = call()
    want = expected(name, models, sample, image=False)  # verl passes no image
    assert out == pytest.approx({"score": want.total, **logged(want.components)})


@every_preset
@judged
def test_openrlhf_reward_file(name, judged, models, sample, monkeypatch):
    env_settings(monkeypatch, name, judged, models)
    query = PROMPT + RESPONSE + "<|im_end|>"
    call = lambda: reward_file.reward_func([query], [PROMPT], [label_field(sample)])  # noqa: E731
    if judged:
        with pytest.raises(InvalidInputError, match=REFUSED if name not in ASKERS else "none here"):
            call()
        return
    out = call()
    want = expected(name, models, sample, image=name == "emo_r3_clip")
    assert out["rewards"].tolist() == pytest.approx([want.total])
    logs = {k: v.item() for k, v in out["extra_logs"].items() if k != "not_applicable"}
    assert logs == pytest.approx(logged(want.components))


# --- the OpenRLHF agent: the policy answers through its rollout engine -----------------


@every_preset
@judged
def test_openrlhf_agent(name, judged, models, sample):
    from transformers import AutoTokenizer

    # judged: the policy judges (EMO_R3_SELF_REFLECT=1) and the preset args ask for it
    settings = Settings(
        preset=name,
        preset_args={**options(name, models), **({"judge": "policy"} if judged else {})},
        self_reflect=judged,
    )
    if judged and name not in ASKERS:
        with pytest.raises(InvalidInputError, match=REFUSED):
            AgentExecutor(settings)
        return
    executor = AgentExecutor(settings)
    tokenizer = AutoTokenizer.from_pretrained(models["lm"])
    engine = CannedEngine(tokenizer, lambda _: RESPONSE, consistency="No.", coherence="fear")
    out = asyncio.run(
        executor.execute(PROMPT, label_field(sample), SamplingParams(), 512, tokenizer, engine)
    )
    asked = [c.kind for c in engine.calls[1:]]
    assert sorted(asked) == (["coherence", "consistency"] if judged else [])
    # the agent runs EmoReason-v0 on the label's sample: the env's rubric sees its image
    want = expected(name, models, sample, with_judge=judged)
    assert out["reward"] == pytest.approx(want.total)
    logs = {k: v.item() for k, v in out["extra_logs"].items()}
    assert logs.pop("reflection_unanswered") == 0.0
    logs.pop("not_applicable")
    assert logs == pytest.approx(logged(want.components))


# --- gym.make ------------------------------------------------------------------------


@every_preset
@judged
def test_gym_make(name, judged, models, sample):
    kwargs = {"dataset": "embedded", "split": "test"}
    if judged:
        kwargs["judge"] = judge()
    # a preset with options reaches the env as the Rubric that build() makes
    opts = options(name, models)
    rubric = presets.build(name, **opts) if opts and not judged else name
    if judged and name not in ASKERS:
        with pytest.raises(InvalidInputError, match=REFUSED):
            gym.make("EmoReason-v0", rubric=rubric, **kwargs)
        return
    env = gym.make("EmoReason-v0", rubric=rubric, **kwargs)
    env.reset(seed=0, options={"sample_id": SAMPLE_ID})
    _, reward, terminated, _, info = env.step(RESPONSE)
    want = expected(name, models, sample, with_judge=judged)
    assert terminated and reward == pytest.approx(want.total)
    assert info["components"] == pytest.approx(want.components)
