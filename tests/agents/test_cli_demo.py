import subprocess
import sys

from agents.cli import main


def test_demo_prints_every_offline_preset(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for name in ("emo_r3_reference", "emo_r3_paper", "grpo_baseline", "emo_r3_robust"):
        assert f"=== {name}" in out
    assert "well-formed, right label     gold=awe        total=+1.100" in out


def test_console_script_reports_errors_without_traceback():
    out = subprocess.run(
        [sys.executable, "-m", "agents.cli", "demo", "--preset", "emo_r3_papr"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert "Did you mean 'emo_r3_paper'?" in out.stderr
    assert "Traceback" not in out.stderr
