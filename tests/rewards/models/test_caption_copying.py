"""Caption consistency does not pay for copying the caption (issue 14), with real MiniLM.

One test caption per label of the caption benchmark, each with an honest paraphrase
written for this test: the paraphrase keeps its similarity score, verbatim copying
(the whole caption, or its first half) scores less, the whole copy exactly 0.
"""

from __future__ import annotations

import pytest
import torch

from emo_env.data.captions import records
from rewards.models import caption_consistency, minilm_path
from rewards.models.text import copied_fraction

PARAPHRASES = {
    "captions/amusement/002": "A small boy wears a kitchen strainer like a helmet and "
    "gives a salute holding a spoon.",
    "captions/anger/002": "A supporter throws his cup at the field and screams at the "
    "official, his face flushed.",
    "captions/awe/002": "Northern lights in green and purple sweep over a snowy inlet "
    "in Norway at night.",
    "captions/contentment/002": "A striped cat naps in a warm sunny spot on the floorboards.",
    "captions/disgust/002": "Maggots swarm over a piece of uncooked meat lying on a countertop.",
    "captions/excitement/002": "Fans jump up cheering with their hands in the air as a "
    "buzzer-beater goes in.",
    "captions/fear/002": "A big furry spider rests on a pillow right next to a child "
    "who is asleep.",
    "captions/sadness/002": "A dog waits by the front door of a deserted home, ignoring "
    "its full bowl of food.",
}


def _resp(step1: str) -> str:
    return f"<step1>{step1}</step1><step2>x</step2><step3>x</step3> \\boxed{{awe}}"


@pytest.fixture(scope="module")
def captions():
    by_id = {r["id"]: r for r in records()}
    return [by_id[i]["caption"] for i in PARAPHRASES]


@pytest.fixture(scope="module")
def minilm():
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(minilm_path(), device="cpu")


def test_copied_fraction_exact_values():
    assert copied_fraction("a b c d", "x a b c d y") == 1.0
    assert copied_fraction("a b c d e f g h", "a b c d") == 0.5
    assert copied_fraction("a b c x", "a b c d") == 0.0  # a 3-word run is not a copy
    assert copied_fraction("A, B. c d!", "a b c d") == 1.0  # case and punctuation ignored
    assert copied_fraction("a b c d", "a b c d", n=0) == 0.0
    assert copied_fraction("", "a b c d") == 0.0


def test_paraphrases_share_no_four_word_run(captions):
    for caption, paraphrase in zip(captions, PARAPHRASES.values(), strict=True):
        assert copied_fraction(paraphrase, caption) == 0.0


def test_copying_scores_less_than_an_honest_paraphrase(captions, minilm):
    reward = caption_consistency()
    paraphrases = list(PARAPHRASES.values())
    halves = [" ".join(c.split()[: len(c.split()) // 2]) + " and more" for c in captions]
    own = reward(None, [_resp(p) for p in paraphrases], caption=captions)
    copy = reward(None, [_resp(c) for c in captions], caption=captions)
    half = reward(None, [_resp(h) for h in halves], caption=captions)
    # the paraphrase keeps its whole similarity (positive mapping: the clipped cosine)
    cos = (
        torch.nn.functional.normalize(
            minilm.encode(paraphrases, convert_to_tensor=True).float(), dim=-1
        )
        * torch.nn.functional.normalize(
            minilm.encode(captions, convert_to_tensor=True).float(), dim=-1
        )
    ).sum(-1)
    assert own == pytest.approx(cos.clamp(0, 1).tolist(), abs=1e-5)
    assert min(own) > 0.5
    assert copy == [0.0] * len(captions)
    for o, h in zip(own, half, strict=True):
        assert h < o
    # without the copy check (the old behaviour) the verbatim copy would score 1.0
    plain = caption_consistency()
    plain.copy_ngram = 0
    assert plain(None, [_resp(c) for c in captions], caption=captions) == pytest.approx(
        [1.0] * len(captions), abs=1e-5
    )
