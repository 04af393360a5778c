"""The fast paths of the model rewards give the values of the plain paths.

The CLIP tokenizer twin, zero-copy pixel views and keys, batched device preprocessing,
the images-first order used on a GPU, one encoder pass for passages and captions, fixed
label-description embeddings and the batch-at-a-time coherence loop.
"""

from __future__ import annotations

import numpy as np
import open_clip
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import rewards.models.clip as clip_module
from rewards.models import caption_consistency, clip_consistency, embedding_coherence
from rewards.models._common import image_key
from rewards.models._pixels import DevicePreprocess, pixel_key, pixel_view
from rewards.models.clip_backends import load_clip
from rewards.models.clip_tokenizer import FastClipTokenizer, is_plain

SLOW = open_clip.get_tokenizer("ViT-B-32")
FAST = FastClipTokenizer.from_open_clip(SLOW)
PIECES = ["don't", "IT'S", "we'll", "4.5", "a--b", "e.g.", "x'd", "<b>", "&amp;", "a&b",
          "naïve", "日本", "😀", "\x07", "cafe\u0301", "\u00a0", "\x0b", "<start_of_text>",
          "  ", "\t", "\n", "\r\n", "Hello!!", "''", "1984"]  # fmt: skip


def test_fast_clip_tokenizer_exists_only_for_simple_tokenizers():
    assert FAST is not None
    assert FastClipTokenizer.from_open_clip(object()) is None
    canon = open_clip.tokenizer.SimpleTokenizer(clean="canonicalize")
    assert FastClipTokenizer.from_open_clip(canon) is None  # another cleaning: not exact


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=9, max_codepoint=126), max_size=120))
def test_fast_clip_tokenizer_equals_simple_tokenizer_on_ascii(text):
    assert FAST.encode(text) == SLOW.encode(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8).map(" ".join))
def test_fast_clip_tokenizer_equals_simple_tokenizer_around_the_boundary(text):
    assert FAST.encode_batch([text, text.upper()]) == [SLOW.encode(text), SLOW.encode(text.upper())]


def test_plain_text_boundary():
    assert is_plain("A dog's 3 toys, (new)!\n\tok")
    for text in ("a &amp; b", "café", "bell\x07", "<end_of_text>", "tab\x0b"):
        assert not is_plain(text)
    FAST._memo.clear()
    FAST.memo_size = 3
    FAST.encode("one two three four five")
    assert len(FAST._memo) <= 6  # bounded: cleared when full
    FAST.memo_size = 200_000


def test_pixel_view_reads_pillow_memory_without_copying():
    array = np.random.default_rng(0).integers(0, 255, (30, 40, 3), dtype=np.uint8)
    image = Image.fromarray(array)
    view = pixel_view(image)
    assert view.shape[:2] == (30, 40) and view.dtype == np.uint8
    assert np.array_equal(view[..., :3], array)
    if view.shape[2] == 4:  # Pillow's own memory (Arrow export): a change shows through
        image.putpixel((0, 0), (1, 2, 3))
        assert tuple(view[0, 0, :3]) == (1, 2, 3)
    gray = pixel_view(Image.fromarray(array[..., 0]))  # converted to RGB first
    assert np.array_equal(gray[..., 0], array[..., 0]) and np.array_equal(
        gray[..., 2], array[..., 0]
    )
    assert np.array_equal(pixel_view(array)[..., :3], array)


def test_pixel_keys_follow_content_not_objects():
    a = Image.new("RGB", (16, 8), (1, 2, 3))
    b = Image.new("RGB", (16, 8), (1, 2, 3))
    c = Image.new("RGB", (16, 8), (1, 2, 4))
    assert pixel_key(pixel_view(a)) == pixel_key(pixel_view(b)) != pixel_key(pixel_view(c))
    assert image_key(a) == image_key(b) != image_key(Image.new("RGB", (8, 16), (1, 2, 3)))


def test_device_preprocess_handles_mixed_sizes_in_order():
    geometry = (16, (16, 16), (0.5, 0.5, 0.5), (0.25, 0.25, 0.25))
    pre = DevicePreprocess(geometry, "cpu", threads=2)
    rng = np.random.default_rng(1)
    images = [Image.fromarray(rng.integers(0, 255, shape, dtype=np.uint8))
              for shape in [(20, 30, 3), (40, 20, 3), (20, 30, 3), (16, 16, 3), (40, 20, 3)]]  # fmt: skip
    views = [pixel_view(im) for im in images]
    together = pre(views)
    alone = torch.cat([pre([v]) for v in views])
    assert together.shape == (5, 3, 16, 16)
    assert torch.allclose(together, alone, atol=1e-5)
    constant = pre([pixel_view(Image.new("RGB", (20, 20), (128, 128, 128)))])
    assert torch.allclose(constant, torch.full_like(constant, (128 / 255 - 0.5) / 0.25), atol=1e-4)


GOOD = (
    "<step1>A dark alley with a man holding a knife.</step1><step2>People would feel "
    "scared.</step2><step3>Negative, high arousal.</step3> \\boxed{fear}"
)


def test_images_first_order_gives_the_same_scores(open_clip_dir, images, monkeypatch):
    texts = [GOOD, "no structure", GOOD.replace("knife", "lamp"), GOOD]
    shown = [images[0], images[1], None, images[0]]
    plain = clip_consistency(open_clip_dir, preprocess="tensor", mapping="linear")
    early = clip_consistency(open_clip_dir, preprocess="tensor", mapping="linear")
    early._images_first = lambda: True  # the order used on CUDA
    assert early(None, texts, image=shown) == pytest.approx(plain(None, texts, image=shown))
    assert early.stats == plain.stats == {"scored": 3, "none": 1, "missing": 1}
    hashed = []
    monkeypatch.setattr(clip_module, "image_key", lambda img: hashed.append(1) or image_key(img))
    fresh = clip_consistency(open_clip_dir)
    fresh(None, [GOOD] * 8, image=[images[0]] * 8)  # G = 8 responses share the image object
    assert len(hashed) == 1 and fresh.cache_info["images_misses"] == 1


def test_clip_encoder_token_ids_use_the_fast_tokenizer(open_clip_dir):
    encoder = load_clip("open_clip", open_clip_dir)
    assert encoder.fast is not None
    text = "A dark alley, a man & his knife."
    tok = encoder.tokenizer
    assert encoder.token_ids([text]) == [[tok.sot_token_id, *tok.encode(text), tok.eot_token_id]]
    assert torch.equal(encoder.encode_ids(encoder.token_ids([text]))[0],
                       encoder.encode_texts([text])[0])  # fmt: skip


DISGUST = (
    "<step1>A rotten, fly-covered meal on a dirty plate.</step1><step2>Viewers feel sick."
    "</step2><step3>x</step3> \\boxed{disgust}"
)
AMUSED = DISGUST.replace("rotten, fly-covered meal", "clown juggling").replace(
    "disgust}", "amusement}"
)


def test_sentence_encoder_one_pass_for_two_lists_and_fixed_rows():
    reward = caption_consistency(cache_size=0)
    encoder = reward.loaded
    calls = []
    forward = encoder.forward
    encoder.forward = lambda texts: calls.append(list(texts)) or forward(texts)
    try:
        left, right = encoder.encode(["a", "b", "a"], ["c", "b"])
        assert calls == [["a", "b", "c"]]  # the union, once
        assert torch.allclose(left, encoder.encode(["a", "b", "a"]), atol=1e-6)
        assert torch.allclose(right[1], left[1], atol=1e-6)
        calls.clear()
        rows = encoder.fixed(["label one", "label two"])
        assert torch.equal(encoder.fixed(["label one", "label two"]), rows) and len(calls) == 1
    finally:
        encoder.forward = forward


def test_coherence_batch_at_a_time_equals_one_batch():
    texts = [DISGUST, AMUSED, "no steps", AMUSED.replace("amusement}", "sadness}")] * 3
    small = embedding_coherence(batch_size=2, cache_size=0)
    small._streams = lambda: True  # a batch at a time, as on CUDA
    large = embedding_coherence(batch_size=64, cache_size=0)
    a, b = small(None, texts), large(None, texts)
    assert a == pytest.approx(b, abs=1e-6)
    assert a[2] == 0.0 and small.stats["missing"] == 3


def test_clip_tokenizer_docstring_example():
    import doctest

    import rewards.models.clip_tokenizer as module

    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
