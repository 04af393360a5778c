"""The benchmark table: exact A^I / A^O / A, paper rows, config files, Markdown and CSV."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from agents.evaluation.table import build_table, load_config, paper_rows, run_accuracy
from rewards.errors import InvalidInputError, UnknownNameError


def test_paper_emo_r3_row_reproduces_published_a_from_its_six_figures():
    row = next(r for r in paper_rows() if r.method == "EMO-R3 (G=4)")
    # in-domain: EmoSet on EmoSet 75.50, Emotion6 on Emotion6 70.71
    assert row.a_in_exact == Decimal("73.105")
    # out-of-domain: 60.44, 50.45 (trained on EmoSet), 60.70, 45.20 (trained on Emotion6)
    assert row.a_out_exact == Decimal("54.1975")
    assert row.a_all_exact == Decimal("60.5")
    assert (row.a_in, row.a_out, row.a_all) == ("73.11", "54.20", "60.50")  # half up


def test_paper_rows_hold_only_the_figures_reproduced_here():
    rows = {r.method: r for r in paper_rows()}
    assert list(rows) == ["Zero-shot", "SFT", "GRPO", "DAPO", "EMO-R3 (G=4)", "EMO-R3 (G=8)"]
    assert {m: rows[m].a_all for m in ("Zero-shot", "SFT", "GRPO")} == {
        "Zero-shot": "47.40",
        "SFT": "43.84",
        "GRPO": "59.97",
    }
    for method in ("DAPO", "EMO-R3 (G=8)"):
        assert rows[method].cells == {} and rows[method].a_all == ""
        assert rows[method].note == (
            "reported in the paper (arXiv 2602.23802, Table 1); figures not reproduced here, "
            "left empty"
        )
    assert rows["GRPO"].note == (
        "A from the paper (arXiv 2602.23802, Table 1); per-benchmark figures not reproduced here"
    )
    assert rows["GRPO"].a_in == rows["GRPO"].a_out == ""


def test_user_rows_exact_means_and_partial_note():
    runs = [
        {"method": "mine", "trained_on": "emoset", "benchmark": "EmoSet", "percent": 80},
        {"method": "mine", "trained_on": "EmoSet", "benchmark": "Emotion6", "percent": 50},
        {"method": "mine", "trained_on": "EmoSet", "benchmark": "WebEmo", "percent": 41},
        {"method": "mine", "trained_on": "Emotion6", "benchmark": "Emotion6", "percent": 70},
        {"method": "mine", "trained_on": "Emotion6", "benchmark": "EmoSet", "percent": 60},
        {"method": "mine", "trained_on": "Emotion6", "benchmark": "WebEmo", "percent": 45},
        {"method": "half", "trained_on": "EmoSet", "benchmark": "EmoSet", "percent": 33.333},
    ]
    table = build_table(runs, include_paper=False)
    mine = table.row("mine")
    assert mine.a_in_exact == Decimal(75)
    assert mine.a_out_exact == Decimal("49")
    assert mine.a_all_exact == Decimal(346) / 6
    assert mine.a_all == "57.67" and mine.note == ""
    half = table.row("half")
    assert (half.a_in, half.a_out, half.a_all) == ("33.33", "", "33.33")
    assert half.note.startswith("partial: 1 of 6")
    assert [r.method for r in table.rows] == ["mine", "half"]


def test_markdown_and_csv_hold_the_same_cells(tmp_path):
    table = build_table(
        [{"method": "mine", "trained_on": "EmoSet", "benchmark": "FI", "percent": 62.5}]
    )
    assert ("EmoSet", "FI") in table.columns and ("Emotion6", "FI") in table.columns
    paths = table.write(tmp_path)
    md = paths["markdown"].read_text()
    assert "| EMO-R3 (G=4) | paper | 75.50 | 60.44 | 50.45 | – | 70.71 | 60.70 | 45.20 | – |" in md
    rows = list(csv.DictReader(io.StringIO(paths["csv"].read_text())))
    emo = next(r for r in rows if r["method"] == "EMO-R3 (G=4)")
    assert (emo["A_I"], emo["A_O"], emo["A"]) == ("73.11", "54.20", "60.50")
    assert emo["Emotion6->EmoSet"] == "60.70" and emo["EmoSet->FI"] == ""
    mine = next(r for r in rows if r["method"] == "mine")
    assert (mine["EmoSet->FI"], mine["A_O"], mine["A_I"]) == ("62.50", "62.50", "")


def test_config_with_run_folders(tmp_path):
    run = tmp_path / "runs" / "a"
    run.mkdir(parents=True)
    (run / "summary.json").write_text(
        json.dumps({"accuracy": 0.625, "by_dataset": {"EmoSet": {"accuracy": 0.5}}})
    )
    results = tmp_path / "b.jsonl"
    lines = [
        {"id": str(i), "label": "joy", "label_set": "emotion6", "correct": i < 3, "format_ok": True}
        for i in range(4)
    ]
    results.write_text("".join(json.dumps(x) + "\n" for x in lines))
    config = tmp_path / "table.json"
    config.write_text(
        json.dumps(
            {
                "paper": False,
                "runs": [
                    {
                        "method": "m",
                        "trained_on": "EmoSet",
                        "benchmark": "EmoSet",
                        "path": "runs/a",
                    },
                    {
                        "method": "m",
                        "trained_on": "EmoSet",
                        "benchmark": "WebEmo",
                        "path": "runs/a",
                        "dataset": "EmoSet",
                    },
                    {
                        "method": "m",
                        "trained_on": "EmoSet",
                        "benchmark": "Emotion6",
                        "path": "b.jsonl",
                    },
                ],
            }
        )
    )
    row = load_config(config).row("m")
    assert row.cells[("EmoSet", "EmoSet")] == Decimal("62.5")
    assert row.cells[("EmoSet", "WebEmo")] == Decimal("50.0")
    assert row.cells[("EmoSet", "Emotion6")] == Decimal("75")
    assert row.a_out == "62.50" and row.a_all == "62.50"


def test_bad_configs_raise_clear_errors(tmp_path):
    with pytest.raises(UnknownNameError, match="Did you mean 'Emotion6'"):
        build_table(
            [{"method": "m", "trained_on": "emotion7", "benchmark": "EmoSet", "percent": 1}]
        )
    with pytest.raises(InvalidInputError, match=r"\[0, 100\]"):
        build_table(
            [{"method": "m", "trained_on": "EmoSet", "benchmark": "EmoSet", "percent": 101}]
        )
    with pytest.raises(InvalidInputError, match="needs 'path'"):
        build_table([{"method": "m", "trained_on": "EmoSet", "benchmark": "EmoSet"}])
    with pytest.raises(InvalidInputError, match="two entries"):
        build_table(
            [{"method": "m", "trained_on": "EmoSet", "benchmark": "EmoSet", "percent": 1}] * 2
        )
    with pytest.raises(InvalidInputError, match="No eval run"):
        run_accuracy(tmp_path / "missing")
    with pytest.raises(InvalidInputError, match="No table config"):
        load_config(tmp_path / "nope.json")
