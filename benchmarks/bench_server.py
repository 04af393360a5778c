"""Reward-server throughput against in-process rubric throughput on the same responses.

For each workload the same N unique responses are scored
  1. in process: ``RewardScorer.score_samples`` in chunks of 64 (the best a trainer
     calling the rubric directly could do) and one by one (what OpenRLHF's python-file
     reward path does), in one worker thread like the server's scoring thread (on this
     oversubscribed CPU torch's 2 intra-op threads in the main thread ran MiniLM ~5x
     slower than one worker thread, so both sides use the same), and
  2. over HTTP: N concurrent single-sample POST /get_reward requests (as OpenRLHF sends
     them) from a separate client process (aiohttp, 256 in flight) against the server
     on 127.0.0.1, with micro-batching on (max_batch 64) and off (max_batch 1).
Rounds are interleaved and repeated (medians reported) since the machine is shared.
Ratio = server samples/s / in-process samples/s.

Workloads: ``rules`` (the paper preset without judge: ~10 us/sample, so HTTP dominates)
and ``models`` (accuracy + format + MiniLM caption consistency + MiniLM embedding
coherence, the offline model scorers of ``rewards.models``: the reward is the work).

Usage: python benchmarks/bench_server.py [--n 1000] [--n-models 128] [--repeats 2]
Writes benchmarks/results/server.json and server.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tqdm import tqdm

from agents.common.labels import encode_label
from agents.common.scorer import RewardScorer
from agents.serve import ServerConfig, ServerThread

RESULTS = Path(__file__).resolve().parent / "results"
LABELS = ["amusement", "anger", "awe", "contentment", "disgust", "excitement", "fear", "sadness"]
SCENES = [
    "a storm over a harbour",
    "children laughing at a clown",
    "a mountain at dawn",
    "a rotten meal with flies",
    "a crowd shouting at a rally",
    "a quiet lake at dusk",
]

CLIENT = r"""
import asyncio, json, sys, time, aiohttp
url, path = sys.argv[1], sys.argv[2]
bodies = [json.dumps(b) for b in json.load(open(path))]
async def main():
    conn = aiohttp.TCPConnector(limit=256)
    timeout = aiohttp.ClientTimeout(total=None)
    async with aiohttp.ClientSession(connector=conn, timeout=timeout) as s:
        async def one(body):
            async with s.post(url, data=body, headers={"content-type": "application/json"}) as r:
                r.raise_for_status()
                return (await r.json())["rewards"][0]
        await one(bodies[0])  # warm the connection pool
        t = time.perf_counter()
        out = await asyncio.gather(*(one(b) for b in bodies))
        return time.perf_counter() - t, out
elapsed, out = asyncio.run(main())
print(json.dumps({"elapsed": elapsed, "rewards": out}))
"""


def make_requests(n: int) -> list[dict]:
    out = []
    for i in range(n):
        label, boxed, scene = LABELS[i % 8], LABELS[(i * 3) % 8], SCENES[i % len(SCENES)]
        response = (
            f"<step1>Photo {i}: {scene}.</step1><step2>A viewer would feel {boxed} "
            f"(case {i}).</step2><step3>High arousal.</step3> \\boxed{{{boxed}}}"
        )
        out.append(
            {
                "query": [f"Q{i}: " + response],
                "prompts": [f"Q{i}: "],
                "labels": [encode_label(label, caption=f"{scene}, picture {i}")],
            }
        )
    return out


def build_scorer(workload: str) -> RewardScorer:
    if workload == "rules":
        return RewardScorer("emo_r3_paper")
    from rewards.models import caption_consistency, embedding_coherence
    from rewards.rubric import Rubric
    from rewards.rules import AccuracyReward, FormatReward

    rubric = Rubric(
        [AccuracyReward(), FormatReward(), caption_consistency(cache_size=0),
         embedding_coherence(target="gold", cache_size=0)],
        {"accuracy": 0.8, "format": 0.1, "consistency": 0.05, "coherence": 0.05},
        name="offline_models",
    )  # fmt: skip
    return RewardScorer(rubric)


def in_process(scorer: RewardScorer, requests: list[dict], batch: int) -> tuple[float, list]:
    samples = [s for r in requests for s in scorer.prepare(r["query"], r["prompts"], r["labels"])]
    scorer.score_samples(samples[:batch])  # load models, warm caches of the parser
    start = time.perf_counter()
    rewards = []
    for i in range(0, len(samples), batch):
        rewards += [x["reward"] for x in scorer.score_samples(samples[i : i + batch])]
    return time.perf_counter() - start, rewards


def over_http(scorer, requests, max_batch: int, tmp: Path) -> tuple[float, list, dict]:
    path = tmp / "requests.json"
    path.write_text(json.dumps(requests))
    config = ServerConfig(port=0, max_batch=max_batch)  # default max_wait_ms (20)
    with ServerThread(config, scorer) as server:
        proc = subprocess.run(
            [sys.executable, "-c", CLIENT, server.url, str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        stats = dict(server.app.state.batcher.stats)
    out = json.loads(proc.stdout)
    return out["elapsed"], out["rewards"], stats


def measure(scorer, requests, single, tmp: Path) -> dict:
    """One interleaved round: in-process and server, batched and one-by-one."""
    row = {}
    with ThreadPoolExecutor(1) as pool:  # one worker thread, as the server scores
        t, expected = pool.submit(in_process, scorer, requests, 64).result()
        row["in_process_batch64"] = len(requests) / t
        t, expected_single = pool.submit(in_process, scorer, single, 1).result()
        row["in_process_batch1"] = len(single) / t
    t, got, stats = over_http(scorer, requests, 64, tmp)
    row["server_mb64"] = len(requests) / t
    row["mean_batch"] = stats["samples"] / max(1, stats["batches"])
    row["mismatches"] = sum(abs(a - b) > 1e-6 for a, b in zip(got, expected, strict=True))
    t, got, _ = over_http(scorer, single, 1, tmp)
    row["server_mb1"] = len(single) / t
    row["mismatches"] += sum(abs(a - b) > 1e-6 for a, b in zip(got, expected_single, strict=True))
    return row


def summarize(workload: str, n: int, n_single: int, rounds: list[dict]) -> dict:
    """Medians over rounds, and the server/in-process ratio of each round (same minute)."""
    keys = [k for k in rounds[0] if k != "mismatches"]
    row = {"workload": workload, "n": n, "n_single": n_single}
    row.update({k: statistics.median(r[k] for r in rounds) for k in keys})
    row["mismatches"] = sum(r["mismatches"] for r in rounds)
    for name, base in (
        ("vs_batched", "in_process_batch64"),
        ("vs_one_by_one", "in_process_batch1"),
    ):
        ratios = [r["server_mb64"] / r[base] for r in rounds]
        row[f"ratio_{name}"] = statistics.median(ratios)
        row[f"ratio_{name}_range"] = [min(ratios), max(ratios)]
    row["rounds"] = rounds
    return row


def write(rows: list[dict], machine: str, date: str, load: list[float]) -> str:
    RESULTS.mkdir(exist_ok=True)
    result = {"machine": machine, "date": date, "load_average_1min": load, "rows": rows}
    (RESULTS / "server.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# Reward server vs in-process rubric",
        "",
        f"Machine: {machine}; {date}. 1-minute load average {load[0]:.1f} at the start, "
        f"{load[1]:.1f} at the end, so rates vary between rounds: every figure is the "
        "median over interleaved "
        "rounds, and each ratio is taken within a round (server and in-process measured "
        "back to back), median [min-max] over rounds. Client: a separate process, aiohttp, "
        "256 requests in flight, one sample per request (as OpenRLHF sends them). "
        "In-process scoring runs in one worker thread, like the server's scoring thread; "
        "repeated responses hit the parser's memo cache on both sides.",
        "",
        "| workload | in-process, batches of 64 /s | in-process, one by one /s "
        "| server, micro-batches (max 64) /s | mean batch | server, max batch 1 /s "
        "| server / in-process batched | server / in-process one by one | wrong rewards |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lo, hi = r["ratio_vs_batched_range"]
        lo1, hi1 = r["ratio_vs_one_by_one_range"]
        lines.append(
            f"| {r['workload']} (n={r['n']}, {len(r['rounds'])} rounds) "
            f"| {r['in_process_batch64']:.1f} | {r['in_process_batch1']:.1f} "
            f"| {r['server_mb64']:.1f} | {r['mean_batch']:.1f} | {r['server_mb1']:.1f} "
            f"| {r['ratio_vs_batched']:.0%} [{lo:.0%}-{hi:.0%}] "
            f"| {r['ratio_vs_one_by_one']:.0%} [{lo1:.0%}-{hi1:.0%}] | {r['mismatches']} |"
        )
    text = "\n".join(lines) + "\n"
    (RESULTS / "server.md").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="responses (rules workload)")
    parser.add_argument("--n-models", type=int, default=128, help="responses (models)")
    parser.add_argument("--n-single", type=int, default=32, help="one-by-one runs (models)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--workloads", nargs="+", default=["rules", "models"])
    parser.add_argument(
        "--resummarize", action="store_true", help="rewrite the tables from server.json"
    )
    args = parser.parse_args()
    if args.resummarize:
        old = json.loads((RESULTS / "server.json").read_text())
        rows = [summarize(r["workload"], r["n"], r["n_single"], r["rounds"]) for r in old["rows"]]
        print(write(rows, old["machine"], old["date"], old["load_average_1min"]))
        return
    import tempfile

    rows = []
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for workload in args.workloads:
            scorer = build_scorer(workload)
            n = args.n if workload == "rules" else args.n_models
            requests = make_requests(n)
            single = requests if workload == "rules" else requests[: args.n_single]
            rounds = [
                measure(scorer, requests, single, Path(tmp))
                for _ in tqdm(range(args.repeats), desc=workload)
            ]
            rows.append(summarize(workload, n, len(single), rounds))
    machine = (
        f"{platform.machine()} CPU, 2 cores shared with other jobs, Python "
        f"{platform.python_version()}"
    )
    date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(write(rows, machine, date, [load_start, os.getloadavg()[0]]))


if __name__ == "__main__":
    main()
