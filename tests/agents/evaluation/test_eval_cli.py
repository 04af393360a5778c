"""The ``emo-r3 eval``, ``score`` and ``table`` sub-commands through the real entry point."""

from __future__ import annotations

import json
import socket

from agents.cli import main
from emo_env.data import load_dataset

GOOD = (
    "<step1>A vast canyon at dawn.</step1><step2>One would feel small and amazed.</step2>"
    "<step3>Positive, high arousal.</step3> \\boxed{awe}"
)


def test_score_one_response_prints_the_breakdown(capsys):
    assert main(["score", "--label", "awe", GOOD]) == 0
    out = capsys.readouterr().out
    assert "total=+1.1000" in out and "[emo_r3_reference]" in out
    assert "accuracy             1.0000  x 0.8  -> +0.8000" in out
    assert "consistency          1.0000  x 0.1  -> +0.1000  (not asked: no judge, counts 1)" in out


def test_score_with_the_reference_template_parses_set(capsys):
    # the authors' template asks for the SET format: its answers are parsed as SET
    assert main(["score", "--template", "reference", "--label", "awe", GOOD]) == 0
    assert "total=+1.1000" in capsys.readouterr().out


def test_score_jsonl_as_json(tmp_path, capsys):
    path = tmp_path / "r.jsonl"
    lines = [
        {"id": "x", "response": GOOD, "label": "awe"},
        {"response": GOOD.replace("{awe}", "{joy, fear}"), "label": "joy", "label_set": "emotion6"},
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    assert main(["score", "--preset", "emo_r3_robust", "--jsonl", str(path), "--json"]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["id"] == "x" and round(first["reward"], 6) == 1.0
    assert second["id"] == "2" and second["guards"] == ["guard_multilabel"]
    # 0.1 format + 0.05 + 0.05 (no judge) + 0 affect - 0.1 multilabel guard
    assert round(second["reward"], 6) == 0.1


def test_score_errors_exit_2(capsys):
    assert main(["score", GOOD]) == 2
    assert "needs its gold label" in capsys.readouterr().err
    assert main(["score", "--label", "awe", "--preset", "emo_r3_papr", GOOD]) == 2
    assert "Did you mean 'emo_r3_paper'" in capsys.readouterr().err
    assert main(["score", "--label", "jo", "--label-set", "emotion6", GOOD]) == 2
    assert "Did you mean 'joy'" in capsys.readouterr().err


def test_table_command_writes_markdown_and_csv(tmp_path, capsys):
    config = tmp_path / "t.json"
    config.write_text(
        json.dumps(
            {
                "runs": [
                    {"method": "me", "trained_on": "EmoSet", "benchmark": "EmoSet", "percent": 70}
                ]
            }
        )
    )
    assert main(["table", str(config), "--output-dir", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "| EMO-R3 (G=4) | paper |" in out and "| me | ours | 70.00 |" in out
    assert (tmp_path / "out" / "table.csv").read_text().startswith("method,source,EmoSet->EmoSet")
    assert main(["table", "--no-paper", "--csv", str(config)]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("me,ours,70.00")


def test_eval_responses_file_and_training_curves(tmp_path, capsys):
    ds = load_dataset("embedded", split="test")
    path = tmp_path / "answers.jsonl"
    path.write_text(
        "".join(
            json.dumps({"id": i, "response": GOOD.replace("{awe}", "{" + lab + "}")}) + "\n"
            for i, lab in zip(ds["id"], ds["label"], strict=True)
        )
    )
    metrics = tmp_path / "metrics.jsonl"
    metrics.write_text('{"step": 1, "reward": 0.2}\n{"step": 2, "reward": 0.4}\n')
    out_dir = tmp_path / "run"
    argv = ["eval", "--responses", str(path), "--output-dir", str(out_dir), "--no-progress"]
    assert main([*argv, "--training-metrics", str(metrics)]) == 0
    out = capsys.readouterr().out
    assert "accuracy (exact)   100.00%" in out and "format rate        100.00%" in out
    summary = json.loads((out_dir / "summary.json").read_text())
    assert summary["n"] == len(ds) and summary["accuracy"] == 1.0
    assert (out_dir / "training_curves.png").read_bytes()[:4] == b"\x89PNG"
    assert (out_dir / "confusion_mikels8.png").is_file()


def test_eval_clear_errors(tmp_path, capsys):
    out = ["--output-dir", str(tmp_path / "x"), "--no-progress"]
    assert main(["eval", "--responses", "a.jsonl", "--dataset", str(tmp_path / "nope"), *out]) == 2
    err = capsys.readouterr().err
    assert "emo-r3 eval: error:" in err and "nope" in err
    assert main(["eval", "--model", str(tmp_path / "no-model"), *out]) == 2
    assert "Cannot load model" in capsys.readouterr().err
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    assert main(["eval", "--server", url, "--server-model", "m", *out]) == 2
    err = capsys.readouterr().err
    assert f"The server at '{url}' does not answer" in err
    assert main(["eval", *out]) == 2
    assert "Pick exactly one" in capsys.readouterr().err


def test_gpu_check_without_cuda_reports_what_it_could_not_run(tmp_path, capsys):
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[3] / "benchmarks" / "gpu_check.py"
    spec = importlib.util.spec_from_file_location("gpu_check", script)
    gpu_check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gpu_check)
    assert gpu_check.main(["--out", str(tmp_path)]) == 1  # this machine has no CUDA
    report = json.loads((tmp_path / "gpu_check.json").read_text())
    assert report["environment"]["cuda"] is False
    assert report["skipped"]["everything on CUDA"] == "torch sees no CUDA device"
    assert "Device: **no CUDA device" in (tmp_path / "gpu_check.md").read_text()
    assert "NO CUDA DEVICE" in capsys.readouterr().out
