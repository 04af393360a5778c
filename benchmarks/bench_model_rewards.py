"""Throughput of the model rewards end to end against the raw model forward on the same inputs.

Usage:
    python benchmarks/bench_model_rewards.py [--device cpu|cuda] [--quick] [--out DIR]

For each reward and batch size (1, 32, 256) two figures are measured on the same
inputs, in items (pairs or responses) per second:

* ``reward``: the reward called as a trainer calls it, from PIL images (640x512, all
  distinct) and response strings to floats: parsing, image preprocessing, tokenising,
  the model, the mapping. Caches are disabled (``cache_size=0``) except in the
  ``grpo`` rows, where each image repeats for G = 8 responses as in a GRPO batch.
* ``raw``: only the model forward on inputs prepared beforehand (pixel tensors and
  token tensors), i.e. the ceiling the reward can reach.

CLIP models are randomly initialised (ViT-B-32 by default; ``--quick`` on CPU uses
ViT-S-32 and batches 1 and 32 only, to finish in about two minutes) because no CLIP
weights ship offline; throughput does not depend on the weights. MiniLM-L6 is the real
offline model. Results go to ``model_rewards.json`` and ``model_rewards.md`` in
``--out`` (default benchmarks/results; ``--quick`` appends ``_quick`` unless ``--out``
is given).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
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


def responses(n: int, seed: int = 0) -> tuple[list[str], list[str], list[str]]:
    """n distinct SET responses, their gold labels and captions."""
    rng = random.Random(seed)
    texts, labels, captions = [], [], []
    for i in range(n):
        k = rng.randrange(len(SCENES))
        texts.append(
            f"<step1>{SCENES[k]} (view {i}).</step1><step2>People would feel "
            f"{FEELINGS[k]}.</step2><step3>high arousal</step3> \\boxed{{{LABELS[k]}}}"
        )
        labels.append(LABELS[k])
        captions.append(f"{SCENES[k].lower()}, photo {i}")
    return texts, labels, captions


def images(n: int, seed: int = 0) -> list:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    base = rng.integers(0, 255, (512, 640, 3), dtype=np.uint8)
    return [Image.fromarray(np.roll(base, 7 * i, axis=1)) for i in range(n)]


def sync(device: str) -> None:
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()


def rate(fn, n: int, device: str, min_time: float, warm: bool = True) -> float:
    """Items per second of ``fn()`` processing ``n`` items (best of repeated runs)."""
    if warm:
        fn()  # warm-up (lazy loads, CUDA kernels)
        sync(device)
    best, spent = float("inf"), 0.0
    while spent < min_time or best == float("inf"):
        start = time.perf_counter()
        fn()
        sync(device)
        took = time.perf_counter() - start
        best, spent = min(best, took), spent + took
    return n / best


_BUILT: dict = {}


def bench_clip(args, n, texts, imgs, grpo=False):
    import torch

    from rewards.models import clip_consistency

    if grpo not in _BUILT:
        _BUILT[grpo] = clip_consistency(
            args.clip_model, "open_clip", None, batch_size=args.clip_batch,
            device=args.device, cache_size=4096 if grpo else 0, workers=args.workers,
            preprocess=args.preprocess,
        )  # fmt: skip
    reward = _BUILT[grpo]
    batch = imgs[: max(1, n // 8)] * 8 if grpo else imgs[:n]
    batch = batch[:n]
    enc = reward.loaded["encoder"]

    def run_reward():
        if grpo:
            reward.loaded["images"].clear()
            reward.loaded["texts"].clear()
        reward(None, texts[:n], image=batch)

    pixels = enc.pixel_values(batch).to(args.device)
    tokens = enc.tokens([t.split("</step1>")[0][7:] for t in texts[:n]]).to(args.device)

    def run_raw():
        with torch.inference_mode():
            for s in range(0, n, args.clip_batch):
                a = enc.encode_pixels(pixels[s : s + args.clip_batch])
                b = enc.encode_tokens(tokens[s : s + args.clip_batch])
                (a * b).sum(-1).tolist()

    passages = [t.split("</step1>")[0][7:] for t in texts[:n]]

    def run_plain():  # what one writes with open_clip alone: its PIL transform + tokenizer
        with torch.inference_mode():
            for s in range(0, n, args.clip_batch):
                pix = torch.stack([enc.preprocess(im) for im in batch[s : s + args.clip_batch]])
                a = enc.encode_pixels(pix)
                b = enc.encode_tokens(enc.tokenizer(passages[s : s + args.clip_batch]))
                (a * b).sum(-1).tolist()

    return run_reward, run_raw, run_plain


def bench_minilm(kind, args, n, texts, labels, captions):
    import torch

    from rewards.models import caption_consistency, embedding_coherence

    if kind == "embedding_coherence":
        reward = embedding_coherence(
            model=args.minilm, device=args.device, cache_size=0, batch_size=64
        )
        inputs = [t.split("<step3>")[0] for t in texts[:n]]
    else:
        reward = caption_consistency(
            model=args.minilm, device=args.device, cache_size=0, batch_size=64
        )
        inputs = [t.split("</step1>")[0] for t in texts[:n]] + captions[:n]
    encoder = reward.loaded
    label_texts = reward.label_texts("mikels8") if kind == "embedding_coherence" else []
    label_rows = encoder.encode(label_texts) if label_texts else []
    model = encoder.model
    prepare = getattr(model, "preprocess", None) or model.tokenize
    features = [
        {k: v.to(args.device) for k, v in prepare(inputs[s : s + 64]).items() if hasattr(v, "to")}
        for s in range(0, len(inputs), 64)
    ]

    def run_reward():
        encoder.cache.clear()  # cold for responses; label descriptions stay cached
        for text, row in zip(label_texts, label_rows, strict=True):
            encoder.cache.put(text, row)
        reward(None, texts[:n], label=labels[:n], caption=captions[:n])

    def run_raw():
        with torch.inference_mode():
            for f in features:
                model(f)["sentence_embedding"].cpu()

    def run_plain():  # sentence-transformers alone: tokenise + forward + normalise
        model.encode(inputs, batch_size=64, convert_to_tensor=True, normalize_embeddings=True)
        if label_texts:
            model.encode(label_texts, batch_size=64, convert_to_tensor=True)

    return run_reward, run_raw, run_plain


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--quick", action="store_true", help="short runs (< 2 min on CPU)")
    parser.add_argument("--out", default=None)
    parser.add_argument("--batches", default=None, help="default 1,32,256 (CPU --quick: 1,32)")
    parser.add_argument("--clip-model", default=None)
    parser.add_argument("--clip-batch", type=int, default=64)
    parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument("--min-time", type=float, default=None)
    parser.add_argument("--preprocess", default="auto", help="CLIP images: auto, pil or tensor")
    parser.add_argument(
        "--minilm", default=None, help="sentence-transformers dir (default: the offline MiniLM)"
    )
    args = parser.parse_args(argv)
    import torch

    cpu = not args.device.startswith("cuda")
    if args.clip_model is None:
        args.clip_model = "ViT-S-32" if (args.quick and cpu) else "ViT-B-32"
    min_time = args.min_time if args.min_time is not None else (0.0 if args.quick else 2.0)
    if args.batches is None:
        args.batches = "1,32" if (args.quick and cpu) else "1,32,256"
    sizes = [int(b) for b in args.batches.split(",")]
    n_max = max(sizes)
    texts, labels, captions = responses(n_max)
    imgs = images(n_max)
    out_dir = Path(args.out) if args.out else ROOT / "benchmarks" / "results"
    stem = "model_rewards" + ("_quick" if args.quick and not args.out else "")
    device_name = torch.cuda.get_device_name(0) if not cpu else platform.processor() or "cpu"
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "device": args.device,
        "device_name": device_name,
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "clip_model": f"open_clip {args.clip_model} (random weights), preprocess {args.preprocess}",
        "quick": args.quick,
        "results": [],
        "skipped": {},
    }
    cases = [
        ("clip_consistency", lambda n: bench_clip(args, n, texts, imgs)),
        ("clip_consistency_grpo", lambda n: bench_clip(args, n, texts, imgs, grpo=True)),
        ("embedding_coherence", lambda n: bench_minilm("embedding_coherence", args, n, texts,
                                                       labels, captions)),
        ("caption_consistency", lambda n: bench_minilm("caption_consistency", args, n, texts,
                                                       labels, captions)),
    ]  # fmt: skip
    for name, build in tqdm(cases, desc="rewards"):
        for n in sizes:
            try:
                run_reward, run_raw, run_plain = build(n)
                warm = not cpu or n == sizes[0] or not args.quick
                reward_rate = rate(run_reward, n, args.device, min_time, warm)
                raw_rate = rate(run_raw, n, args.device, min_time, warm)
                plain_rate = rate(run_plain, n, args.device, min_time, warm)
            except Exception as err:  # a missing optional package on a lent machine
                report["skipped"][f"{name}@{n}"] = f"{type(err).__name__}: {err}"[:300]
                continue
            row = {
                "reward": name,
                "batch": n,
                "reward_per_s": round(reward_rate, 1),
                "raw_per_s": round(raw_rate, 1),
                "ratio": round(reward_rate / raw_rate, 3),
                "plain_per_s": round(plain_rate, 1),
                "ratio_plain": round(reward_rate / plain_rate, 3),
            }
            report["results"].append(row)
            tqdm.write(json.dumps(row))
    try:
        report["lexicon_coherence_per_s"] = round(_lexicon_rate(texts, labels), 1)
    except Exception as err:  # nrclex missing on a lent machine
        report["lexicon_coherence_per_s"] = None
        report["skipped"]["lexicon_coherence"] = f"{type(err).__name__}: {err}"[:300]
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    (out_dir / f"{stem}.md").write_text(markdown(report))
    print(markdown(report))
    return 0


def _lexicon_rate(texts, labels) -> float:
    from rewards.models import lexicon_coherence

    reward = lexicon_coherence()
    reward(None, texts[:1])
    start = time.perf_counter()
    reward(None, texts, label=labels)
    return len(texts) / (time.perf_counter() - start)


def _load_note(report: dict) -> list[str]:
    load, cpus = report.get("load_average"), report.get("cpu_count") or 1
    if report["device"].startswith("cuda") or not load or load[0] <= cpus:
        return []
    return [
        f"**Oversubscribed machine** (1-min load {load[0]:.1f} on {cpus} CPUs, shared with "
        "other jobs): single runs were starved at random, so ratios far from 1 (either "
        "way) are noise, not overhead. Rerun on an idle machine or a GPU for real figures.",
        "",
    ]


def markdown(report: dict) -> str:
    lines = [
        "# Model rewards: end-to-end throughput vs raw model forward",
        "",
        f"{report['date']}; device `{report['device']}` ({report['device_name']}), "
        f"{report['cpu_count']} CPUs, torch threads {report['torch_threads']}, load average "
        f"{report['load_average']}; CLIP: {report['clip_model']}; quick={report['quick']}.",
        "",
        "Items per second (pairs or responses); `reward` = PIL images + strings -> floats, "
        "`raw` = model forward on tensors prepared outside the timing; `plain` = the "
        "library alone from the same PIL images and strings (open_clip's PIL transform + "
        "tokenizer + forward; sentence-transformers' `encode`); `grpo` = each image "
        "repeated for 8 responses with the embedding cache on.",
        "",
        *_load_note(report),
        "| reward | batch | reward/s | raw/s | plain/s | reward / raw | reward / plain |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["results"]:
        lines.append(
            f"| {r['reward']} | {r['batch']} | {r['reward_per_s']} | {r['raw_per_s']} | "
            f"{r.get('plain_per_s', '-')} | {r['ratio']:.2f} | {r.get('ratio_plain', 0):.2f} |"
        )
    lines += ["", f"lexicon_coherence (no model): {report['lexicon_coherence_per_s']} responses/s."]
    if report["skipped"]:
        lines += ["", "Skipped:", *[f"- {k}: {v}" for k, v in report["skipped"].items()]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
