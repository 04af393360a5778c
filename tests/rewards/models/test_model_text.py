"""Sentence-embedding scorers with the offline MiniLM-L6, and the model presets."""

from __future__ import annotations

import pickle

import pytest
import torch

from rewards import presets
from rewards.errors import InvalidInputError, ModelLoadError
from rewards.models import caption_consistency, embedding_coherence, minilm_path
from rewards.testing import check_reward


def _resp(step1: str, step2: str, box: str) -> str:
    return f"<step1>{step1}</step1><step2>{step2}</step2><step3>x</step3> \\boxed{{{box}}}"


DISGUST = _resp("A rotten, fly-covered meal on a dirty plate.", "Viewers feel sick.", "disgust")
AMUSED = _resp("A child laughs at a clown doing tricks.", "People find it funny.", "amusement")
MISLABELED = AMUSED.replace("amusement}", "sadness}")


@pytest.fixture(scope="module")
def minilm():
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(minilm_path(), device="cpu")


def _embed(model, texts):
    return model.encode(texts, convert_to_tensor=True, normalize_embeddings=True).float()


def test_embedding_coherence_is_softmax_over_label_descriptions(minilm):
    reward = embedding_coherence(scale=10.0)
    values = reward(None, [DISGUST, AMUSED, MISLABELED])
    labels = _embed(minilm, reward.label_texts("mikels8"))
    passages = _embed(
        minilm,
        [
            "A rotten, fly-covered meal on a dirty plate. Viewers feel sick.",
            "A child laughs at a clown doing tricks. People find it funny.",
        ],
    )
    probs = torch.softmax(10.0 * passages @ labels.T, dim=-1)
    expected = [probs[0, 4].item(), probs[1, 0].item(), probs[1, 7].item()]
    assert values == pytest.approx(expected, abs=1e-5)
    # the offline model really reads emotions: the boxed label beats a wrong one
    assert values[0] > 0.5 and values[1] > 0.5 and values[2] < 0.05


def test_embedding_coherence_targets_and_missing():
    boxed = embedding_coherence()
    gold = embedding_coherence(target="gold")
    assert boxed(None, [MISLABELED])[0] < 0.05
    assert gold(None, [MISLABELED], label=["amusement"])[0] > 0.5
    unknown_box = AMUSED.replace("amusement}", "banana}")
    assert boxed(None, ["no steps \\boxed{fear}", unknown_box]) == [0.0, 0.0]
    assert boxed.stats["missing"] == 2
    with pytest.raises(InvalidInputError, match="label"):
        gold(None, [AMUSED])


def test_embedding_coherence_label_sets_and_descriptions():
    reward = embedding_coherence(descriptions={"joy": "laughter and fun"})
    assert reward.label_texts("emotion6")[3] == "This text expresses joy: laughter and fun."
    joy = AMUSED.replace("amusement}", "joy}")
    [value] = reward(None, [joy], label_set="emotion6")
    dist = reward.predict(
        ["A child laughs at a clown doing tricks. People find it funny."], "emotion6"
    )
    assert value == pytest.approx(dist[0][3], abs=1e-6)
    assert sum(dist[0]) == pytest.approx(1.0, abs=1e-5)


def test_encoder_is_shared_and_cached():
    a, b = embedding_coherence(), caption_consistency()
    assert a.loaded is b.loaded
    cache = a.loaded.cache
    a(None, [DISGUST])
    hits = cache.hits
    a(None, [DISGUST])
    assert cache.hits > hits


def test_caption_consistency_is_mapped_cosine(minilm):
    reward = caption_consistency(mapping="linear")
    captions = ["a plate of rotten food with flies", "a mountain at night", None]
    values = reward(None, [DISGUST, DISGUST, DISGUST], caption=captions)
    step1 = _embed(minilm, ["A rotten, fly-covered meal on a dirty plate."])
    caps = _embed(minilm, captions[:2])
    expected = (((caps @ step1.T).squeeze(1) + 1) / 2).tolist()
    assert values[:2] == pytest.approx(expected, abs=1e-5)
    assert values[2] is None
    assert values[0] > values[1]


def test_caption_consistency_errors_and_missing():
    reward = caption_consistency()
    with pytest.raises(InvalidInputError, match="'caption' column"):
        reward(None, [DISGUST])
    with pytest.raises(InvalidInputError, match="one caption per completion"):
        reward(None, [DISGUST], caption=["a", "b"])
    assert reward(None, ["no steps"], caption=["x"]) == [0.0]


def test_rewards_pickle_and_keep_contract():
    for reward in (embedding_coherence(), caption_consistency()):
        clone = pickle.loads(pickle.dumps(reward))
        batch = {
            "prompts": ["q"] * 3,
            "completions": [DISGUST, "plain", ""],
            "label": ["disgust"] * 3,
            "caption": ["rotten food", "x", None],
        }
        assert check_reward(clone, batch, value_range=(0, 1)).ok


def test_bad_model_names_the_path(tmp_path):
    reward = embedding_coherence(model=str(tmp_path / "no-such-model"))
    with pytest.raises(ModelLoadError, match="no-such-model"):
        reward(None, [DISGUST])


def test_offline_preset_total_follows_paper_formula():
    rubric = presets.get("emo_r3_offline")
    results = rubric.score_batch(
        [DISGUST, MISLABELED], ["disgust", "amusement"], caption=["rotten food", "a clown"]
    )
    for r in results:
        c = r.components
        expected = 0.8 * c["accuracy"] + 0.1 * c["format"]
        expected += 0.05 * (c["consistency"] + c["coherence"])
        assert r.total == pytest.approx(expected)
    assert results[0].components["accuracy"] == 1.0 and results[1].components["accuracy"] == 0.0
    assert results[0].total > results[1].total


def test_clip_preset_uses_clip_and_embeddings(open_clip_dir, images):
    rubric = presets.get("emo_r3_clip", clip_model=open_clip_dir, l1=0.2, l2=0.0)
    assert rubric.weights["consistency"] == pytest.approx(0.1)
    [r] = rubric.score_batch([DISGUST], ["disgust"], images=[images[0]])
    assert 0.0 <= r.components["consistency"] <= 1.0
    assert r.total == pytest.approx(
        0.8 + 0.1 * (r.components["consistency"] + r.components["coherence"])
    )
    assert "emo_r3_clip" in presets.names() and "emo_r3_offline" in presets.names()


def test_model_presets_take_judge_none_only():
    assert presets.get("emo_r3_offline", judge=None).weights["coherence"] == pytest.approx(0.05)
    with pytest.raises(InvalidInputError, match="not a judge"):
        presets.get("emo_r3_clip", judge=lambda requests: ["yes"] * len(requests))
