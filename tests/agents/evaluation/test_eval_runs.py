"""Resumable results files, the harness on existing responses, and the PNG plots."""

from __future__ import annotations

import json
import struct

import pytest

from agents.common.jsonl import read_jsonl
from agents.common.plotting import plot_training_curves, training_panels
from agents.evaluation.harness import evaluate, load_responses
from agents.evaluation.runs import ResultsFile
from emo_env.data import load_dataset
from rewards.errors import InvalidInputError

PNG = b"\x89PNG\r\n\x1a\n"


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def set_response(label: str) -> str:
    return (
        "<step1>Something in the scene stands out.</step1><step2>A person would feel it "
        f"strongly.</step2><step3>Positive, high arousal.</step3> \\boxed{{{label}}}"
    )


@pytest.fixture(scope="module")
def embedded():
    return load_dataset("embedded", split="test")


def answers_for(dataset) -> dict[str, str]:
    ids, labels = list(dataset["id"]), list(dataset["label"])
    return {
        i: set_response(lab if n % 2 == 0 else "awe")
        for n, (i, lab) in enumerate(zip(ids, labels, strict=True))
    }


def test_results_file_resumes_and_repairs_a_torn_line(tmp_path):
    path = tmp_path / "r.jsonl"
    with ResultsFile(path) as out:
        out.append({"id": "a", "v": 1})
        out.append({"id": "b", "v": 2})
    with path.open("a") as handle:
        handle.write('{"id": "c", "v"')  # a write cut off mid-way
    again = ResultsFile(path)
    assert again.done_ids == {"a", "b"} and again.pending(["a", "b", "c"]) == [2]
    again.append({"id": "c", "v": 3})
    again.close()
    assert [r["v"] for r in read_jsonl(path)] == [1, 2, 3]
    with pytest.raises(InvalidInputError, match="already has a result"):
        ResultsFile(path).append({"id": "a"})
    with pytest.raises(InvalidInputError, match="'z' already has a result"):
        ResultsFile(path).extend([{"id": "z"}, {"id": "z"}])
    assert "z" not in ResultsFile(path).done_ids  # a rejected batch writes nothing
    assert ResultsFile(path, resume=False).done_ids == set()
    path.write_text('{"id": 1}\n[1, 2]\n')
    with pytest.raises(InvalidInputError, match="line 2 holds list"):
        read_jsonl(path)


def test_evaluate_responses_on_embedded_writes_summary_and_valid_pngs(tmp_path, embedded):
    answers = answers_for(embedded)
    result = evaluate(embedded, responses=answers, output_dir=tmp_path, progress=False)
    n = len(embedded)
    assert result.summary["n"] == n and result.summary["failed"] == 0
    assert result.summary["accuracy"] == pytest.approx(
        sum(1 for k in range(n) if k % 2 == 0 or list(embedded["label"])[k] == "awe") / n
    )
    assert result.summary["format_rate"] == 1.0
    assert (
        json.loads((tmp_path / "summary.json").read_text())["accuracy"]
        == result.summary["accuracy"]
    )
    names = sorted(p.name for p in result.plots)
    assert names == ["confusion_mikels8.png", "per_label_accuracy_mikels8.png"]
    for path in result.plots:
        width, height = png_size(path)
        assert width > 200 and height > 150
    assert [r["id"] for r in result.records] == list(embedded["id"])


def test_interrupted_responses_run_resumes_to_the_same_result(tmp_path, embedded):
    answers = answers_for(embedded)
    full = evaluate(
        embedded,
        responses=answers,
        output_dir=tmp_path / "full",
        batch_size=3,
        plots=False,
        progress=False,
    )

    def stop(number, records):
        if number == 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        evaluate(
            embedded,
            responses=answers,
            output_dir=tmp_path / "cut",
            batch_size=3,
            plots=False,
            progress=False,
            on_batch=stop,
        )
    assert len(read_jsonl(tmp_path / "cut" / "results.jsonl")) == 3
    seen = []
    resumed = evaluate(
        embedded,
        responses=answers,
        output_dir=tmp_path / "cut",
        batch_size=3,
        plots=False,
        progress=False,
        on_batch=lambda n, recs: seen.extend(r["id"] for r in recs),
    )
    assert seen == list(embedded["id"])[3:]  # only the samples not yet done
    assert resumed.summary == full.summary
    assert resumed.records == full.records


def test_partial_responses_are_reported_not_scored_zero(tmp_path, embedded):
    answers = dict(list(answers_for(embedded).items())[:5])
    result = evaluate(embedded, responses=answers, output_dir=tmp_path, plots=False, progress=False)
    assert result.summary["n"] == 5 and result.summary["failed"] == len(embedded) - 5
    assert len(result.failed) == len(embedded) - 5


def test_harness_errors(tmp_path, embedded):
    answers = answers_for(embedded)
    with pytest.raises(InvalidInputError, match="exactly one"):
        evaluate(embedded, output_dir=tmp_path)
    with pytest.raises(InvalidInputError, match="None of the dataset's ids"):
        evaluate(embedded, responses={"x": "y"}, output_dir=tmp_path)
    evaluate(
        embedded, responses=answers, output_dir=tmp_path / "r", plots=False, progress=False, limit=2
    )
    with pytest.raises(InvalidInputError, match="other settings \\(template\\)"):
        evaluate(embedded, responses=answers, output_dir=tmp_path / "r", template="think")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a"}\n')
    with pytest.raises(InvalidInputError, match="'response' string"):
        load_responses(bad)


def test_training_curves_png(tmp_path):
    metrics = tmp_path / "metrics.jsonl"
    rows = [
        {
            "step": s,
            "reward": 0.1 * s,
            "reward/accuracy": 0.05 * s,
            "reward/format": 1.0,
            "accuracy": 0.1,
            "format_rate": 0.9,
            "kl": 0.01 * s,
            "completion_length": 40 + s,
            "lr": "x",
        }
        for s in range(1, 6)
    ]
    metrics.write_text("".join(json.dumps(r) + "\n" for r in rows))
    path = plot_training_curves(metrics, tmp_path / "curves.png")
    width, height = png_size(path)
    assert height > width  # four stacked panels
    assert training_panels(metrics) == [
        ("reward", ["reward", "reward/accuracy", "reward/format"]),
        ("accuracy and format", ["accuracy", "format_rate"]),
        ("KL to the reference", ["kl"]),
        ("completion length", ["completion_length"]),
    ]
    only_reward = tmp_path / "m2.jsonl"
    only_reward.write_text('{"step": 1, "reward": 0.5}\n{"step": 2, "reward": 0.7}\n')
    assert png_size(plot_training_curves(only_reward, tmp_path / "c2.png"))[0] > 0
    empty = tmp_path / "m3.jsonl"
    empty.write_text('{"step": 1, "note": "nothing"}\n')
    with pytest.raises(InvalidInputError, match="no numeric"):
        plot_training_curves(empty, tmp_path / "c3.png")
    with pytest.raises(InvalidInputError, match="No training metrics"):
        plot_training_curves(tmp_path / "missing.jsonl", tmp_path / "c4.png")


def test_training_curves_from_the_trl_driver_schema(tmp_path):
    """Records as agents/trl writes them: a components dict, train and eval splits."""
    rows = []
    for step in (1, 2, 3, 4):
        comps = {"accuracy": 0.1 * step, "format": 0.5, "consistency": 0.9, "coherence": None}
        rows.append({"step": step, "split": "train", "reward": 0.2 * step, "components": comps,
                     "accuracy": comps["accuracy"], "format_rate": 0.5, "consistency": 0.9,
                     "coherence": None, "kl": None, "completion_length": 30.0})  # fmt: skip
    rows.append({"step": 4, "split": "eval", "reward": 0.7, "accuracy": 0.5})
    rows.append({"step": 5, "rewards/affect/mean": 0.3})  # TRL's own log key
    metrics = tmp_path / "metrics.jsonl"
    metrics.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert training_panels(metrics) == [
        (
            "reward",
            ["reward", "reward/accuracy", "reward/affect", "reward/consistency", "reward/format"],
        ),
        ("accuracy and format", ["accuracy", "format_rate"]),
        ("reflective rates", ["consistency"]),
        ("completion length", ["completion_length"]),
    ]
    assert png_size(plot_training_curves(metrics, tmp_path / "c.png"))[1] > 1000


def test_save_figure_replaces_a_png_whole_or_not_at_all(tmp_path, monkeypatch):
    from agents.common.plotting import pyplot, save_figure

    plt = pyplot()
    target = tmp_path / "curve.png"
    fig = plt.figure()
    fig.gca().plot([0, 1], [0, 1])
    assert save_figure(fig, target) == target and png_size(target)[0] > 0
    before = target.read_bytes()

    def broken(self, *args, **kwargs):
        raise OSError("disk full")

    fig = plt.figure()
    monkeypatch.setattr(type(fig), "savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        save_figure(fig, target)
    assert target.read_bytes() == before  # the old image is intact
    assert [p.name for p in tmp_path.iterdir()] == ["curve.png"]  # no temporary file left
