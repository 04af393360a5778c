"""Model-reward configs: every factory builds its config by keyword, so nothing can swap."""

from __future__ import annotations

import dataclasses

import pytest

from rewards.errors import InvalidInputError, UnknownNameError
from rewards.models.classifiers import (
    ClassifierCoherence,
    ClassifierConfig,
    NLICoherence,
    NLIConfig,
    classifier_coherence,
    nli_coherence,
)
from rewards.models.clip import ClipConfig, ClipConsistency, clip_consistency
from rewards.models.lexicon import LexiconCoherence, LexiconConfig, lexicon_coherence
from rewards.models.text import (
    CaptionConsistency,
    CaptionConsistencyConfig,
    EmbeddingCoherence,
    EmbeddingCoherenceConfig,
    caption_consistency,
    embedding_coherence,
)


def _cos_half(cos):
    return cos / 2


COHERENCE = {
    "name": "coh_x",
    "batch_size": 7,
    "target": "gold",
    "passage": "reasoning",
    "missing_value": 0.25,
    "label_set": "emotion6",
    "parser": "think",
}
# Non-default values for EVERY field of each config (the test fails if a field is added
# without a value here); each value differs from the others of its kind.
CASES = [
    (
        clip_consistency,
        ClipConsistency,
        ClipConfig,
        {
            "name": "clip_x",
            "batch_size": 7,
            "model": "m-clip",
            "backend": "hf",
            "pretrained": "pt-tag",
            "passage": "reasoning",
            "mapping": "minmax",
            "low": 0.11,
            "high": 0.77,
            "aggregate": "mean",
            "device": "cpu:3",
            "dtype": "float16",
            "cache_size": 13,
            "missing_value": 0.25,
            "workers": 3,
            "preprocess": "pil",
            "parser": "think",
        },
    ),
    (
        caption_consistency,
        CaptionConsistency,
        CaptionConsistencyConfig,
        {
            "name": "cap_x",
            "batch_size": 7,
            "model": "m-cap",
            "passage": "step1+step2",
            "caption_key": "alt_text",
            "mapping": _cos_half,
            "low": 0.11,
            "high": 0.77,
            "missing_value": 0.25,
            "device": "cpu:3",
            "cache_size": 13,
        },
    ),
    (
        embedding_coherence,
        EmbeddingCoherence,
        EmbeddingCoherenceConfig,
        {
            **COHERENCE,
            "model": "m-emb",
            "scale": 3.5,
            "template": "{label}: {description}!",
            "descriptions": {"joy": "fun"},
            "device": "cpu:3",
            "cache_size": 13,
        },
    ),
    (
        nli_coherence,
        NLICoherence,
        NLIConfig,
        {
            **COHERENCE,
            "model": "m-nli",
            "hypothesis": "It is {label}.",
            "multi_label": True,
            "entailment_label": "yes",
            "contradiction_label": "no",
            "device": "cpu:3",
            "max_length": 99,
        },
    ),
    (
        classifier_coherence,
        ClassifierCoherence,
        ClassifierConfig,
        {
            **COHERENCE,
            "model": "m-cls",
            "label_map": {"happy": "joy"},
            "renormalize": True,
            "device": "cpu:3",
            "dtype": "float16",
            "max_length": 99,
        },
    ),
    (
        lexicon_coherence,
        LexiconCoherence,
        LexiconConfig,
        {**COHERENCE, "mapping": {"joy": ("trust",)}, "no_evidence": 0.5},
    ),
]
IDS = [case[2].__name__ for case in CASES]


@pytest.mark.parametrize(("factory", "cls", "config_cls", "values"), CASES, ids=IDS)
def test_factory_and_class_build_the_same_config_for_every_field(factory, cls, config_cls, values):
    fields = dataclasses.fields(config_cls)
    assert {f.name for f in fields} == set(values)
    for f in fields:
        assert values[f.name] != f.default, f.name  # every field is really exercised
    expected = config_cls(**values)
    assert factory(**values).config == expected
    assert cls(**values).config == expected
    assert cls(expected).config is expected
    reward = factory(**values)
    for f in fields:  # the attributes the reward reads agree with its config
        if hasattr(reward, f.name) and f.name not in ("mapping", "parser"):
            assert getattr(reward, f.name) == getattr(expected, f.name), f.name
    assert reward.__name__ == values["name"] and reward.batch_size == values["batch_size"]


@pytest.mark.parametrize(("factory", "cls", "config_cls", "values"), CASES, ids=IDS)
def test_configs_are_keyword_only_and_name_unknown_options(factory, cls, config_cls, values):
    with pytest.raises(TypeError):
        config_cls(*values.values())
    with pytest.raises(UnknownNameError, match="Did you mean 'batch_size'"):
        cls(**values, batchsize=2)
    with pytest.raises(InvalidInputError, match="batch_size must be a positive int"):
        factory(**{**values, "batch_size": 0})


def test_first_positional_argument_is_the_model_and_required_models_are_named():
    assert clip_consistency("ViT-L-14").config.model == "ViT-L-14"
    assert nli_coherence("some/nli").config.model == "some/nli"
    assert lexicon_coherence({"awe": ("joy",)}).mapping["awe"] == ("joy",)
    with pytest.raises(InvalidInputError, match="NLICoherence needs model="):
        NLICoherence()
    with pytest.raises(InvalidInputError, match="takes a ClipConfig"):
        ClipConsistency(NLIConfig(model="x"))


def test_replacing_fields_of_a_given_config():
    base = ClipConfig(model="a", batch_size=8)
    reward = ClipConsistency(base, batch_size=16)
    assert (reward.config.model, reward.batch_size, base.batch_size) == ("a", 16, 8)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: clip_consistency(backend="jax"), "backend must be one of"),
        (lambda: clip_consistency(mapping="minmax", low=0.5, high=0.1), "low < high"),
        (lambda: embedding_coherence(scale=0), "scale must be a positive number"),
        (lambda: embedding_coherence(target="boxd"), "target must be one of"),
        (lambda: caption_consistency(passage="step9"), "passage must be one of"),
        (lambda: nli_coherence("m", hypothesis="no slot"), "must contain '{label}'"),
        (lambda: lexicon_coherence({"awe": ("wonder",)}), "must list NRC categories"),
    ],
)
def test_bad_values_fail_at_construction(build, message):
    with pytest.raises(InvalidInputError, match=message):
        build()
