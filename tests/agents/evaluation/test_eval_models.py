"""End-to-end evaluation with real models: offline SmolLM2-135M and a tiny local Qwen2-VL.

Both go through the real ``HFChatGenerator`` and the real loaders. Generation is greedy
and short (a few tokens), so the random VLM and the small LM finish in seconds; torch
runs on one thread, which on a busy 2-core machine is many times faster than two.
"""

from __future__ import annotations

import json
import struct

import pytest
from fixtures.tiny_models import build_tiny_qwen2vl

from agents.cli import main
from agents.evaluation.generate import HFBackend
from agents.evaluation.harness import evaluate
from emo_env.data import load_dataset
from rewards.rules import AccuracyReward, FormatReward

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def embedded():
    return load_dataset("embedded", split="test")


def recomputed(records) -> tuple[float, float]:
    texts = [r["response"] for r in records]
    labels = [r["label"] for r in records]
    acc = AccuracyReward()(None, texts, label=labels)
    fmt = FormatReward()(None, texts)
    return sum(acc) / len(acc), sum(fmt) / len(fmt)


@pytest.mark.slow  # the real SmolLM2-135M generates and judges (~50 s)
def test_smollm2_eval_with_self_reflection_and_resume(tmp_path, embedded):
    backend = HFBackend("smollm2", max_new_tokens=8, batch_size=2)
    judge = backend.judge()
    kwargs = {"judge": judge, "limit": 4, "batch_size": 2, "progress": False}
    full = evaluate(embedded, backend, output_dir=tmp_path / "full", **kwargs)
    assert backend.modality == "caption"  # a text-only model reads the caption
    assert full.summary["n"] == 4 and full.summary["failed"] == 0
    assert [r["id"] for r in full.records] == list(embedded["id"])[:4]
    for record, caption in zip(full.records, embedded["caption"], strict=False):
        assert record["prompt"].startswith(f"Image description: {caption}")
        assert isinstance(record["response"], str) and record["response"]
        assert record["consistency"] in (0.0, 0.5, 1.0)  # the model answered
        assert record["coherence"] in (0.0, 0.5, 1.0)
    assert (full.summary["accuracy"], full.summary["format_rate"]) == recomputed(full.records)
    assert full.summary["consistency_rate"] is not None
    for path in full.plots:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    def interrupt(number, records):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        evaluate(embedded, backend, output_dir=tmp_path / "cut", on_batch=interrupt, **kwargs)
    lines = (tmp_path / "cut" / "results.jsonl").read_text().splitlines()
    assert [json.loads(x)["id"] for x in lines] == list(embedded["id"])[:2]
    resumed = evaluate(embedded, backend, output_dir=tmp_path / "cut", **kwargs)
    assert resumed.records == full.records
    assert resumed.summary == full.summary


def test_tiny_vlm_eval_through_the_cli(tmp_path, embedded, capsys):
    model = build_tiny_qwen2vl(tmp_path / "vlm")
    out = tmp_path / "run"
    argv = ["eval", "--model", model, "--max-new-tokens", "4", "--batch-size", "4",
            "--judge", "self", "--output-dir", str(out), "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    assert "accuracy (exact)" in capsys.readouterr().out
    assert json.loads((out / "run.json").read_text())["modality"] == "image"
    summary = json.loads((out / "summary.json").read_text())
    records = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert summary["n"] == len(embedded) == len(records)
    assert (summary["accuracy"], summary["format_rate"]) == recomputed(records)
    # the judge was asked (a verdict parsed from its answer), not the no-judge constant
    assert summary["consistency_rate"] is not None and summary["coherence_rate"] is not None
    assert summary["by_label_set"]["mikels8"]["support"] == {
        label: list(embedded["label"]).count(label)
        for label in summary["by_label_set"]["mikels8"]["labels"]
    }
    for name in ("confusion_mikels8.png", "per_label_accuracy_mikels8.png"):
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24])[0] > 200
    # a rerun finds everything done and generates nothing new
    assert main(argv) == 0
    assert (out / "results.jsonl").read_text().count("\n") == len(embedded)
