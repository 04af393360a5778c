"""`import rewards` (and its presets) must not pull heavy libraries."""

import subprocess
import sys

HEAVY = [
    "torch",
    "transformers",
    "open_clip",
    "sentence_transformers",
    "trl",
    "openrlhf",
    "gymnasium",
    "numpy",
    "datasets",
    "fastapi",
]


def test_rewards_core_imports_no_heavy_library():
    code = (
        "import sys, rewards\n"
        "from rewards import presets, Rubric, JudgeRequest, get_label_set\n"
        "presets.get('emo_r3_reference'); presets.get('emo_r3_robust')\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_lazy_exports_resolve():
    import rewards

    for name in rewards.__all__:
        assert getattr(rewards, name) is not None
