"""The format warm start: its worked examples (not benchmark captions) and its training loop."""

from __future__ import annotations

import re

import pytest
import torch
from fixtures.tiny_models import build_tiny_causal_lm

from agents.trl import load_policy
from agents.trl.data import COMPACT_SYSTEM, compact_messages, prompt_messages
from agents.trl.warmstart import _encode, warm_start, warm_start_examples
from agents.trl.worked_examples import WORKED_EXAMPLES, answer_text
from emo_env.data.captions import LABELS, records
from rewards.errors import InvalidInputError, UnknownNameError
from rewards.parsing import get_parser


def _words(text):
    return set(re.findall(r"[a-z]+", text.lower()))


def test_worked_examples_are_balanced_and_well_formed():
    labels = [e[-1] for e in WORKED_EXAMPLES]
    assert sorted(set(labels)) == sorted(LABELS)
    assert all(labels.count(label) == 5 for label in LABELS)
    parser = get_parser("set")
    for example in WORKED_EXAMPLES:
        parsed = parser.parse(answer_text(example))
        assert parsed.format_ok and parsed.answer == example[-1]


def test_no_worked_example_is_a_benchmark_caption_or_a_near_duplicate():
    captions = [r["caption"] for r in records()]
    for scene, *_ in WORKED_EXAMPLES:
        assert scene not in captions
        words = _words(scene)
        closest = max(len(words & _words(c)) / len(words | _words(c)) for c in captions)
        assert closest < 0.4, scene


def test_no_worked_example_is_a_paraphrase_of_a_benchmark_caption():
    from rewards.models.text import shared_encoder

    encoder = shared_encoder(None, "cpu", 64, 8192)
    captions = encoder.encode([r["caption"] for r in records()])
    scenes = encoder.encode([e[0] for e in WORKED_EXAMPLES])
    assert float((scenes @ captions.T).max()) < 0.7


def test_compact_prompt_and_style_checks():
    messages = compact_messages("mikels8", " A storm. ")
    assert messages[0] == {"role": "system", "content": COMPACT_SYSTEM}
    assert messages[1]["content"] == (
        "Scene: A storm.\nOptions: amusement, anger, awe, contentment, disgust, "
        "excitement, fear, sadness."
    )
    assert prompt_messages("mikels8", "A storm.", style="compact") == messages
    with pytest.raises(InvalidInputError, match="compact prompt"):
        prompt_messages("mikels8", None, style="compact")
    with pytest.raises(UnknownNameError, match=r"Unknown prompt style .tiny."):
        prompt_messages("mikels8", "x", style="tiny")
    rows = warm_start_examples("compact")
    assert rows[0][:2] == compact_messages("mikels8", WORKED_EXAMPLES[0][0])


@pytest.fixture(scope="module")
def policy(tmp_path_factory):
    return load_policy(build_tiny_causal_lm(tmp_path_factory.mktemp("ws") / "lm"))


def test_loss_covers_the_answer_and_its_end_token_only(policy):
    tok = policy.tokenizer
    conversation = warm_start_examples("compact")[0]
    ids, n_prompt = _encode(tok, conversation)
    prompt = tok.apply_chat_template(conversation[:-1], tokenize=False, add_generation_prompt=True)
    assert tok.decode(ids[:n_prompt]) == prompt
    answer = tok.decode(ids[n_prompt:])
    assert answer == answer_text(WORKED_EXAMPLES[0]) + tok.eos_token


def test_warm_start_lowers_the_loss_and_reports(policy):
    before = {k: v.clone() for k, v in policy.model.state_dict().items()}
    report = warm_start(policy.model, policy.tokenizer, steps=6, learning_rate=5e-3, seed=1)
    assert report["steps"] == 6 and report["examples"] == 40 and report["seconds"] > 0
    assert report["last_loss"] < report["first_loss"]
    after = policy.model.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before)
    assert warm_start(policy.model, policy.tokenizer, steps=0, learning_rate=1.0)["seconds"] == 0
    with pytest.raises(InvalidInputError, match="steps must be an integer"):
        warm_start(policy.model, policy.tokenizer, steps=-1, learning_rate=1e-3)
    with pytest.raises(InvalidInputError, match="learning rate must be > 0"):
        warm_start(policy.model, policy.tokenizer, steps=1, learning_rate=0.0)
