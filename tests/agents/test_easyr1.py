"""The EasyR1 reward file against the reference oracle, loaded as EasyR1 loads it.

EasyR1's ``AutoRewardManager`` imports the file with ``spec_from_file_location`` (the
module registered as ``custom_reward_fn``), reads ``REWARD_NAME`` / ``REWARD_TYPE`` and
calls ``partial(compute_score, **reward_function_kwargs)`` on the batch's list of
``{"response", "response_length", "ground_truth"}`` dicts; the authors' fork adds
``rethink_result`` (coherence answer) and ``rethink_result_image`` (consistency answer).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from functools import partial
from pathlib import Path

import pytest
from fixtures.tiny_models import build_tiny_open_clip

sys.path.insert(0, str(Path(__file__).parents[1] / "rewards"))  # the oracle and its corpus
from reference_oracle import score as oracle_score
from test_reference_preset import ROWS

import agents.easyr1.reward as reward_file
from agents.common.labels import encode_label
from rewards import presets
from rewards.errors import EmoError

GOOD = (
    "<step1>A storm hits a boat.</step1><step2>People feel scared.</step2>"
    "<step3>Negative, high arousal.</step3> \\boxed{fear}"
)


def load_like_easyr1(kwargs=None):
    """What EasyR1's AutoRewardManager does with worker.reward.reward_function."""
    spec = importlib.util.spec_from_file_location("custom_reward_fn", reward_file.__file__)
    module = importlib.util.module_from_spec(spec)
    sys.modules["custom_reward_fn"] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["custom_reward_fn"]
    assert (module.REWARD_NAME, module.REWARD_TYPE) == ("emo_r3", "batch")
    return partial(module.compute_score, **(kwargs or {}))


def inputs(rows, with_answers=True):
    out = []
    for response, label, cons, coh in rows:
        item = {"response": response, "response_length": len(response), "ground_truth": label}
        if with_answers:  # the fork: always present, None when reflection did not run
            item.update(rethink_result=coh, rethink_result_image=cons)
        out.append(item)
    return out


@pytest.mark.parametrize("with_answers", [True, False])
def test_reference_preset_reproduces_the_authors_scores(with_answers, monkeypatch):
    monkeypatch.delenv("EMO_R3_PRESET", raising=False)
    compute_score = load_like_easyr1()
    scores = compute_score(inputs(ROWS, with_answers))
    assert len(scores) == len(ROWS)
    for i, ((response, label, cons, coh), got) in enumerate(zip(ROWS, scores, strict=True)):
        want = oracle_score(
            response, label, cons if with_answers else None, coh if with_answers else None
        )
        assert got["overall"] == pytest.approx(want["total"], abs=1e-12), (i, response)
        for key in ("accuracy", "format", "consistency", "coherence"):
            assert got[key] == pytest.approx(want[key], abs=1e-12), (i, key, response)
        assert all(isinstance(v, float) for v in got.values())  # EasyR1 averages every key


def test_fork_answers_none_count_one_and_upstream_inputs_work():
    fork = {"response": GOOD, "response_length": 9, "ground_truth": "fear"}
    both = {**fork, "rethink_result": None, "rethink_result_image": None}
    assert load_like_easyr1()([fork])[0]["overall"] == pytest.approx(1.1)
    assert load_like_easyr1()([both])[0]["overall"] == pytest.approx(1.1)
    no = {**fork, "rethink_result": "awe", "rethink_result_image": "No"}
    assert load_like_easyr1()([no])[0] == pytest.approx(
        {"overall": 0.9, "accuracy": 1.0, "format": 1.0, "consistency": 0.0, "coherence": 0.0}
    )


def test_identical_responses_keep_their_own_answers():
    items = [
        {"response": GOOD, "response_length": 9, "ground_truth": "fear",
         "rethink_result": coh, "rethink_result_image": cons}
        for cons, coh in [("yes", "fear"), ("no", "awe"), ("maybe", "")]
    ]  # fmt: skip
    scores = [s["overall"] for s in load_like_easyr1()(items)]
    assert scores == pytest.approx([1.1, 0.9, 0.9 + 0.1 * (0.5 + 0.5)])


@pytest.fixture(scope="module")
def clip_model(tmp_path_factory):
    return build_tiny_open_clip(tmp_path_factory.mktemp("clip"))


@pytest.mark.parametrize("name", presets.names())
def test_any_preset_selectable_by_kwargs_or_env(name, monkeypatch, clip_model):
    from PIL import Image

    item = {"response": GOOD, "response_length": 9, "ground_truth": encode_label("fear")}
    options = {}
    if name == "emo_r3_clip":  # scores with a CLIP model (a tiny local one) and the image
        options = {"clip_model": clip_model}
        item["images"] = [Image.new("RGB", (32, 32), (200, 30, 30))]
    want = presets.build(name, judge=None, **options).score_batch(
        [GOOD],
        ["fear"],
        images=[item.get("images", [None])[0]],
        label_set=["mikels8"],
        caption=[""],
    )[0]
    got = load_like_easyr1({"preset": name, "preset_args": options})([item])[0]
    assert got["overall"] == pytest.approx(want.total)
    monkeypatch.setenv("EMO_R3_PRESET", name)
    monkeypatch.setenv("EMO_R3_PRESET_ARGS", json.dumps(options))
    assert load_like_easyr1()([item])[0]["overall"] == pytest.approx(want.total)


def test_paper_preset_uses_the_answers_as_verdicts():
    item = {
        "response": GOOD,
        "response_length": 9,
        "ground_truth": "fear",
        "rethink_result": "fear",
        "rethink_result_image": "No, it cannot.",
    }
    got = load_like_easyr1({"preset": "emo_r3_paper"})([item])[0]
    assert got["overall"] == pytest.approx(0.8 + 0.1 + 0.1 * (0.0 + 1.0) / 2)


@pytest.mark.parametrize(
    ("batch", "kwargs", "message"),
    [
        ({"response": GOOD, "ground_truth": "fear"}, {}, "whole batch"),
        ([{"response": GOOD, "ground_truth": "feer"}], {}, "Did you mean 'fear'"),
        ([{"response": 3, "ground_truth": "fear"}], {}, "str 'response'"),
        ([{"response": GOOD}], {}, "ground_truth"),
        ([{"response": GOOD, "ground_truth": "fear"}], {"format_weight": 0.1}, "format_weight"),
        ([{"response": GOOD, "ground_truth": "fear"}], {"preset": "emo_r3_papr"}, "emo_r3_paper"),
    ],
)
def test_bad_input_is_a_clear_error(batch, kwargs, message):
    with pytest.raises(EmoError, match=message):
        load_like_easyr1(kwargs)(batch)
