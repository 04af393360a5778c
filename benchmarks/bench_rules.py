"""Throughput of the rule rewards and the presets on 100k distinct responses (one core).

Usage: python benchmarks/bench_rules.py [--n 100000] [--out benchmarks/results]

Each reward is timed on a cold parse cache (GRPO responses are all distinct), in one
process, so the figures are responses per second per core. Results go to
``rules.json`` and ``rules.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import time
from pathlib import Path

from rewards import presets
from rewards.guards import HackingGuards
from rewards.judges import ConstantJudge
from rewards.labels import get_label_set
from rewards.parsing import _parse
from rewards.rules import AccuracyReward, AffectReward, FormatReward

LABELS = get_label_set("mikels8").names
SCENES = [
    "A child laughs at a clown",
    "A dark alley at night",
    "Rotten food on a plate",
    "A vast canyon at dawn",
    "A crowd cheers at a concert",
    "A man shouts at a driver",
]


def corpus(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        label = rng.choice(LABELS)
        tag = "< step{} >" if rng.random() < 0.2 else "<step{}>"
        body = (
            f"{tag.format(1)} {rng.choice(SCENES)} (sample {i}). </step1>\n"
            f"{tag.format(2)} People would feel {rng.choice(LABELS)}. </step2>\n"
            f"{tag.format(3)} {rng.choice(['Positive', 'Negative'])}, "
            f"{rng.choice(['high', 'low'])} arousal. </step3>\n"
        )
        texts.append(body + f"\\boxed{{{rng.choice(LABELS)}}}")
        labels.append(label)
    return texts, labels


def time_it(fn, texts, labels, batch=512) -> float:
    _parse.cache_clear()
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        fn(None, texts[i : i + batch], label=labels[i : i + batch])
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args()
    texts, labels = corpus(args.n)
    rewards = {
        "format": FormatReward(),
        "accuracy (exact)": AccuracyReward(),
        "accuracy (normalized)": AccuracyReward(match="normalized"),
        "affect": AffectReward(),
        "hacking guards (5)": HackingGuards(),
        "preset emo_r3_reference, no judge": presets.get("emo_r3_reference"),
        "preset emo_r3_reference, constant judge": presets.get(
            "emo_r3_reference", judge=ConstantJudge("yes", "fear")
        ),
        "preset emo_r3_paper, constant judge": presets.get(
            "emo_r3_paper", judge=ConstantJudge("yes", "fear")
        ),
        "preset emo_r3_robust, constant judge": presets.get(
            "emo_r3_robust", judge=ConstantJudge("yes", "fear")
        ),
    }
    rows = {name: time_it(fn, texts, labels) for name, fn in rewards.items()}
    machine = f"{platform.processor() or platform.machine()}, {platform.python_version()}"
    result = {"n_responses": args.n, "machine": machine, "responses_per_s_per_core": rows}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "rules.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        f"# Rule rewards and presets, {args.n:,} distinct responses, one core ({machine})",
        "",
        "| reward | responses/s/core |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {rate:,.0f} |" for name, rate in rows.items()]
    (out / "rules.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
