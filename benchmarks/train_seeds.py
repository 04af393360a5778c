"""The main job's learning goal, measured over seeds: held-out accuracy before and after GRPO.

Usage:
    python benchmarks/train_seeds.py --seeds 0 1 2 [--name train_demo] [-- <train flags>]
    python benchmarks/train_seeds.py --from-runs runs/seeds --seeds 0 1 2 --name train_demo

Runs ``examples/train_grpo.py --seed S --output-dir <runs>/seed<S> <train flags>`` for
each seed, one after another (``--parallel N``: N at a time; or reads such runs with
``--from-runs``), then writes to
``benchmarks/results/<name>/``: each seed's ``metrics.jsonl`` and ``summary.json``
(``seed<S>_...``), ``summary.json`` and ``summary.md`` (mean and range over seeds of
held-out accuracy, format rate and reward before and after GRPO, and the goal check),
``curve.png`` (held-out accuracy at every evaluation, per seed and mean) and
``command.txt`` (the exact commands). Goal: after GRPO, format rate >= 90% and held-out
accuracy at least 10 points above its value before GRPO (after the warm start), with
every seed above its own start.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KEYS = ("accuracy", "format_rate", "reward", "consistency", "coherence")


def _machine() -> str:
    from machine import cpu_name

    return f"{cpu_name()}, {os.cpu_count()} CPU cores"


def _command(seed: int, runs: Path, extra: list[str]) -> list[str]:
    cmd = [sys.executable, "examples/train_grpo.py", "--seed", str(seed)]
    return [*cmd, "--output-dir", str(runs / f"seed{seed}"), *extra]


def _run_all(seeds: list[int], runs: Path, extra: list[str], parallel: int) -> dict[int, float]:
    """Run the seeds, ``parallel`` at a time; each run's log goes to ``<runs>/seed<S>.log``."""
    runs.mkdir(parents=True, exist_ok=True)
    walls: dict[int, float] = {}
    pending = list(seeds)
    active: dict[int, tuple[subprocess.Popen, float, object]] = {}
    while pending or active:
        while pending and len(active) < max(1, parallel):
            seed = pending.pop(0)
            log = open(runs / f"seed{seed}.log", "w")  # noqa: SIM115 (closed below)
            proc = subprocess.Popen(_command(seed, runs, extra), cwd=ROOT, stdout=log, stderr=log)
            active[seed] = (proc, time.perf_counter(), log)
        time.sleep(2)
        for seed, (proc, start, log) in list(active.items()):
            if proc.poll() is None:
                continue
            log.close()
            del active[seed]
            if proc.returncode:
                raise SystemExit(f"seed {seed} failed ({proc.returncode}); see {log.name}")
            walls[seed] = time.perf_counter() - start
    return walls


def _stats(values: list[float]) -> dict[str, float]:
    return {"mean": statistics.mean(values), "min": min(values), "max": max(values)}


def _plot(per_seed: dict[int, list[dict]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4))
    for seed, evals in per_seed.items():
        ax.plot([e["step"] for e in evals], [100 * e["accuracy"] for e in evals], "o-",
                alpha=0.5, label=f"seed {seed}")  # fmt: skip
    steps = sorted({e["step"] for evals in per_seed.values() for e in evals})
    common = [s for s in steps if all(any(e["step"] == s for e in v) for v in per_seed.values())]
    if len(common) > 1:
        mean = [
            100
            * statistics.mean(
                next(e["accuracy"] for e in v if e["step"] == s) for v in per_seed.values()
            )
            for s in common
        ]
        ax.plot(common, mean, "k-", lw=2.5, label="mean")
    start = 100 * statistics.mean(v[0]["accuracy"] for v in per_seed.values() if v)
    ax.axhline(start + 10, color="g", ls="--", lw=1, label="goal: mean start + 10 points")
    ax.axhline(12.5, color="r", ls=":", lw=1, label="one label for every caption (12.5%)")
    ax.set_xlabel("GRPO step (0: after the warm start)")
    ax.set_ylabel("held-out accuracy (%), 120 test captions")
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--runs", default="runs/seeds", help="where the runs are written")
    p.add_argument("--from-runs", default=None, help="summarise existing runs in this folder")
    p.add_argument("--name", default="train_demo")
    p.add_argument("--note", default="", help="free text (machine load, ...)")
    p.add_argument("--parallel", type=int, default=1, help="runs at a time")
    args, extra = p.parse_known_args()
    extra = [a for a in extra if a != "--"]
    runs = Path(args.from_runs or args.runs)
    commands, walls = [], {}
    if not args.from_runs:
        walls = _run_all(args.seeds, runs, extra, args.parallel)
        commands = [shlex.join(["python", *_command(s, runs, extra)[1:]]) for s in args.seeds]
    out = ROOT / "benchmarks" / "results" / args.name
    out.mkdir(parents=True, exist_ok=True)
    per_seed, rows = {}, []
    for seed in args.seeds:
        folder = runs / f"seed{seed}"
        summary = json.loads((folder / "summary.json").read_text())
        metrics = (folder / "metrics.jsonl").read_text()
        (out / f"seed{seed}_metrics.jsonl").write_text(metrics)
        keep = {k: summary.get(k) for k in ("steps", "train_runtime_s", "mean_step_seconds",
                                             "warm_start", "raw_eval", "initial_eval",
                                             "final_eval", "config")}  # fmt: skip
        (out / f"seed{seed}_summary.json").write_text(json.dumps(keep, indent=2))
        per_seed[seed] = [e for e in summary["evals"] if e.get("phase") != "before warm start"]
        before, after = summary["initial_eval"], summary["final_eval"]
        rows.append({"seed": seed, "steps": summary["steps"], "before": before, "after": after,
                     "raw": summary.get("raw_eval"), "wall_s": walls.get(seed)})  # fmt: skip
    gains = [r["after"]["accuracy"] - r["before"]["accuracy"] for r in rows]
    result = {
        "machine": _machine(),
        "note": args.note,
        "parallel": args.parallel,
        "seeds": args.seeds,
        "commands": commands,
        "per_seed": [
            {
                "seed": r["seed"],
                "steps": r["steps"],
                "wall_s": r["wall_s"],
                **{f"before_{k}": r["before"][k] for k in KEYS},
                **{f"after_{k}": r["after"][k] for k in KEYS},
                **({f"raw_{k}": r["raw"][k] for k in KEYS} if r["raw"] else {}),
            }
            for r in rows
        ],
        "accuracy_gain_points": _stats([100 * g for g in gains]),
        "after_format_rate": _stats([r["after"]["format_rate"] for r in rows]),
        "before_accuracy": _stats([r["before"]["accuracy"] for r in rows]),
        "after_accuracy": _stats([r["after"]["accuracy"] for r in rows]),
        "steps": _stats([r["steps"] for r in rows]),
    }
    result["goal"] = (
        "after GRPO: format >= 90%, accuracy >= before + 10 points (mean), every seed above "
        "its own start"
    )
    result["goal_met"] = (
        result["after_format_rate"]["min"] >= 0.9
        and result["accuracy_gain_points"]["mean"] >= 10
        and all(g > 0 for g in gains)
    )
    (out / "summary.json").write_text(json.dumps(result, indent=2))
    if commands:
        (out / "command.txt").write_text("\n".join(commands) + "\n")
    title = f"GRPO, SmolLM2-135M, caption benchmark, {len(rows)} seeds ({result['machine']})"
    _plot(per_seed, out / "curve.png", title)
    md = [
        f"# Main job over {len(rows)} seeds ({result['machine']})",
        "",
        f"{args.note}",
        "",
        "| seed | GRPO steps | accuracy before | accuracy after | format after | reward "
        "before -> after |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        b, a = r["before"], r["after"]
        md.append(
            f"| {r['seed']} | {r['steps']} | {b['accuracy']:.1%} | {a['accuracy']:.1%} | "
            f"{a['format_rate']:.1%} | {b['reward']:.3f} -> {a['reward']:.3f} |"
        )
    g = result["accuracy_gain_points"]
    md += [
        "",
        f"Accuracy change from GRPO: mean {g['mean']:+.1f} points (range {g['min']:+.1f} to "
        f"{g['max']:+.1f}); format after GRPO {result['after_format_rate']['min']:.1%} or more. "
        f"Goal (format >= 90%, +10 points, every seed above its start): "
        f"{'met' if result['goal_met'] else 'NOT met'}.",
    ]
    (out / "summary.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
