"""EmoReflect-v0 (reflection="separate"): the reference's two fresh reflective prompts.

The reference side is transcribed from the authors' repository, SeerRay-Lab/emo-r3 at
commit 238b27c2b62d64ced1005050412a62e46c1201c8:
* verl/trainer/ray_trainer.py, ``extract_steps``, ``extract_step1_to_step2``,
  ``_rethink_batch`` and the two ``rethink_prompt_template*`` strings in ``fit``;
* verl/utils/dataset.py, ``RLHFDataset._build_messages`` (the rethink data has no
  format prompt: ``is_path=False`` sets ``format_prompt`` to None);
* examples/config.yaml, ``worker.rollout.val_override_config`` (the rethink sampling)
  and ``data.max_response_length`` (its ``max_tokens``).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

import emo_env  # noqa: F401 - registers the ids
from emo_env.envs.base import EpisodeStateError
from emo_env.envs.reflect import AnswerJudge, EmoReflectEnv
from rewards.errors import InvalidInputError, UnknownNameError
from rewards.judges import JudgeRequest

_ORACLE = Path(__file__).resolve().parents[1] / "rewards" / "reference_oracle.py"
_spec = importlib.util.spec_from_file_location("emo_env_tests_reference_oracle", _ORACLE)
_oracle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_oracle)
oracle_prompts = _oracle.prompts

MIKELS = "amusement, anger, awe, contentment, disgust, excitement, fear, sadness"

# --- the reference, transcribed ------------------------------------------------------
REF_COHERENCE = (
    "{response}\n"
    "Which emotion best describes the text above?\n"
    "Answer the question using one emotional category (one word only): "
    "amusement, anger, awe, contentment, disgust, excitement, fear, sadness."
)
REF_CONSISTENCY = (
    "<image>\nCan the following text describe the image?Please answer with yes or no.{response}"
)
REF_SAMPLING = {"temperature": 0.6, "top_p": 0.95, "n": 1, "max_tokens": 2048}


def ref_extract_steps(text):
    match = re.search(r"(<step1>.*?</step2>)", text, re.DOTALL)
    return match.group(1).strip() if match else ""


def ref_extract_step1_to_step2(text):
    match = re.search(r"(<step1>.*?)(?=<step2>)", text, re.DOTALL)
    return match.group(1).strip() if match else ""


def ref_user_content(problem, with_image):
    """``_build_messages``: the user content of one rethink prompt."""
    if not with_image:
        return problem
    content = []
    for i, part in enumerate(problem.split("<image>")):
        if i != 0:
            content.append({"type": "image"})
        if part:
            content.append({"type": "text", "text": part})
    return content


def reference_contents(response):
    """(consistency content, coherence content) as the reference asks them."""
    resp = ref_extract_step1_to_step2(response)
    cons = REF_CONSISTENCY.format(response=resp) if resp else "<image>\nAnswer 'None'"
    resp = ref_extract_steps(response)
    coh = REF_COHERENCE.format(response=resp) if resp else "Answer 'None'"
    return ref_user_content(cons, True), ref_user_content(coh, False)


# --- the environment -----------------------------------------------------------------
RESPONSE = (
    "<step1>A tall rocket on a floodlit launch pad.</step1>\n<step2>People would feel "
    "wonder at its size.</step2><step3>positive, high arousal</step3> \\boxed{awe}"
)
SHAPES = {
    "canonical": RESPONSE,
    "spaces_and_newlines": "  \n<step1>\n  a dark alley \n</step1>\n\n<step2> dread </step2>\n"
    "<step3>negative</step3>\n\\boxed{fear}\n",
    "two_step1_blocks": "<step1>first</step1><step1>second</step1><step2>b</step2>"
    "<step3>c</step3>\\boxed{awe}",
    "no_step2": "<step1>only a scene</step1><step3>x</step3>\\boxed{awe}",
    "no_tags": "\\boxed{awe}",
    "step2_first": "<step2>feel</step2><step1>scene</step1><step2>again</step2>\\boxed{awe}",
    "braces_and_unicode": "<step1>Feux d’artifice {{}} 🎆 漢字</step1><step2>{joy}</step2>"
    "<step3>+</step3>\\boxed{excitement}",
    "empty": "",
}


def start(**options) -> tuple[EmoReflectEnv, dict, dict]:
    env = EmoReflectEnv(split="test", **options)
    obs, info = env.reset(options={"sample_id": "embedded/rocket"})
    return env, obs, info


def as_content(obs):
    """The user content a chat policy builds from a fresh-context observation."""
    if obs["has_image"]:
        return [{"type": "image"}, {"type": "text", "text": obs["prompt"]}]
    return obs["prompt"]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_two_prompts_byte_for_byte_against_the_reference(shape):
    response = SHAPES[shape]
    env, first, _ = start(rubric="emo_r3_reference")
    cons_obs, _, _, _, cons_info = env.step(response)
    coh_obs, *_ = env.step("yes")
    ref_cons, ref_coh = reference_contents(response)
    assert as_content(cons_obs) == ref_cons
    assert as_content(coh_obs) == ref_coh
    # the package's reward asks the same questions (its oracle agrees too)
    oracle_cons, oracle_coh = oracle_prompts(response, MIKELS.split(", "))
    assert cons_info["questions"] == {"consistency": oracle_cons, "coherence": oracle_coh}
    assert cons_obs["prompt"] == "\n" + oracle_cons and coh_obs["prompt"] == oracle_coh
    # consistency with the sample's image; coherence without any image
    assert (cons_obs["has_image"], coh_obs["has_image"]) == (1, 0)
    np.testing.assert_array_equal(cons_obs["image"], first["image"])
    assert coh_obs["image"].shape == first["image"].shape and not coh_obs["image"].any()


def test_fresh_contexts_hold_no_chat_history():
    env, first, _ = start()
    cons, *_ = env.step(RESPONSE)
    coh, *_ = env.step("yes")
    for obs in (cons, coh):
        assert "Which emotion does this image evoke" not in obs["prompt"]
        assert "\\boxed" not in obs["prompt"] and "<step3>" not in obs["prompt"]
        assert "yes" not in obs["prompt"].lower().replace("yes or no", "")
    assert first["turn"] == 0 and (cons["turn"], coh["turn"]) == (1, 2)


def test_info_says_how_to_answer_each_observation():
    env, _, reset_info = start()
    assert (reset_info["asking"], reset_info["trainable"], reset_info["fresh_context"]) == (
        "response",
        True,
        True,
    )
    assert reset_info["sampling"] is None  # the rollout's own sampling
    _, _, _, _, cons = env.step(RESPONSE)
    _, _, _, _, coh = env.step("Yes.")
    for info, kind in ((cons, "consistency"), (coh, "coherence")):
        assert info["asking"] == kind
        assert info["fresh_context"] is True and info["trainable"] is False
        assert info["sampling"] == REF_SAMPLING
    assert (cons["turn"], coh["turn"]) == (0, 1)
    env, *_ = start(max_response_tokens=512)
    assert env.step(RESPONSE)[4]["sampling"]["max_tokens"] == 512


@pytest.mark.parametrize(
    ("rubric", "response", "answers", "reward", "components"),
    [
        ("emo_r3_reference", RESPONSE, ("Yes.", "awe"), 1.1, (1.0, 1.0)),
        ("emo_r3_reference", RESPONSE, ("no", "Awe"), 1.0, (0.0, 1.0)),
        ("emo_r3_reference", RESPONSE, ("I know it", "awe."), 0.9, (0.0, 0.0)),
        (
            "emo_r3_reference",
            RESPONSE.replace("{awe}", "{fear}"),
            ("maybe", "none"),
            0.2,
            (0.5, 0.5),
        ),
        ("emo_r3_reference", "\\boxed{awe}", ("None", "None"), 0.85, (0.0, 0.5)),
        ("emo_r3_paper", RESPONSE, ("Yes, it can.", "awe"), 1.0, (1.0, 1.0)),
        ("emo_r3_paper", RESPONSE, ("I know it", "Awe!"), 0.95, (0.0, 1.0)),
        ("emo_r3_robust", RESPONSE, ("yes", "fear"), 0.95, (1.0, 0.0)),
        ("emo_r3_robust", RESPONSE, ("no", "AWE"), 0.95, (0.0, 1.0)),
    ],
)
def test_reward_uses_the_answers_as_verdicts(rubric, response, answers, reward, components):
    env, *_ = start(rubric=rubric)
    _, r0, d0, _, _ = env.step(response)
    _, r1, d1, _, _ = env.step(answers[0])
    _, r2, d2, _, info = env.step(answers[1])
    assert (r0, r1, d0, d1, d2) == (0.0, 0.0, False, False, True)
    assert r2 == pytest.approx(reward) and info["reward"] == pytest.approx(reward)
    got = (info["components"]["consistency"], info["components"]["coherence"])
    assert got == components
    assert info["answers"] == dict(zip(("consistency", "coherence"), answers, strict=True))
    assert info["turn"] == 2 and info["correct"] == ("{awe}" in response)


def test_answer_judge_gives_no_verdict_for_questions_it_was_never_given():
    judge = AnswerJudge()
    judge.load("coherence", "q", "awe")
    requests = [JudgeRequest("coherence", "q"), JudgeRequest("coherence", "q")]
    assert judge(requests) == ["awe", None]
    assert judge([JudgeRequest("consistency", "other")]) == [None]
    # the env's rubric used outside the env (as a trainer borrowing it would): no verdicts,
    # counted missing, never scored as wrong ("" would score coherence 0.5 or 0)
    env, *_ = start(rubric="emo_r3_reference")
    image = env.dataset[0]["image"]
    result = env.rubric.score_batch([RESPONSE], labels=["awe"], images=[image])[0]
    assert result.components["consistency"] == result.components["coherence"] == 1.0
    assert env._reflective.stats["missing"] == 2


def test_errors_and_episode_end():
    env, *_ = start()
    env.step(RESPONSE)
    with pytest.raises(InvalidInputError, match="consistency question must be the answer text"):
        env.step({"consistency": "yes"})
    env.step("yes")
    with pytest.raises(InvalidInputError, match="coherence question"):
        env.step(["awe"])
    env.step("awe")
    with pytest.raises(EpisodeStateError, match="episode has ended"):
        env.step("x")
    with pytest.raises(UnknownNameError, match="separate"):
        EmoReflectEnv(reflection="seperate")
    with pytest.raises(InvalidInputError, match="max_response_tokens"):
        EmoReflectEnv(max_response_tokens=0)


def test_long_answers_are_cut_and_flagged():
    env, *_ = start(max_action_chars=50)
    env.step(RESPONSE)
    _, _, _, _, info = env.step("yes " * 100)
    assert info["action_truncated"] is True
    _, _, _, _, info = env.step("awe")
    assert info["answer_truncated"] is True and len(info["answers"]["consistency"]) == 50


def test_gym_make_episode_and_seeding():
    env = gym.make("EmoReflect-v0")
    ids = []
    for seed in (3, 3):
        ids.append(env.reset(seed=seed)[1]["sample_id"])
        for action in (RESPONSE, "yes", "awe"):
            *_, done, _, _ = env.step(action)
        assert done
    assert ids[0] == ids[1]
