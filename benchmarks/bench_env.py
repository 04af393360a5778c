"""Environment overhead: env.step and the vector path against the bare rubric.

Each path scores its own distinct SET responses (so no memo carries over) on the
embedded dataset, side by side in one process, the paths taking turns chunk by chunk
(each chunk keeps its best time over the repeats, so a moment of load on a shared
machine does not count):

* ``rubric``: ``Rubric.score_batch`` directly, in batches of ``--batch``, with the
  columns the environment passes (prompts, labels, images, ...);
* ``rubric_batch1``: the same, one response per call;
* ``env_step``: ``EmoReasonEnv.reset`` + ``step`` per response (``env_step_only``: the
  step alone), against ``rubric_batch1``;
* ``vector``: ``EmoVectorEnv`` with ``--batch`` sub-envs, one ``step`` per batch
  (autoreset included), against ``rubric``.

Reported per preset and observation image size: us/response, the environment's own
us/response (path minus baseline) and overhead = path / baseline - 1; and the
environment's own time measured inside the same calls (extra passes of ``env_step``
and ``vector`` whose rubric call is timed: path time minus rubric time). The vector
path copies every observation image into a new batch (fresh data on every call, as
Gymnasium asks), hence a run with a small image too. Results go to
``benchmarks/results/env_overhead.json`` and ``.md``.

Usage: ``python benchmarks/bench_env.py [--n 4096] [--batch 16]
[--presets emo_r3_robust emo_r3_paper] [--image-sizes 224 32] [--repeats 7] [--chunk 64]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

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


def bench_rubric(rubric, env, texts: list[str], batch: int, offset: int = 0) -> float:
    """``rubric`` on the same columns the environment passes it, precomputed."""
    n = len(env.dataset)
    meta = env._samples.meta
    rows = [(offset + i) % n for i in range(len(texts))]
    columns = {
        "prompts": [env._samples.get(i)["prompt"] for i in rows],
        "labels": [meta["label"][i] for i in rows],
        "images": [env._samples.get(i)["image"] for i in rows],
        "label_set": [meta["label_set"][i] for i in rows],
        "caption": [meta["caption"][i] for i in rows],
        "id": [meta["id"][i] for i in rows],
        "dataset": [meta["dataset"][i] for i in rows],
    }
    start = time.perf_counter()
    for lo in range(0, len(texts), batch):
        hi = lo + batch
        rubric.score_batch(texts[lo:hi], **{k: v[lo:hi] for k, v in columns.items()})
    return time.perf_counter() - start


def bench_env_step(env, texts: list[str], offset: int = 0) -> tuple[float, float]:
    """reset + step per response (and the step alone), on the rubric's rows."""
    n = len(env.dataset)
    total = step_only = 0.0
    for i, text in enumerate(texts):
        t0 = time.perf_counter()
        env.reset(options={"index": (offset + i) % n})
        t1 = time.perf_counter()
        env.step(text)
        t2 = time.perf_counter()
        total += t2 - t0
        step_only += t2 - t1
    return total, step_only


def bench_vector(vec, texts: list[str], batch: int) -> float:
    start = time.perf_counter()
    for lo in range(0, len(texts), batch):
        vec.step(texts[lo : lo + batch])
    return time.perf_counter() - start


PATHS = ("rubric", "rubric_batch1", "env_step", "env_step_only", "vector")
INSIDE = ("env_step_timed", "env_step_rubric", "vector_timed", "vector_rubric")
# each path against the rubric called the way it calls it: one response per call for
# env.step, one batch of --batch responses per call for the vector env
BASES = {"env_step": "rubric_batch1", "env_step_only": "rubric_batch1", "vector": "rubric"}


class TimedRubric:
    """A rubric whose ``score_batch`` time is summed: the env's own time is the rest."""

    def __init__(self, rubric):
        self.rubric = rubric
        self.spent = 0.0

    def score_batch(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self.rubric.score_batch(*args, **kwargs)
        finally:
            self.spent += time.perf_counter() - start

    def __getattr__(self, name):
        return getattr(self.rubric, name)


def make_envs(preset: str, batch: int, image_size: int):
    """A single env, a vector env and a timed copy of each, caches warm."""
    from emo_env.envs.reason import EmoReasonEnv
    from emo_env.envs.vector import EmoVectorEnv

    options = {"split": "all", "rubric": preset, "image_size": image_size}
    env, timed_env = EmoReasonEnv(**options), EmoReasonEnv(**options)
    vec, timed_vec = (EmoVectorEnv(EmoReasonEnv, batch, **options) for _ in range(2))
    for e in (env, timed_env, vec.envs[0], timed_vec.envs[0]):
        for i in range(len(env.dataset)):  # warm the sample caches of every path
            e.reset(options={"index": i})
    timed_env.rubric = TimedRubric(timed_env.rubric)
    shared = TimedRubric(timed_vec.rubric)
    for sub in timed_vec.envs:
        sub.rubric = shared
    bench_rubric(env.rubric, env, responses("warm", batch), batch)  # load any model once
    for v in (vec, timed_vec):
        v.reset(seed=0)
        bench_vector(v, responses("warm-v", batch), batch)
    return env, timed_env, vec, timed_vec


def measure(
    preset: str, n: int, batch: int, repeats: int, image_size: int, chunk: int = 64
) -> dict:
    """Seconds per path (per chunk, the best of ``repeats``), all paths in this process."""
    env, timed_env, vec, timed_vec = make_envs(preset, batch, image_size)
    timed = {"env_step": timed_env.rubric, "vector": timed_vec.envs[0].rubric}
    chunks = [(lo, min(n, lo + chunk)) for lo in range(0, n, chunk)]
    best = {k: [1e9] * len(chunks) for k in (*PATHS, *INSIDE)}
    for r in range(repeats):
        # the paths take turns chunk by chunk, so a change in the machine's load hits all;
        # each chunk keeps its best time over the repeats (distinct texts every repeat)
        tag = f"{preset}-{image_size}-{r}"
        texts = {k: responses(f"{k}-{tag}", n) for k in ("rubric", "once", "env", "vec", "in")}
        for c, (lo, hi) in enumerate(chunks):
            got = {"rubric": bench_rubric(env.rubric, env, texts["rubric"][lo:hi], batch, lo)}
            got["rubric_batch1"] = bench_rubric(env.rubric, env, texts["once"][lo:hi], 1, lo)
            got["env_step"], got["env_step_only"] = bench_env_step(env, texts["env"][lo:hi], lo)
            got["vector"] = bench_vector(vec, texts["vec"][lo:hi], batch)
            # the same paths once more, with their rubric call timed
            inside = timed["env_step"].spent
            got["env_step_timed"] = bench_env_step(timed_env, texts["in"][lo:hi], lo)[0]
            got["env_step_rubric"] = timed["env_step"].spent - inside
            inside = timed["vector"].spent
            got["vector_timed"] = bench_vector(timed_vec, texts["in"][lo:hi], batch)
            got["vector_rubric"] = timed["vector"].spent - inside
            for k, v in got.items():
                best[k][c] = min(best[k][c], v)
    total = {k: sum(v) for k, v in best.items()}
    us = {k: 1e6 * v / n for k, v in total.items()}
    return {
        "preset": preset,
        "image_size": image_size,
        "us_per_response": {k: round(us[k], 2) for k in PATHS},
        "responses_per_s": {k: round(n / total[k], 1) for k in PATHS},
        "env_overhead_us": {k: round(us[k] - us[b], 2) for k, b in BASES.items()},
        "overhead_vs_rubric": {k: round(total[k] / total[b] - 1, 4) for k, b in BASES.items()},
        # the env's own time measured inside the same calls: path time minus the time
        # spent in its rubric call (robust to load changes between paths)
        "env_own_us": {
            "env_step": round(us["env_step_timed"] - us["env_step_rubric"], 2),
            "vector": round(us["vector_timed"] - us["vector_rubric"], 2),
        },
        "env_own_vs_its_rubric": {
            "env_step": round(us["env_step_timed"] / us["env_step_rubric"] - 1, 4),
            "vector": round(us["vector_timed"] / us["vector_rubric"] - 1, 4),
        },
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4096, help="responses per path")
    parser.add_argument("--batch", type=int, default=16, help="rubric batch = sub-envs")
    parser.add_argument("--presets", nargs="+", default=["emo_r3_robust", "emo_r3_paper"])
    parser.add_argument("--repeats", type=int, default=7, help="best of this many runs")
    parser.add_argument("--chunk", type=int, default=64, help="responses per timed chunk")
    parser.add_argument(
        "--image-sizes", type=int, nargs="+", default=[224, 32],
        help="observation image sides to run (the image copy is most of the env's cost)",
    )  # fmt: skip
    parser.add_argument("--machine", default="shared 2-core box", help="named in the results")
    parser.add_argument("--note", default="", help="a paragraph added to the .md page")
    parser.add_argument("--out", default=str(RESULTS / "env_overhead"))
    args = parser.parse_args(argv)

    if args.chunk % args.batch:
        parser.error("--chunk must be a multiple of --batch")
    runs = [
        measure(preset, args.n, args.batch, args.repeats, size, args.chunk)
        for preset in args.presets
        for size in args.image_sizes
    ]
    result = {
        "presets": args.presets,
        "responses": args.n,
        "batch": args.batch,
        "repeats": args.repeats,
        "chunk": args.chunk,
        "machine": f"{platform.machine()} CPU ({os.cpu_count()} cores visible), "
        f"Python {platform.python_version()}, {args.machine}",
        "baseline_of": BASES,
        "goal": "overhead < 0.10",
        "runs": runs,
        "note": args.note,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    out.with_suffix(".md").write_text(render(result))
    print(json.dumps(result, indent=2))
    return result


def render(result: dict) -> str:
    """The results as a markdown page."""
    lines = [
        f"# Environment overhead ({', '.join(result['presets'])}; {result['responses']} "
        f"responses, batch {result['batch']})",
        "",
        f"Machine: {result['machine']}. Best of {result['repeats']} runs per chunk of "
        f"{result['chunk']} responses; every path scores its own distinct responses, side by "
        "side in one process.",
        "",
        "Overhead: `env_step` (reset + step) and `env_step_only` against `rubric_batch1` "
        "(one response per rubric call), `vector` against `rubric` (one batch per call). "
        "`env us` is the environment's own time per response (path minus its baseline).",
        "",
    ]
    for run in result["runs"]:
        size = run["image_size"]
        lines += [
            f"## {run['preset']}, observation image {size} x {size}",
            "",
            "| path | responses/s | us/response | env us | overhead |",
            "|---|---|---|---|---|",
        ]
        for k in PATHS:
            extra = run["env_overhead_us"].get(k)
            ratio = run["overhead_vs_rubric"].get(k)
            lines.append(
                f"| {k} | {run['responses_per_s'][k]} | {run['us_per_response'][k]} | "
                + ("" if extra is None else f"{extra:+.1f}")
                + " | "
                + ("" if ratio is None else f"{ratio:+.1%}")
                + " |"
            )
        own, ratio = run["env_own_us"], run["env_own_vs_its_rubric"]
        lines += [
            "",
            f"Measured inside the calls (extra passes with the rubric call timed: path time "
            "minus the time in its rubric call): "
            f"env.step (reset + step) {own['env_step']:+.1f} us/response "
            f"({ratio['env_step']:+.1%}), vector {own['vector']:+.1f} us/response "
            f"({ratio['vector']:+.1%}).",
            "",
        ]
    if result.get("note"):
        lines += [result["note"], ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
