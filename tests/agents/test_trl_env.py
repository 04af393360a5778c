"""TRL from an environment: EmoReflect-v0 gets a judge that answers (a tiny real policy)."""

from __future__ import annotations

import gymnasium as gym
import pytest
from fixtures.tiny_models import build_tiny_causal_lm

import emo_env  # noqa: F401  (registers the ids)
from agents.trl import TrainConfig, build_trainer, load_policy
from agents.trl.envs import answers_itself
from emo_env.envs.reflection import AnswerJudge
from rewards import presets
from rewards.errors import InvalidInputError
from rewards.judges import ConstantJudge
from rewards.reflective import ReflectiveReward

GOOD = (
    "<step1>A cartoon face screams.</step1><step2>People would feel scared.</step2>"
    "<step3>Negative, high arousal.</step3> \\boxed{fear}"
)


@pytest.fixture(scope="module")
def policy(tmp_path_factory):
    return load_policy(build_tiny_causal_lm(tmp_path_factory.mktemp("lm")))


def config(tmp_path, judge="preset"):
    return TrainConfig(judge=judge, eval_split=None, output_dir=str(tmp_path / "o"))


def reflective(rubric) -> ReflectiveReward:
    return next(f for f in rubric.funcs if isinstance(f, ReflectiveReward))


@pytest.mark.parametrize("judge", ["preset", "policy"])
def test_reflect_env_trains_with_the_policy_answering(tmp_path, policy, judge):
    env = gym.make("EmoReflect-v0", rubric="emo_r3_reference")
    borrowed = env.unwrapped.rubric
    assert answers_itself(borrowed)
    borrowed.score_batch([GOOD], ["fear"], label_set=["mikels8"])  # as GRPOTrainer would
    assert reflective(borrowed).stats["missing"] == 2  # never given: no verdicts at all
    run = build_trainer(config(tmp_path, judge), policy=policy, env=env)
    rubric = run.rewards.rubric
    assert rubric is not env.unwrapped.rubric and not answers_itself(rubric)
    assert rubric.__name__ == "emo_r3_reference"
    rer = reflective(rubric)
    assert rer.judge.generator.model is policy.model  # the policy being trained answers
    # the judge really answers: every question gets a verdict, none is missing
    result = rubric.score_batch([GOOD], ["fear"], label_set=["mikels8"])[0]
    assert rer.stats["missing"] == 0
    assert set(result.components) >= {"consistency", "coherence"}
    # TRL's reward functions see the same
    names = [f.__name__ for f in run.trainer.reward_funcs]
    assert "consistency" in names and "coherence" in names


def test_reason_env_keeps_its_rubric(tmp_path, policy):
    env = gym.make("EmoReason-v0")
    run = build_trainer(config(tmp_path), policy=policy, env=env)
    assert run.rewards.rubric is env.unwrapped.rubric


def test_reflect_env_without_a_judge_is_refused(tmp_path, policy):
    env = gym.make("EmoReflect-v0")
    with pytest.raises(InvalidInputError, match="no signal"):
        build_trainer(config(tmp_path, "none"), policy=policy, env=env)


def test_a_given_rubric_or_judge_callable_wins(tmp_path, policy):
    env = gym.make("EmoReflect-v0")
    mine = presets.build("emo_r3_paper", judge=ConstantJudge(consistency="yes", coherence="x"))
    run = build_trainer(config(tmp_path, "none"), policy=policy, env=env, rubric=mine)
    assert run.rewards.rubric is mine


def test_a_rubric_object_judged_by_the_agent_is_refused(tmp_path, policy):
    rubric = presets.build("emo_r3_paper", judge=AnswerJudge())
    env = gym.make("EmoReflect-v0", rubric=rubric)
    with pytest.raises(InvalidInputError, match="never asks"):
        build_trainer(config(tmp_path), policy=policy, env=env)
