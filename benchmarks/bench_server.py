"""Reward-server throughput: the server now, the server before, and in-process scoring.

Every request carries one sample (as OpenRLHF sends them) and every response is
distinct (a salt per round and variant, so no memo cache carries over). A separate
client process (``server_client.py``: keep-alive connections, one request in flight
each) sends them to a server on 127.0.0.1 run in this process. Rounds interleave the
variants, rotating their order; medians over rounds, ratios taken within a round.

Workloads:
  * ``rules``: ``emo_r3_paper`` without judge, 256 connections. Variants: ``old`` (the
    FastAPI path before this change, ``server_old.py``, on asyncio + h11), ``lean_h11``
    (the lean ASGI app on asyncio + h11, what a server without uvloop/httptools gets)
    and ``new`` (the lean app as ``emo-r3 serve`` runs it: uvloop + httptools when
    installed). In-process anchors: ``RewardScorer.score_samples`` in chunks of 64 and
    one by one, in one worker thread.
  * ``models``: the offline MiniLM preset ``emo_r3_offline`` (accuracy, format, MiniLM
    caption consistency and embedding coherence), 1000 requests all in flight at once
    (1000 connections), micro-batches of up to 64. Anchor: in-process batches of 64.

Every server reply is checked against in-process scoring of the same request (all of
them for rules, the first 64 for models): ``wrong rewards`` counts differences.

Usage: python benchmarks/bench_server.py [--n 4000] [--n-models 1000] [--repeats 7]
Writes benchmarks/results/server.json and server.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from server_old import create_old_app

from agents.common.labels import encode_label
from agents.common.scorer import RewardScorer
from agents.serve import ServerConfig, create_app

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
LABELS = ["amusement", "anger", "awe", "contentment", "disgust", "excitement", "fear", "sadness"]
SCENES = [
    "a storm over a harbour",
    "children laughing at a clown",
    "a mountain at dawn",
    "a rotten meal with flies",
    "a crowd shouting at a rally",
    "a quiet lake at dusk",
]
VARIANTS = {  # name: (app factory, uvicorn http, uvicorn loop)
    "old": (create_old_app, "h11", "asyncio"),
    "lean_h11": (create_app, "h11", "asyncio"),
    "new": (create_app, "auto", "auto"),
}


def make_requests(n: int, salt: str) -> list[dict]:
    """n distinct single-sample requests (a third answer wrong, all carry a caption)."""
    out = []
    for i in range(n):
        label, boxed, scene = LABELS[i % 8], LABELS[(i * 3) % 8], SCENES[i % len(SCENES)]
        response = (
            f"<step1>Photo {salt}-{i}: {scene}.</step1><step2>A viewer would feel {boxed} "
            f"(case {i}).</step2><step3>High arousal.</step3> \\boxed{{{boxed}}}<|im_end|>"
        )
        prompt = f"Q{i}: What emotion does the picture evoke? "
        caption = f"{scene}, picture {salt}-{i}"
        out.append(
            {"query": [prompt + response], "prompts": [prompt],
             "labels": [encode_label(label, caption=caption)]}
        )  # fmt: skip
    return out


def in_process(scorer: RewardScorer, requests: list[dict], batch: int) -> tuple[float, list]:
    """Seconds to prepare and score ``requests`` in chunks of ``batch``, and the rewards."""

    def run():
        start = time.perf_counter()
        rewards = []
        for i in range(0, len(requests), batch):
            chunk = requests[i : i + batch]
            samples = [
                s for r in chunk for s in scorer.prepare(r["query"], r["prompts"], r["labels"])
            ]
            rewards += [x["reward"] for x in scorer.score_samples(samples)]
        return time.perf_counter() - start, rewards

    with ThreadPoolExecutor(1) as pool:  # one worker thread, as the server's scoring thread
        return pool.submit(run).result()


class _Server:
    """uvicorn serving ``app`` on a free loopback port, on a background thread."""

    def __init__(self, app, http: str, loop: str):
        import uvicorn

        config = uvicorn.Config(app, host="127.0.0.1", port=0, http=http, loop=loop,
                                log_level="warning", access_log=False, lifespan="on",
                                limit_concurrency=4096, backlog=4096)  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/get_reward"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=60)


def over_http(variant: str, scorer, requests, connections: int, tmp: Path) -> tuple:
    factory, http, loop = VARIANTS[variant]
    path = tmp / "bodies.json"
    path.write_text(json.dumps([json.dumps(r) for r in requests]))
    app = factory(ServerConfig(port=0, max_batch=64), scorer)  # default max_wait_ms (20)
    with _Server(app, http, loop) as url:
        client = [sys.executable, str(HERE / "server_client.py"), url, str(path), str(connections)]
        before = resource.getrusage(resource.RUSAGE_SELF)  # this process: the server thread
        proc = subprocess.run(client, capture_output=True, text=True, check=True)
        after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    out = json.loads(proc.stdout)
    if out["status"] != {"200": len(requests)}:
        raise RuntimeError(f"{variant}: replies {out['status']}")
    calls = app.state.batcher.stats["batches"]
    if hasattr(app, "inline"):  # rule-only requests scored on the loop, coalesced
        calls += app.inline.stats["flushes"]
    return out["elapsed"], out["rewards"], len(requests) / max(1, calls), cpu / len(requests)


def measure(workload, scorer, n, connections, round_no, tmp, check_n) -> dict:
    """One round: the in-process anchors and every server variant, in rotated order."""
    names = ["in_process"] + (list(VARIANTS) if workload == "rules" else ["old", "new"])
    names = names[round_no % len(names) :] + names[: round_no % len(names)]
    row: dict = {"load_before": os.getloadavg()[0], "mismatches": 0}
    for name in names:
        requests = make_requests(n, f"r{round_no}{name}")
        if name == "in_process":
            t, _ = in_process(scorer, requests, 64)
            row["in_process_batch64"] = n / t
            if workload == "rules":
                t, _ = in_process(scorer, make_requests(n, f"r{round_no}single"), 1)
                row["in_process_batch1"] = n / t
            continue
        t, got, mean_batch, cpu = over_http(name, scorer, requests, connections, tmp)
        row[f"server_{name}"] = n / t
        row[f"mean_batch_{name}"] = mean_batch
        row[f"cpu_us_{name}"] = cpu * 1e6
        _, expected = in_process(scorer, requests[:check_n], 64)  # untimed check
        row["mismatches"] += sum(abs(a - b) > 1e-6 for a, b in zip(got, expected, strict=False))
    row["load_after"] = os.getloadavg()[0]
    return row


def summarize(workload: str, n: int, connections: int, rounds: list[dict]) -> dict:
    """Medians over rounds, and per-round ratios: median [min, max]."""
    keys = [k for k in rounds[0] if k not in ("mismatches",)]
    row = {"workload": workload, "n": n, "connections": connections}
    row.update({k: statistics.median(r[k] for r in rounds) for k in keys})
    row["mismatches"] = sum(r["mismatches"] for r in rounds)
    pairs = [("new_vs_old", "server_new", "server_old"),
             ("new_vs_in_process", "server_new", "in_process_batch64"),
             ("old_vs_in_process", "server_old", "in_process_batch64")]  # fmt: skip
    if workload == "rules":
        pairs.append(("lean_h11_vs_old", "server_lean_h11", "server_old"))
    for name, a, b in pairs:
        ratios = [r[a] / r[b] for r in rounds]
        row[f"ratio_{name}"] = [statistics.median(ratios), min(ratios), max(ratios)]
    row["rounds"] = rounds
    return row


def _ratio(r: list[float]) -> str:
    return f"{r[0]:.2f}x [{r[1]:.2f}-{r[2]:.2f}]"


def write(rows: list[dict], machine: str, date: str, command: str) -> str:
    RESULTS.mkdir(exist_ok=True)
    result = {"machine": machine, "date": date, "command": command, "rows": rows}
    (RESULTS / "server.json").write_text(json.dumps(result, indent=2) + "\n")
    loads = [x for r in rows for rd in r["rounds"] for x in (rd["load_before"], rd["load_after"])]
    lines = [
        "# Reward server throughput",
        "",
        f"Machine: {machine}; {date}; `{command}`. 1-minute load average "
        f"{min(loads):.1f}-{max(loads):.1f} during the rounds (other jobs share the 2 cores), "
        "so absolute rates move between rounds: figures are medians over interleaved "
        "rounds, ratios are taken within a round, median [min-max]. One sample per request, "
        "every response distinct; the client is a separate process. `old` is the server "
        "before this change (FastAPI, stdlib JSON, every request through the micro-batcher; "
        "asyncio + h11), `lean_h11` the lean ASGI app on asyncio + h11, `new` the lean app "
        "as `emo-r3 serve` runs it (uvloop + httptools). Server CPU per request is the CPU "
        "time (user + system) of the server's process during the run over the requests, a "
        "figure the other jobs on the machine move far less than the rates.",
        "",
        "| workload | in-process, batches of 64 /s | in-process, one by one /s | old server /s "
        "| lean app on h11 /s | new server /s | new / old | new / in-process batched "
        "| old / in-process batched | server CPU per request, old -> new | mean batch (new) "
        "| wrong rewards |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        rounds = len(r["rounds"])
        single = f"{r['in_process_batch1']:.0f}" if "in_process_batch1" in r else "-"
        lean = f"{r['server_lean_h11']:.0f}" if "server_lean_h11" in r else "-"
        lines.append(
            f"| {r['workload']} (n={r['n']}, {r['connections']} connections, {rounds} rounds) "
            f"| {r['in_process_batch64']:.0f} | {single} | {r['server_old']:.0f} | {lean} "
            f"| {r['server_new']:.0f} | {_ratio(r['ratio_new_vs_old'])} "
            f"| {_ratio(r['ratio_new_vs_in_process'])} | {_ratio(r['ratio_old_vs_in_process'])} "
            f"| {r['cpu_us_old']:.0f} -> {r['cpu_us_new']:.0f} us "
            f"| {r['mean_batch_new']:.1f} | {r['mismatches']} |"
        )
    text = "\n".join(lines) + "\n"
    (RESULTS / "server.md").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="requests per run (rules)")
    parser.add_argument("--n-models", type=int, default=1000, help="requests per run (models)")
    parser.add_argument("--repeats", type=int, default=7, help="rounds (rules)")
    parser.add_argument("--repeats-models", type=int, default=4, help="rounds (models)")
    parser.add_argument("--workloads", nargs="+", default=["rules", "models"])
    args = parser.parse_args()
    import resource

    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for workload in args.workloads:
            rules = workload == "rules"
            scorer = RewardScorer("emo_r3_paper" if rules else "emo_r3_offline")
            n = args.n if rules else args.n_models
            connections = 256 if rules else n
            in_process(scorer, make_requests(64, "warm"), 64)  # load models, warm imports
            rounds = []
            for k in range(args.repeats if rules else args.repeats_models):
                check = n if rules else 64
                rounds.append(measure(workload, scorer, n, connections, k, Path(tmp), check))
                print(workload, k, {a: round(b, 1) for a, b in rounds[-1].items()}, flush=True)
            rows.append(summarize(workload, n, connections, rounds))
    machine = (
        f"{platform.machine()} CPU, {os.cpu_count()} cores shared with other jobs, Python "
        f"{platform.python_version()}"
    )
    date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    command = "python benchmarks/bench_server.py " + " ".join(sys.argv[1:])
    print(write(rows, machine, date, command.strip()))


if __name__ == "__main__":
    main()
