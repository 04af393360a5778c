"""NLI cross-encoder, text-classifier and lexicon coherence on tiny local models."""

from __future__ import annotations

import pickle

import pytest
import torch

from rewards.errors import InvalidInputError, ModelLoadError, UnknownNameError
from rewards.models import classifier_coherence, lexicon_coherence, nli_coherence
from rewards.models.lexicon import nrc_counts

PASSAGE = "A dark alley. Frightening."
FEAR = "<step1>A dark alley.</step1><step2>Frightening.</step2><step3>neg</step3> \\boxed{fear}"
NAMES = ("amusement", "anger", "awe", "contentment", "disgust", "excitement", "fear", "sadness")


def _nli_logits(path, pairs):
    from sentence_transformers import CrossEncoder

    return CrossEncoder(path, device="cpu").predict(pairs, convert_to_tensor=True).float()


def test_nli_zero_shot_softmax_over_labels(cross_encoder_dir):
    reward = nli_coherence(cross_encoder_dir)
    [value] = reward(None, [FEAR])
    pairs = [(PASSAGE, f"This text expresses {n}.") for n in NAMES]
    entail = _nli_logits(cross_encoder_dir, pairs)[:, 1]  # id2label 1 = entailment
    assert value == pytest.approx(torch.softmax(entail, 0)[6].item(), abs=1e-5)


def test_nli_multi_label_is_entailment_vs_contradiction(cross_encoder_dir):
    reward = nli_coherence(cross_encoder_dir, multi_label=True, target="gold")
    [value] = reward(None, [FEAR], label=["sadness"])
    logits = _nli_logits(cross_encoder_dir, [(PASSAGE, "This text expresses sadness.")])[0]
    expected = torch.softmax(torch.stack([logits[0], logits[1]]), 0)[1].item()
    assert value == pytest.approx(expected, abs=1e-5)


def test_nli_missing_class_names_it(tmp_path):
    from fixtures.tiny_models import build_tiny_cross_encoder

    path = build_tiny_cross_encoder(tmp_path / "ce", labels=("yes", "no", "maybe"))
    with pytest.raises(ModelLoadError, match="no 'entail' class"):
        nli_coherence(path)(None, [FEAR])


def test_classifier_maps_classes_onto_the_label_set(classifier_dir):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(classifier_dir)
    net = AutoModelForSequenceClassification.from_pretrained(classifier_dir).eval()
    with torch.no_grad():
        probs = torch.softmax(net(**tok([PASSAGE], return_tensors="pt")).logits, -1)[0]
    p_joy, p_scared, p_neutral = probs.tolist()

    default = classifier_coherence(classifier_dir)  # "scared" -> fear by synonym
    assert default.class_map("mikels8") == [None, "fear", None]
    assert default(None, [FEAR]) == pytest.approx([p_scared], abs=1e-5)
    renorm = classifier_coherence(classifier_dir, renormalize=True)
    assert renorm(None, [FEAR]) == pytest.approx([1.0])
    mapped = classifier_coherence(
        classifier_dir, label_map={"joy": "amusement", "scared": "fear"}, target="gold"
    )
    assert mapped(None, [FEAR], label=["amusement"]) == pytest.approx([p_joy], abs=1e-5)
    emotion6 = classifier_coherence(classifier_dir).predict([PASSAGE], "emotion6")[0]
    assert emotion6 == pytest.approx([0, 0, p_scared, p_joy, 0, 0], abs=1e-5)
    assert sum(probs.tolist()) == pytest.approx(1.0) and p_neutral > 0


def test_classifier_errors(classifier_dir, tmp_path):
    with pytest.raises(UnknownNameError, match="Did you mean 'fear'"):
        classifier_coherence(classifier_dir, label_map={"scared": "fearr"})(None, [FEAR])
    sentiment = classifier_coherence(classifier_dir, label_set="webemo2")
    with pytest.raises(InvalidInputError, match="label_map"):
        sentiment.predict([PASSAGE], "webemo2")
    with pytest.raises(ModelLoadError, match="missing-model"):
        classifier_coherence(str(tmp_path / "missing-model"))(None, [FEAR])


def test_classifier_pickles(classifier_dir):
    reward = classifier_coherence(classifier_dir)
    before = reward(None, [FEAR])
    assert pickle.loads(pickle.dumps(reward))(None, [FEAR]) == pytest.approx(before)


def test_lexicon_counts_and_exact_share():
    counts = nrc_counts("Dangerous! Frightening.")
    # dangerous: fear, negative; frighten(ing): fear, negative, sadness, surprise
    assert counts["fear"] == 2 and counts["negative"] == 2
    assert counts["sadness"] == 1 and counts["surprise"] == 1 and counts["joy"] == 0
    reward = lexicon_coherence(target="gold")
    text = "<step1>Dangerous!</step1><step2>Frightening.</step2><step3>x</step3>"
    # mikels8 scores: fear 2, sadness 1, awe (surprise + positive) / 2 = 0.5,
    # excitement (anticipation + joy + surprise) / 3 = 1/3; others 0.
    total = 2 + 1 + 0.5 + 1 / 3
    assert reward(None, [text], label=["fear"]) == pytest.approx([2 / total])
    assert reward(None, [text], label=["awe"]) == pytest.approx([0.5 / total])


def test_lexicon_no_evidence_and_mapping():
    text = "<step1>A table.</step1><step2>A chair.</step2><step3>x</step3> \\boxed{fear}"
    assert lexicon_coherence()(None, [text]) == [None]
    assert lexicon_coherence(no_evidence=0.5)(None, [text]) == [0.5]
    custom = lexicon_coherence(mapping={"awe": ("joy",)})
    assert custom.categories("awe") == ("joy",)
    assert lexicon_coherence().categories("rage") == ("anger",)  # from the lexicon itself
    with pytest.raises(InvalidInputError, match="NRC categories"):
        lexicon_coherence(mapping={"awe": ("wonder",)})
    weird = lexicon_coherence(target="gold", label_set="webemo25")
    with pytest.raises(InvalidInputError, match="not in the NRC lexicon"):
        weird.categories("zzz")
