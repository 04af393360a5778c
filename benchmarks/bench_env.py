"""Environment overhead: responses/s through env.step and the vector path vs the rubric.

Each path scores the same number of SET responses (unique texts per path, so the
parser's memo never carries over) on the embedded dataset:

* ``rubric``: ``Rubric.score_batch`` directly, in batches of ``--batch``;
* ``env_step``: ``EmoReasonEnv.reset`` + ``step`` per response (step time also alone);
* ``vector``: ``EmoVectorEnv`` with ``--batch`` sub-envs, one ``step`` per batch.

Overhead = time of the path / time of the rubric - 1. Results go to
``benchmarks/results/env_overhead.json`` and ``.md``.

Usage: ``python benchmarks/bench_env.py [--n 4096] [--batch 16] [--preset emo_r3_robust]``
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

from tqdm import tqdm

RESULTS = Path(__file__).resolve().parent / "results"
LABELS = ("amusement", "anger", "awe", "contentment", "disgust", "excitement", "fear", "sadness")


def responses(tag: str, n: int) -> list[str]:
    out = []
    for i in range(n):
        label = LABELS[i % len(LABELS)]
        out.append(
            f"<step1>Response {tag}-{i}: the scene shows people and objects that matter."
            "</step1>\n<step2>A viewer would likely feel a clear emotion about it.</step2>\n"
            f"<step3>Positive or negative, with high arousal.</step3> \\boxed{{{label}}}"
        )
    return out


def bench_rubric(env, texts: list[str], batch: int) -> float:
    """The rubric on the same columns the environment passes it, precomputed."""
    dataset = env.dataset
    n = len(dataset)
    decoded = [dataset[i] for i in range(n)]  # every row (and image) decoded once, untimed
    rows = [decoded[i % n] for i in range(len(texts))]
    columns = {
        "labels": [r["label"] for r in rows],
        "images": [r["image"] for r in rows],
        "label_set": [r["label_set"] for r in rows],
        "caption": [r["caption"] or "" for r in rows],
        "id": [r["id"] for r in rows],
        "dataset": [r["dataset"] or "" for r in rows],
    }
    start = time.perf_counter()
    for lo in tqdm(range(0, len(texts), batch), desc="rubric", leave=False):
        hi = lo + batch
        env.rubric.score_batch(texts[lo:hi], **{k: v[lo:hi] for k, v in columns.items()})
    return time.perf_counter() - start


def bench_env_step(env, texts: list[str]) -> tuple[float, float]:
    n = len(env.dataset)
    total = step_only = 0.0
    for i, text in enumerate(tqdm(texts, desc="env.step", leave=False)):
        t0 = time.perf_counter()
        env.reset(options={"index": i % n})
        t1 = time.perf_counter()
        env.step(text)
        t2 = time.perf_counter()
        total += t2 - t0
        step_only += t2 - t1
    return total, step_only


def bench_vector(vec, texts: list[str], batch: int) -> float:
    vec.reset(seed=0)
    start = time.perf_counter()
    for lo in tqdm(range(0, len(texts), batch), desc="vector", leave=False):
        vec.step(texts[lo : lo + batch])
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4096, help="responses per path")
    parser.add_argument("--batch", type=int, default=16, help="rubric batch = sub-envs")
    parser.add_argument("--preset", default="emo_r3_robust")
    parser.add_argument("--repeats", type=int, default=5, help="best of this many runs")
    parser.add_argument("--out", default=str(RESULTS / "env_overhead"))
    args = parser.parse_args(argv)

    from emo_env.envs.reason import EmoReasonEnv
    from emo_env.envs.vector import EmoVectorEnv

    env = EmoReasonEnv(split="all", rubric=args.preset)
    vec = EmoVectorEnv(EmoReasonEnv, args.batch, split="all", rubric=args.preset)
    for i in range(len(env.dataset)):  # warm the image caches of every path
        env.reset(options={"index": i})
        for sub in vec.envs:
            sub.reset(options={"index": i})
    bench_rubric(env, responses("warm", args.batch), args.batch)  # load any model once
    bench_vector(vec, responses("warm-v", args.batch), args.batch)
    best = dict.fromkeys(("rubric", "rubric_batch1", "env_step", "env_step_only", "vector"), 1e9)
    for r in range(args.repeats):
        texts = responses(f"r{r}", args.n)
        best["rubric"] = min(best["rubric"], bench_rubric(env, texts, args.batch))
        texts = responses(f"s{r}", args.n)
        best["rubric_batch1"] = min(best["rubric_batch1"], bench_rubric(env, texts, 1))
        total, step_only = bench_env_step(env, responses(f"e{r}", args.n))
        best["env_step"] = min(best["env_step"], total)
        best["env_step_only"] = min(best["env_step_only"], step_only)
        texts = responses(f"v{r}", args.n)
        best["vector"] = min(best["vector"], bench_vector(vec, texts, args.batch))
    # each path against the rubric called the way it calls it: one response per call for
    # env.step, one batch of --batch responses per call for the vector env
    bases = {"env_step": "rubric_batch1", "env_step_only": "rubric_batch1", "vector": "rubric"}
    result = {
        "preset": args.preset,
        "responses": args.n,
        "batch": args.batch,
        "machine": f"{platform.machine()} CPU, {platform.python_version()} (shared 2-core box)",
        "responses_per_s": {k: round(args.n / v, 1) for k, v in best.items()},
        "us_per_response": {k: round(1e6 * v / args.n, 2) for k, v in best.items()},
        "overhead_vs_rubric": {k: round(best[k] / best[b] - 1, 4) for k, b in bases.items()},
        "baseline_of": bases,
        "goal": "overhead < 0.10",
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    rows = "\n".join(
        f"| {k} | {result['responses_per_s'][k]} | {result['us_per_response'][k]} | "
        f"{result['overhead_vs_rubric'].get(k, 0.0):+.1%} |"
        for k in best
    )
    out.with_suffix(".md").write_text(
        f"# Environment overhead ({args.preset}, {args.n} responses, batch {args.batch})\n\n"
        f"Machine: {result['machine']}. Best of {args.repeats} runs.\n\n"
        "Overhead: env_step against rubric_batch1 (one response per rubric call), vector "
        "against rubric (one batch per call).\n\n"
        "| path | responses/s | us/response | overhead |\n|---|---|---|---|\n"
        f"{rows}\n"
    )
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
