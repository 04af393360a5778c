"""CLIP consistency on tiny open_clip and transformers CLIP models saved and loaded locally."""

from __future__ import annotations

import pickle
import sys

import numpy as np
import pytest
import torch

from rewards.errors import InvalidInputError, MissingDependencyError, ModelLoadError
from rewards.models import clip_consistency
from rewards.models.clip_backends import load_clip
from rewards.rubric import Rubric
from rewards.rules import AccuracyReward
from rewards.testing import check_reward

STEP1 = "A dark alley with a man holding a knife."
GOOD = (
    f"<step1>{STEP1}</step1><step2>People would feel scared.</step2>"
    "<step3>Negative, high arousal.</step3> \\boxed{fear}"
)
LONG_STEP1 = " ".join(
    f"Sentence number {i} describes a dark alley, a broken lamp and a man." for i in range(12)
)
LONG = f"<step1>{LONG_STEP1}</step1><step2>Scary.</step2><step3>neg</step3> \\boxed{{fear}}"

BACKENDS = ["open_clip", "hf"]


@pytest.fixture(params=BACKENDS)
def clip_case(request, open_clip_dir, hf_clip_dir):
    path = open_clip_dir if request.param == "open_clip" else hf_clip_dir
    return request.param, path


def _cos(encoder, text, image) -> float:
    return _cosines(encoder, [text], image)[0]


def _cosines(encoder, texts, image) -> list[float]:
    a = encoder.encode_texts(texts)
    b = encoder.encode_images([image])[0]
    return (a * b).sum(-1).tolist()


def test_scores_equal_mapped_cosine(clip_case, images):
    backend, path = clip_case
    reward = clip_consistency(path, backend=backend, mapping="linear", batch_size=2)
    values = reward(None, [GOOD, GOOD, GOOD], image=images)
    encoder = load_clip(backend, path)
    expected = [(_cos(encoder, STEP1, img) + 1) / 2 for img in images]
    assert values == pytest.approx(expected, abs=1e-5)
    assert all(0.0 <= v <= 1.0 for v in values)
    assert reward.__name__ == "consistency"


def test_image_inputs_pil_array_and_path_agree(clip_case, images, tmp_path):
    backend, path = clip_case
    file = tmp_path / "img.png"
    images[0].save(file)
    reward = clip_consistency(path, backend=backend, mapping="linear")
    pil, array, from_path = reward(
        None, [GOOD] * 3, image=[images[0], np.asarray(images[0]), str(file)]
    )
    assert array == pytest.approx(pil, abs=1e-6)
    assert from_path == pytest.approx(pil, abs=1e-6)


def test_cache_makes_repeated_pairs_free(clip_case, images):
    backend, path = clip_case
    reward = clip_consistency(path, backend=backend)
    first = reward(None, [GOOD] * 4, image=[images[0]] * 4)  # one image, G = 4 responses
    assert reward.cache_info["images_misses"] == 1
    assert reward.cache_info["texts_misses"] == 1
    assert len(set(first)) == 1
    again = reward(None, [GOOD], image=[images[0]])
    assert again == [first[0]]
    assert reward.cache_info["images_hits"] == 1 and reward.cache_info["texts_hits"] == 1


def test_batch_size_does_not_change_values(clip_case, images):
    backend, path = clip_case
    a = clip_consistency(path, backend=backend, batch_size=1, cache_size=0)
    b = clip_consistency(path, backend=backend, batch_size=64)
    texts = [GOOD, GOOD, GOOD]
    assert a(None, texts, image=images) == pytest.approx(b(None, texts, image=images), abs=1e-5)


def test_long_passages_split_and_aggregate(clip_case, images):
    backend, path = clip_case
    encoder = load_clip(backend, path)
    assert encoder.n_tokens(LONG_STEP1) > encoder.context_length  # would be truncated
    sentences = [s.strip() for s in LONG_STEP1.split(". ")]
    sentences = [s if s.endswith(".") else s + "." for s in sentences]
    cosines = _cosines(encoder, sentences, images[0])
    best = clip_consistency(path, backend=backend, mapping="linear", aggregate="max")
    mean = clip_consistency(path, backend=backend, mapping="linear", aggregate="mean")
    assert best(None, [LONG], image=[images[0]]) == pytest.approx(
        [(max(cosines) + 1) / 2], abs=1e-5
    )
    assert mean(None, [LONG], image=[images[0]]) == pytest.approx(
        [(sum(cosines) / len(cosines) + 1) / 2], abs=1e-5
    )


def test_passage_choice(open_clip_dir, images):
    step12 = clip_consistency(open_clip_dir, passage="step1+step2", mapping="linear")
    encoder = load_clip("open_clip", open_clip_dir)
    expected = (_cos(encoder, STEP1 + " People would feel scared.", images[1]) + 1) / 2
    assert step12(None, [GOOD], image=[images[1]]) == pytest.approx([expected], abs=1e-5)


def test_missing_passage_and_missing_image(open_clip_dir, images):
    reward = clip_consistency(open_clip_dir, missing_value=0.0)
    values = reward(None, ["no structure", GOOD, GOOD], image=[images[0], None, images[2]])
    assert values[0] == 0.0 and values[1] is None and values[2] is not None
    assert reward.stats == {"scored": 2, "none": 1, "missing": 1}


def test_pickles_without_the_model_and_reloads(open_clip_dir, images):
    reward = clip_consistency(open_clip_dir)
    before = reward(None, [GOOD], image=[images[0]])
    clone = pickle.loads(pickle.dumps(reward))
    assert clone._state is None
    assert clone(None, [GOOD], image=[images[0]]) == pytest.approx(before, abs=1e-6)


def test_reward_contract_and_rubric(open_clip_dir, images):
    reward = clip_consistency(open_clip_dir, name="clip")
    batch = {
        "prompts": ["q"] * 3,
        "completions": [GOOD, "no structure", ""],
        "label": ["fear"] * 3,
        "image": images,
    }
    assert check_reward(reward, batch, value_range=(0, 1)).ok
    rubric = Rubric([AccuracyReward(), reward], {"accuracy": 0.5, "clip": 0.5})
    [result] = rubric.score_batch([GOOD], ["fear"], images=[images[0]])
    assert result.total == pytest.approx(0.5 + 0.5 * result.components["clip"])


def test_bf16_dtype_runs(open_clip_dir, images):
    reward = clip_consistency(open_clip_dir, dtype="bfloat16", mapping="linear")
    full = clip_consistency(open_clip_dir, mapping="linear")
    assert reward.loaded["encoder"].model.visual.conv1.weight.dtype == torch.bfloat16
    assert reward(None, [GOOD], image=[images[0]]) == pytest.approx(
        full(None, [GOOD], image=[images[0]]), abs=0.05
    )


def test_errors_name_path_backend_and_extra(tmp_path, open_clip_dir, monkeypatch, images):
    with pytest.raises(InvalidInputError, match="backend"):
        clip_consistency(open_clip_dir, backend="jax")
    with pytest.raises(InvalidInputError, match="aggregate"):
        clip_consistency(open_clip_dir, aggregate="median")
    missing = str(tmp_path / "nowhere")
    for backend in BACKENDS:
        reward = clip_consistency(missing, backend=backend)
        with pytest.raises(ModelLoadError, match="nowhere"):
            reward(None, [GOOD], image=[images[0]])
    monkeypatch.setitem(sys.modules, "open_clip", None)
    with pytest.raises(MissingDependencyError, match=r"emo-r3\[clip\]"):
        clip_consistency(open_clip_dir)(None, [GOOD], image=[images[0]])


def test_tensor_preprocessing_matches_pil(clip_case, images):
    backend, path = clip_case
    pil = load_clip(backend, path, preprocess="pil")
    tensor = load_clip(backend, path, preprocess="tensor")
    assert not pil.on_device and tensor.on_device
    batch = [images[0], images[0].resize((45, 30)), images[2].convert("RGB")]
    a, b = pil.pil_pixels(batch), tensor.tensor_pixels(batch)
    assert a.shape == b.shape
    assert (a - b).abs().mean().item() < 0.05  # bicubic kernels differ slightly
    pil_reward = clip_consistency(path, backend=backend, preprocess="pil", mapping="linear")
    tensor_reward = clip_consistency(path, backend=backend, preprocess="tensor", mapping="linear")
    assert tensor_reward(None, [GOOD] * 3, image=batch) == pytest.approx(
        pil_reward(None, [GOOD] * 3, image=batch), abs=0.01
    )
    with pytest.raises(InvalidInputError, match="preprocess"):
        clip_consistency(path, preprocess="gpu")
