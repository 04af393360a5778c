"""One evaluation run per output folder, checked with real ``emo-r3 eval`` processes.

The first process runs the real CLI on a responses file; it pauses after writing its
first batch (``ResultsFile.extend`` wrapped to wait for a file), so it is deterministically
alive and holding the folder while the second process starts.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agents.common.jsonl import read_jsonl
from agents.evaluation.lock import LOCK_NAME, RunLock
from agents.evaluation.runs import ResultsFile
from emo_env.data import load_dataset

ROOT = Path(__file__).resolve().parents[3]

# argv: started-file go-file then the eval arguments
PAUSING_EVAL = """
import sys, time
from pathlib import Path
from agents.cli import main
from agents.evaluation.runs import ResultsFile

started, go = Path(sys.argv[1]), Path(sys.argv[2])
extend = ResultsFile.extend

def extend_then_wait(self, records):
    extend(self, records)
    if not started.exists():
        started.write_text("written")
        deadline = time.monotonic() + 120
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.02)

ResultsFile.extend = extend_then_wait
sys.exit(main(sys.argv[3:]))
"""


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def embedded():
    return load_dataset("embedded", split="test")


@pytest.fixture
def run_args(tmp_path, embedded):
    answers = tmp_path / "answers.jsonl"
    answer = "<step1>A scene.</step1><step2>A feeling.</step2><step3>Positive.</step3> "
    answers.write_text(
        "".join(
            json.dumps({"id": i, "response": answer + "\\boxed{" + lab + "}"}) + "\n"
            for i, lab in zip(embedded["id"], embedded["label"], strict=True)
        )
    )
    out = tmp_path / "ev"
    return out, ["eval", "--responses", str(answers), "--output-dir", str(out), "--batch-size",
                 "3", "--no-progress", "--no-plots"]  # fmt: skip


def start_paused(tmp_path: Path, argv: list[str]) -> tuple[subprocess.Popen, Path]:
    started, go = tmp_path / "started", tmp_path / "go"
    proc = subprocess.Popen(
        [sys.executable, "-c", PAUSING_EVAL, str(started), str(go), *argv],
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not started.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"the first run did not start: {proc.communicate()}")
        time.sleep(0.02)
    return proc, go


def cli(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "agents.cli", *argv],
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_second_run_on_a_live_folder_is_refused_and_nothing_is_doubled(
    tmp_path, run_args, embedded
):
    out, argv = run_args
    first, go = start_paused(tmp_path, argv)
    try:
        second = cli(argv)
        assert second.returncode == 2, second.stderr
        message = second.stderr
        assert f"in use by another evaluation run: process {first.pid} " in message
        assert f"on host {socket.gethostname()}, started 20" in message
        assert "command: " in message and f"--output-dir {out}" in message
        assert "pass another --output-dir" in message
        assert len(read_jsonl(out / "results.jsonl")) == 3  # the second wrote nothing
    finally:
        (go).write_text("go")
        stdout, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr
    assert "samples            8" in stdout
    ids = [r["id"] for r in read_jsonl(out / "results.jsonl")]
    assert sorted(ids) == sorted(embedded["id"]) and len(ids) == len(set(ids))
    third = cli(argv)  # the folder is free again: a rerun resumes with nothing to do
    assert third.returncode == 0, third.stderr
    assert len(read_jsonl(out / "results.jsonl")) == len(embedded)


def test_a_killed_run_does_not_block_the_resume(tmp_path, run_args, embedded):
    out, argv = run_args
    first, _ = start_paused(tmp_path, argv)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=60)
    assert first.returncode == -signal.SIGKILL
    assert len(read_jsonl(out / "results.jsonl")) == 3
    resumed = cli(argv)
    assert resumed.returncode == 0, resumed.stderr
    ids = [r["id"] for r in read_jsonl(out / "results.jsonl")]
    assert ids == list(embedded["id"])  # the first batch kept, the rest added once


def test_lock_in_process_is_reentrant_and_released(tmp_path):
    with RunLock(tmp_path) as outer:
        info = json.loads((tmp_path / LOCK_NAME).read_text())
        assert info["pid"] == os.getpid() and info == outer.info
        with RunLock(tmp_path):  # the CLI and evaluate() both take it
            pass
        assert outer.held and (tmp_path / LOCK_NAME).read_text()  # still held
    assert (tmp_path / LOCK_NAME).read_text() == ""  # details cleared on release
    other = subprocess.run(
        [sys.executable, "-c", "import sys; from agents.evaluation.lock import RunLock; "
         "RunLock(sys.argv[1]).acquire(); print('locked')", str(tmp_path)],
        env=env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert other.stdout.strip() == "locked"


def test_repeated_ids_are_read_once_and_the_file_rewritten(tmp_path):
    path = tmp_path / "results.jsonl"
    rows = [{"id": "a", "v": 1}, {"id": "b", "v": 2}, {"id": "a", "v": 3}, {"id": "b", "v": 4}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    results = ResultsFile(path)
    assert results.repeats_dropped == 2
    assert [(r["id"], r["v"]) for r in results.records] == [("a", 1), ("b", 2)]
    assert [(r["id"], r["v"]) for r in read_jsonl(path)] == [("a", 1), ("b", 2)]
    assert ResultsFile(path).repeats_dropped == 0
