"""State files are written atomically; a resume survives an empty or corrupt run.json."""

from __future__ import annotations

import json
import logging
import os

import pytest

from agents.common.atomic import CorruptStateError, read_json, write_json
from agents.evaluation.harness import evaluate
from emo_env.data import load_dataset
from rewards.errors import InvalidInputError

GOOD = "<step1>A scene.</step1><step2>A feeling.</step2><step3>Positive.</step3> \\boxed{awe}"


@pytest.fixture(scope="module")
def embedded():
    return load_dataset("embedded", split="test")


def answers(dataset) -> dict[str, str]:
    return {i: GOOD for i in dataset["id"]}


def run(dataset, folder, **kw):
    return evaluate(dataset, responses=answers(dataset), output_dir=folder, plots=False,
                    progress=False, batch_size=3, **kw)  # fmt: skip


def test_write_atomic_replaces_whole_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "state.json"
    write_json(path, {"a": 1})
    os.chmod(path, 0o640)
    write_json(path, {"a": 2, "b": [1, 2]})
    assert read_json(path) == {"a": 2, "b": [1, 2]}
    assert os.stat(path).st_mode & 0o777 == 0o640  # permissions kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]
    assert read_json(tmp_path / "missing.json") is None


def test_a_write_failing_midway_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "run.json"
    write_json(path, {"old": True})

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)  # the temp file is written, not yet synced
    with pytest.raises(OSError, match="No space left"):
        write_json(path, {"new": True})
    monkeypatch.undo()
    assert read_json(path) == {"old": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json"]  # temp file removed


@pytest.mark.parametrize("content", ["", "   \n", '{"template": "se', "[1, 2]", "\xff\xfe"])
def test_read_json_names_an_empty_or_corrupt_file(tmp_path, content):
    path = tmp_path / "run.json"
    path.write_bytes(content.encode("latin-1"))
    if content == "[1, 2]":
        assert read_json(path) == [1, 2]  # valid JSON; the caller checks the type
        return
    with pytest.raises(CorruptStateError, match=r"run.json' is (empty|not valid JSON)"):
        read_json(path, what="run settings file")


def test_run_and_summary_files_are_written_by_replacement(tmp_path, embedded, monkeypatch):
    replaced = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (replaced.append(os.path.basename(b)),
                                                     real(a, b))[1])  # fmt: skip
    run(embedded, tmp_path)
    assert {"run.json", "summary.json"} <= set(replaced)
    assert json.loads((tmp_path / "run.json").read_text())["template"] == "set"


@pytest.mark.parametrize("content", ["", '{"template": "set", "pres'])
def test_resume_recovers_from_an_empty_or_torn_run_json(tmp_path, embedded, content, caplog):
    full = run(embedded, tmp_path / "full")

    def stop(number, records):
        raise KeyboardInterrupt

    folder = tmp_path / "cut"
    with pytest.raises(KeyboardInterrupt):
        run(embedded, folder, on_batch=stop)
    (folder / "run.json").write_text(content)  # what a kill mid-write used to leave
    with caplog.at_level(logging.WARNING, logger="agents.evaluation.runs"):
        resumed = run(embedded, folder)
    message = caplog.text
    assert "run.json' is " in message and "resuming the 3 results already there" in message
    assert "their template and preset match" in message
    assert resumed.records == full.records and resumed.summary == full.summary
    assert json.loads((folder / "run.json").read_text()) == json.loads(
        (tmp_path / "full" / "run.json").read_text()
    )


def test_corrupt_run_json_with_results_of_other_settings_is_refused(tmp_path, embedded):
    run(embedded, tmp_path, limit=3)
    (tmp_path / "run.json").write_text("")
    with pytest.raises(InvalidInputError) as err:
        run(embedded, tmp_path, template="think")
    text = str(err.value)
    assert "run.json' is empty" in text
    assert "scored with template set, and this run asks for think" in text
    assert "--no-resume" in text
    again = run(embedded, tmp_path, template="think", resume=False)  # the named fix works
    assert again.summary["n"] == len(embedded)


def test_run_json_of_the_wrong_type_is_recovered_like_a_corrupt_one(tmp_path, embedded, caplog):
    (tmp_path / "run.json").write_text("[1, 2]")
    with caplog.at_level(logging.WARNING, logger="agents.evaluation.runs"):
        result = run(embedded, tmp_path)
    assert "is not an object" in caplog.text and result.summary["n"] == len(embedded)


def test_table_reads_a_torn_summary_from_the_results_and_counts_each_sample_once(tmp_path):
    from agents.evaluation.table import run_accuracy

    base = {"label": "awe", "label_set": "mikels8", "format_ok": True, "prediction": "awe"}
    rows = [{**base, "id": "a", "correct": True}, {**base, "id": "b", "correct": False},
            {**base, "id": "a", "correct": True}, {**base, "id": "a", "correct": True}]  # fmt: skip
    (tmp_path / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "summary.json").write_text('{"accuracy": 0.')
    assert str(run_accuracy(tmp_path)) == "50.0"  # a and b once each, not 3 of 4
    assert str(run_accuracy(tmp_path / "results.jsonl")) == "50.0"
    assert len((tmp_path / "results.jsonl").read_text().splitlines()) == 4  # read only
    (tmp_path / "results.jsonl").unlink()
    with pytest.raises(InvalidInputError, match=r"summary.json' is not valid JSON.*again"):
        run_accuracy(tmp_path)
