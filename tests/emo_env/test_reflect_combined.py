"""EmoReflect-v0 with reflection="combined": both questions in one follow-up turn."""

from __future__ import annotations

import gymnasium as gym
import pytest

import emo_env  # noqa: F401 - registers the ids
from emo_env.envs.base import EpisodeStateError
from emo_env.envs.reflect import EmoReflectEnv, parse_reflection, reflection_message
from rewards.errors import InvalidInputError
from rewards.judges import NO_PASSAGE_PROMPT, coherence_prompt, consistency_prompt

RESPONSE = (
    "<step1>A tall rocket on a floodlit launch pad.</step1>\n<step2>People would feel "
    "wonder at its size.</step2><step3>positive, high arousal</step3> \\boxed{awe}"
)


def start(**options) -> tuple[EmoReflectEnv, dict]:
    env = EmoReflectEnv(split="test", reflection="combined", **options)
    return env, env.reset(options={"sample_id": "embedded/rocket"})[1]


def test_check_env_passes():
    from gymnasium.utils.env_checker import check_env

    # three observations with the image per episode: reset, the combined turn, the end
    check_env(gym.make("EmoReflect-v0", reflection="combined").unwrapped, skip_render_check=True)


def test_turn_two_asks_the_reward_questions():
    env, info = start()
    assert info["label"] == "awe"
    obs, reward, done, truncated, step = env.step(RESPONSE)
    assert (reward, done, truncated, obs["turn"], obs["has_image"]) == (0.0, False, False, 1, 1)
    assert (step["asking"], step["fresh_context"], step["trainable"]) == ("both", False, False)
    cons = consistency_prompt("<step1>A tall rocket on a floodlit launch pad.</step1>")
    coh = coherence_prompt(
        "<step1>A tall rocket on a floodlit launch pad.</step1>\n<step2>People would feel "
        "wonder at its size.</step2>",
        "mikels8",
    )
    assert step["questions"] == {"consistency": cons, "coherence": coh}
    assert obs["prompt"] == reflection_message(step["questions"])
    assert obs["prompt"].endswith("<answer1>yes or no</answer1>\n<answer2>one emotion</answer2>")
    assert obs["image"].shape == (224, 224, 3)


@pytest.mark.parametrize(
    ("answers", "expected", "components"),
    [
        ("<answer1>Yes.</answer1><answer2>Awe</answer2>", 1.0, (1.0, 1.0)),
        ("<answer1>no</answer1>\n<answer2>awe</answer2>", 0.95, (0.0, 1.0)),
        ("<answer1>yes</answer1><answer2>fear</answer2>", 0.95, (1.0, 0.0)),
        ("I cannot say.", 0.9, (0.0, 0.0)),  # unparseable: empty answers, never "no verdict"
        ({"consistency": "yes", "coherence": "awe"}, 1.0, (1.0, 1.0)),
        (("no", "fear"), 0.9, (0.0, 0.0)),
    ],
)
def test_paper_scoring_of_the_agents_answers(answers, expected, components):
    env, _ = start()
    env.step(RESPONSE)
    _obs, reward, done, _, step = env.step(answers)
    assert done and reward == pytest.approx(expected)
    assert (step["components"]["consistency"], step["components"]["coherence"]) == components
    assert step["components"]["accuracy"] == 1.0 and step["turn"] == 1


def test_reference_scoring_and_wrong_label():
    env, _ = start(rubric="emo_r3_reference")
    env.step(RESPONSE.replace("\\boxed{awe}", "\\boxed{fear}"))
    _, reward, _, _, step = env.step("<answer1>maybe</answer1><answer2>none</answer2>")
    # reference: 0.8*0 + 0.1*format + 0.1*(0.5 "neither yes nor no" + 0.5 "none")
    assert reward == pytest.approx(0.2) and step["answers"] == {
        "consistency": "maybe",
        "coherence": "none",
    }


def test_response_without_passages():
    env, _ = start(rubric="emo_r3_reference")
    obs, *_ = env.step("\\boxed{awe}")
    assert f"Question 1 (about the image): {NO_PASSAGE_PROMPT}" in obs["prompt"]
    _, reward, _, _, step = env.step("<answer1>None</answer1><answer2>None</answer2>")
    assert step["components"] == {
        "accuracy": 1.0,
        "format": 0.0,
        "consistency": 0.0,
        "coherence": 0.5,
    }
    assert reward == pytest.approx(0.85)


def test_errors():
    env, _ = start()
    env.step(RESPONSE)
    with pytest.raises(InvalidInputError, match="turn-2 action"):
        env.step(42)
    env.step("<answer1>yes</answer1><answer2>awe</answer2>")
    with pytest.raises(EpisodeStateError, match="episode has ended"):
        env.step("x")
    with pytest.raises(InvalidInputError, match="takes no judge"):
        EmoReflectEnv(judge=lambda requests: ["yes"] * len(requests))
    with pytest.raises(InvalidInputError, match="needs a SET template"):
        EmoReflectEnv(template="think")
    with pytest.raises(InvalidInputError, match="AnswerJudge"):
        from rewards import presets

        EmoReflectEnv(rubric=presets.get("grpo_baseline"))
    with pytest.raises(InvalidInputError, match="response text"):
        start()[0].step(None)


def test_parse_reflection_forms():
    assert parse_reflection("<Answer1> yes </Answer1> <answer2>joy") == {
        "consistency": "yes",
        "coherence": "joy",
    }
    assert parse_reflection(["a", "b"]) == {"consistency": "a", "coherence": "b"}


def test_gym_make_seeding_round_trip():
    env = gym.make("EmoReflect-v0", reflection="combined")
    first = [env.reset(seed=5)[1]["sample_id"]]
    for _ in range(3):
        env.step(RESPONSE)
        env.step("<answer1>yes</answer1><answer2>awe</answer2>")
        first.append(env.reset()[1]["sample_id"])
    again = [env.reset(seed=5)[1]["sample_id"]]
    for _ in range(3):
        env.step("x")
        env.step("y")
        again.append(env.reset()[1]["sample_id"])
    assert first == again and len(set(first)) == 4
