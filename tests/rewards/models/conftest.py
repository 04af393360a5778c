"""Session fixtures for the model-reward tests: tiny local models, test images."""

from __future__ import annotations

import numpy as np
import pytest
from fixtures import tiny_models
from PIL import Image


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("tiny_models")


@pytest.fixture(scope="session")
def open_clip_dir(tiny_dir):
    return tiny_models.build_tiny_open_clip(tiny_dir / "open_clip")


@pytest.fixture(scope="session")
def hf_clip_dir(tiny_dir):
    return tiny_models.build_tiny_hf_clip(tiny_dir / "hf_clip")


@pytest.fixture(scope="session")
def qwen2vl_dir(tiny_dir):
    return tiny_models.build_tiny_qwen2vl(tiny_dir / "qwen2vl")


@pytest.fixture(scope="session")
def causal_lm_dir(tiny_dir):
    return tiny_models.build_tiny_causal_lm(tiny_dir / "causal_lm")


@pytest.fixture(scope="session")
def cross_encoder_dir(tiny_dir):
    return tiny_models.build_tiny_cross_encoder(tiny_dir / "cross_encoder")


@pytest.fixture(scope="session")
def classifier_dir(tiny_dir):
    return tiny_models.build_tiny_text_classifier(
        tiny_dir / "classifier", ["joy", "scared", "neutral"]
    )


@pytest.fixture(scope="session")
def images():
    """Three distinct real-looking test images (seeded noise and gradients)."""
    rng = np.random.RandomState(0)
    noise = Image.fromarray(rng.randint(0, 255, (60, 90, 3), dtype=np.uint8))
    ramp = np.tile(np.linspace(0, 255, 64, dtype=np.uint8), (48, 1))
    gray = Image.fromarray(ramp)  # a grayscale image: converted to RGB
    red = Image.new("RGB", (40, 40), (200, 20, 20))
    return [noise, gray, red]
