"""``emo-r3 eval --dataset captions``: the text-only caption benchmark through the CLI."""

from __future__ import annotations

import json

from agents.cli import main
from emo_env.data import load_dataset

STEPS = "<step1>a scene</step1><step2>a reaction</step2><step3>a polarity</step3> "


def test_eval_scores_responses_on_the_caption_benchmark(tmp_path, capsys):
    test = load_dataset("captions", "test").select(range(16))
    lines = []
    for i, row in enumerate(test):
        answer = row["label"] if i % 4 else "awe"  # ids 0, 4, 8, 12 answer awe
        lines.append({"id": row["id"], "response": STEPS + "\\boxed{" + answer + "}"})
    assert "awe" not in test["label"]  # so exactly 12 of 16 answers are right
    path = tmp_path / "answers.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    out = tmp_path / "run"
    argv = ["eval", "--responses", str(path), "--dataset", "captions", "--limit", "16"]
    assert main([*argv, "--output-dir", str(out), "--no-plots", "--no-progress"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n"] == 16 and summary["failed"] == 0
    assert summary["accuracy"] == 12 / 16 and summary["format_rate"] == 1.0
    records = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    by_id = {r["id"]: r for r in records}
    for row in test:  # a text-only row is asked with its caption
        assert f"Image description: {row['caption']}" in by_id[row["id"]]["prompt"]
    assert "captions" in capsys.readouterr().out
