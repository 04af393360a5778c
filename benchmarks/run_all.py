"""Run every CPU benchmark in turn and write its results under benchmarks/results/.

Usage: python benchmarks/run_all.py [--only rules env ...]

Each benchmark is its own script (see its docstring for options); this runs them with
their defaults, one after another so they do not compete for cores. The GPU check is
separate: ``bash benchmarks/gpu_check.sh`` on a CUDA machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = {
    "rules": ["bench_rules.py"],
    "env": ["bench_env.py"],
    "model_rewards": ["bench_model_rewards.py"],
    "server": ["bench_server.py"],
    "reward_share": ["bench_reward_share.py"],
    "train_step": ["bench_train_step.py"],  # ~15 minutes on a 2-core CPU
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), default=None)
    args = parser.parse_args()
    failed = []
    for name in args.only or BENCHMARKS:
        cmd = [sys.executable, str(HERE / BENCHMARKS[name][0]), *BENCHMARKS[name][1:]]
        print(f"\n=== {name}: {' '.join(cmd)}", flush=True)
        start = time.perf_counter()
        if subprocess.run(cmd, cwd=HERE.parent, check=False).returncode != 0:
            failed.append(name)
        print(f"=== {name}: {time.perf_counter() - start:.0f} s", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
