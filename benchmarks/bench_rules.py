"""Rule scoring side by side with the authors' scorer, per response shape, in one process.

Usage: python benchmarks/bench_rules.py [--n 100000] [--rounds 3] [--out benchmarks/results]

The anchor is a plain implementation of the reference scorer as the paper's code does
it (``tests/rewards/reference_oracle.py``: its ``score``, plus its ``prompts`` when a
judge is on; for ``grpo_baseline`` its ``score_think``: the same approach with the
``<think>`` pattern and 0.9/0.1 weights). Anchor and preset score the SAME distinct
responses (no string repeats, parse memo cleared before every timed run), per shape of
the reference-preset tests: canonical, missing steps, nested braces, several boxes,
unicode, 12 KB responses, empty (whitespace only), and the whole mixed corpus.

Each preset is timed through ``Rubric.score_batch`` (totals and every component, as
the anchor returns) and through the TRL call ``rubric(prompts, completions, label=...)``
(totals only), in batches of 512; with a judge, the constant judge is asked every
question (prompts built byte for byte). Rounds interleave anchor and preset runs; the
ratio reported is the median over rounds of anchor time / preset time.

The fixed cost of one rubric call is ``score_batch`` (or ``__call__``) on a batch of one
short response, minus the per-response time of the same responses scored in a batch.

The parse memo of ``rewards.parsing`` is cleared before every timed run; rubric
scoring does not use it (each call parses its batch once, unmemoised).

Results: ``rules.json`` and ``rules.md`` (machine named).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "rewards"))

from machine import describe  # noqa: E402
from reference_oracle import prompts as oracle_prompts  # noqa: E402
from reference_oracle import score as oracle_score  # noqa: E402
from reference_oracle import score_think as oracle_score_think  # noqa: E402

from rewards import parsing, presets  # noqa: E402
from rewards.judges import ConstantJudge  # noqa: E402
from rewards.labels import get_label_set  # noqa: E402

LABELS = get_label_set("mikels8").names
SHAPES = (
    "canonical",
    "missing steps",
    "nested braces",
    "several boxes",
    "unicode",
    "12 KB",
    "empty",
)
SCENES = [
    "A child laughs at a clown",
    "A dark alley at night",
    "Rotten food on a plate",
    "A vast canyon at dawn",
    "A crowd cheers at a concert",
    "A man shouts at a driver",
    "An old dog sleeps by the fire",
    "Flood water fills a street",
]
FEELINGS = ["amused", "uneasy", "disgusted", "awed", "thrilled", "angry", "calm", "sad"]
UNICODE = ["émotion", "情感", "😊", "naïve café", "Грусть", "ça va"]
BATCH = 512
CONFIGS = [
    ("emo_r3_reference", False),
    ("emo_r3_reference", True),
    ("emo_r3_paper", False),
    ("emo_r3_paper", True),
    ("grpo_baseline", False),
    ("emo_r3_robust", False),
    ("emo_r3_robust", True),
]
CONS_ANSWER, COH_ANSWER = "Yes, it does.", "fear"


# --- corpus ------------------------------------------------------------------------------


def _steps(rng: random.Random, i: int, shape: str) -> list[str]:
    scene = f"{rng.choice(SCENES)} (sample {i})."
    if shape == "unicode":
        scene = f"{scene} {rng.choice(UNICODE)} {rng.choice(UNICODE)}"
    if shape == "12 KB":
        words = [rng.choice(SCENES).lower() for _ in range(420)]
        scene = f"{scene} {' '.join(words)}"[:12_000]
    feeling = f"People ({i}) would feel {rng.choice(FEELINGS)} and {rng.choice(FEELINGS)}."
    affect = f"{rng.choice(['Positive', 'Negative'])}, {rng.choice(['high', 'low'])} arousal ({i})."
    return [scene, feeling, affect]


def _box(rng: random.Random, shape: str) -> str:
    label = rng.choice(LABELS)
    if shape == "nested braces":
        return rng.choice(["\\boxed{\\text{%s}}", "\\boxed{{%s}}", "\\boxed{ {\\bf %s} }"]) % label
    if shape == "several boxes":
        return f"\\boxed{{{rng.choice(LABELS)}}} or maybe \\boxed{{{label}}}"
    return f"\\boxed{{{label}}}"


def response(rng: random.Random, i: int, shape: str, template: str) -> str:
    """One distinct response of ``shape`` in the SET (``set``) or ``think`` format."""
    if shape == "empty":
        return ""  # the one empty response (neither side memoises anything)
    steps = _steps(rng, i, shape)
    box = _box(rng, shape)
    if template == "think":
        if shape == "missing steps":
            return f"{' '.join(steps)} {box}"
        return f"<think>{' '.join(steps)}</think>\n{box}"
    tags = ["step1", "step2", "step3"]
    if shape == "missing steps":
        keep = sorted(rng.sample(range(3), rng.choice([1, 2])))
        tags, steps = [tags[k] for k in keep], [steps[k] for k in keep]
    body = "\n".join(f"<{t}>{s}</{t}>" for t, s in zip(tags, steps, strict=True))
    return f"{body}\n{box}"


def corpus(n: int, seed: int = 0) -> dict[str, dict[str, list[str]]]:
    """``{shape: {"set": [...], "think": [...], "label": [...]}}``, n responses in all."""
    rng = random.Random(seed)
    sizes = {shape: n // 7 for shape in SHAPES}
    sizes["12 KB"] = max(1, n // 25)
    sizes["canonical"] += n - sum(sizes.values())
    out, i = {}, 0
    for shape in SHAPES:
        rows = {"set": [], "think": [], "label": []}
        for _ in range(sizes[shape]):
            rows["set"].append(response(rng, i, shape, "set"))
            rows["think"].append(response(rng, i, shape, "think"))
            rows["label"].append(rng.choice(LABELS))
            i += 1
        out[shape] = rows
    mixed = [(s, k) for s in SHAPES for k in range(sizes[s])]
    random.Random(seed + 1).shuffle(mixed)
    out["mixed"] = {key: [out[s][key][k] for s, k in mixed] for key in ("set", "think", "label")}
    for key in ("set", "think"):
        texts = [t for t in out["mixed"][key] if t]
        if len(set(texts)) != len(texts):
            raise SystemExit(f"corpus {key!r} holds repeated non-empty responses")
    return out


# --- the timed runs ---------------------------------------------------------------------


def run_anchor(texts: list[str], labels: list[str], judged: bool, think: bool) -> None:
    if think:
        for text, label in zip(texts, labels, strict=True):
            oracle_score_think(text, label)
        return
    for text, label in zip(texts, labels, strict=True):
        if judged:
            oracle_prompts(text, LABELS)
            oracle_score(text, label, CONS_ANSWER, COH_ANSWER)
        else:
            oracle_score(text, label, None, None)


def run_preset(rubric, texts: list[str], labels: list[str], mode: str) -> None:
    for start in range(0, len(texts), BATCH):
        chunk, gold = texts[start : start + BATCH], labels[start : start + BATCH]
        if mode == "score_batch":
            rubric.score_batch(chunk, gold)
        else:
            rubric(None, chunk, label=gold)


def timed(fn, *args) -> float:
    """Seconds for one run, parse memo cleared first, garbage collector paused."""
    cache = getattr(parsing, "_parse", None)
    if cache is not None:
        cache.cache_clear()
    gc.disable()
    try:
        start = time.perf_counter()
        fn(*args)
        return time.perf_counter() - start
    finally:
        gc.enable()


def build(name: str, judged: bool):
    if name == "grpo_baseline":
        return presets.get(name)
    judge = ConstantJudge(CONS_ANSWER, COH_ANSWER) if judged else None
    return presets.get(name, judge=judge)


def measure(data, rounds: int, shapes) -> dict:
    """Per shape and preset: anchor and preset timed batch by batch, interleaved.

    Each batch of 512 is scored by the anchor, ``score_batch`` and the TRL call in a
    rotating order, so machine noise hits all three alike; a round's ratio is the sum
    of anchor times over the sum of preset times; the median over rounds is kept.
    """
    results = {}
    modes = ("anchor", "score_batch", "call")
    for shape in shapes:
        rows = data[shape]
        for name, judged in CONFIGS:
            think = name == "grpo_baseline"
            texts, labels = rows["think" if think else "set"], rows["label"]
            rubric = build(name, judged)
            key = f"{shape} | {name}{' + judge' if judged else ''}"
            totals = {mode: [] for mode in modes}
            for _ in range(rounds):
                gc.collect()
                spent = dict.fromkeys(modes, 0.0)
                for b, start in enumerate(range(0, len(texts), BATCH)):
                    chunk, gold = texts[start : start + BATCH], labels[start : start + BATCH]
                    for k in range(3):
                        mode = modes[(b + k) % 3]
                        if mode == "anchor":
                            spent[mode] += timed(run_anchor, chunk, gold, judged, think)
                        else:
                            spent[mode] += timed(run_preset, rubric, chunk, gold, mode)
                for mode in modes:
                    totals[mode].append(spent[mode])
            n = len(texts)
            entry = {"shape": shape, "preset": name, "judge": judged, "n": n}
            entry["anchor_per_s"] = n / statistics.median(totals["anchor"])
            for mode in ("score_batch", "call"):
                entry[f"{mode}_per_s"] = n / statistics.median(totals[mode])
                entry[f"{mode}_ratio"] = statistics.median(
                    a / b for a, b in zip(totals["anchor"], totals[mode], strict=True)
                )
            results[key] = entry
            print(
                f"{key:48s} anchor {entry['anchor_per_s']:>9,.0f}/s  score_batch "
                f"{entry['score_batch_ratio']:5.2f}x  call {entry['call_ratio']:5.2f}x",
                flush=True,
            )
    return results


def run_singles(rubric, texts: list[str], labels: list[str], mode: str) -> None:
    """One call per response (batches of one)."""
    if mode == "score_batch":
        for text, label in zip(texts, labels, strict=True):
            rubric.score_batch([text], [label])
    else:
        for text, label in zip(texts, labels, strict=True):
            rubric(None, [text], label=[label])


def fixed_cost(data, calls: int = 2048, rounds: int = 7) -> dict:
    """Per-call fixed cost (us): batch-of-one call time minus per-response batch time.

    Both on the same short canonical responses, interleaved chunk by chunk (512
    responses), the median over rounds kept.
    """
    texts, labels = data["canonical"]["set"][:calls], data["canonical"]["label"][:calls]
    out = {}
    for name, judged in CONFIGS:
        rubric = build(name, judged)
        tx = [t.replace("step1", "think") for t in texts] if name == "grpo_baseline" else texts
        for mode in ("score_batch", "call"):
            fixed, singles, batched = [], [], []
            for _ in range(rounds):
                one = many = 0.0
                for start in range(0, len(tx), BATCH):
                    chunk, gold = tx[start : start + BATCH], labels[start : start + BATCH]
                    one += timed(run_singles, rubric, chunk, gold, mode)
                    many += timed(run_preset, rubric, chunk, gold, mode)
                singles.append(one / len(tx))
                batched.append(many / len(tx))
                fixed.append((one - many) / len(tx))
            key = f"{name}{' + judge' if judged else ''} | {mode}"
            out[key] = {
                "call_us": 1e6 * statistics.median(singles),
                "per_response_us": 1e6 * statistics.median(batched),
                "fixed_us": 1e6 * statistics.median(fixed),
            }
            print(f"fixed cost {key:44s} {out[key]['fixed_us']:6.1f} us", flush=True)
    return out


def machine() -> str:
    return describe()


def write(out: Path, args, results: dict, fixed: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    info = {"n_responses": args.n, "rounds": args.rounds, "batch": BATCH, "machine": machine()}
    payload = {**info, "shapes": results, "fixed_cost": fixed}
    (out / "rules.json").write_text(json.dumps(payload, indent=2) + "\n")
    presets_ = [f"{n}{' + judge' if j else ''}" for n, j in CONFIGS]
    shapes = list(dict.fromkeys(e["shape"] for e in results.values()))
    lines = [
        f"# Rule presets vs the authors' scorer ({info['machine']})",
        "",
        f"{args.n:,} responses (distinct but for the empty ones), batches of {BATCH}, "
        f"median of {args.rounds} interleaved rounds, one process. Cell: preset speed / "
        "anchor speed on the same "
        "responses through `score_batch` (totals + components), then through the TRL "
        "call (totals). Anchor: `tests/rewards/reference_oracle.py` (`score` + `prompts` "
        "with a judge; `score_think` for `grpo_baseline`).",
        "",
        "| shape | anchor resp/s | " + " | ".join(presets_) + " |",
        "|---|---:|" + "---:|" * len(presets_),
    ]
    for shape in shapes:
        cells, anchor = [], None
        for name, judged in CONFIGS:
            entry = results.get(f"{shape} | {name}{' + judge' if judged else ''}")
            if entry is None:
                cells.append("-")
                continue
            anchor = anchor or entry["anchor_per_s"]
            cells.append(f"{entry['score_batch_ratio']:.2f}x / {entry['call_ratio']:.2f}x")
        lines.append(f"| {shape} | {anchor:,.0f} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Fixed cost of one rubric call (batch of one short response, minus the "
        "per-response time in a batch), microseconds:",
        "",
        "| preset | score_batch | TRL call |",
        "|---|---:|---:|",
    ]
    for label in presets_:
        sb, call = fixed.get(f"{label} | score_batch"), fixed.get(f"{label} | call")
        if sb and call:
            lines.append(f"| {label} | {sb['fixed_us']:.1f} | {call['fixed_us']:.1f} |")
    (out / "rules.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shapes", nargs="+", default=[*SHAPES, "mixed"])
    parser.add_argument("--out", default=str(HERE / "results"))
    args = parser.parse_args()
    data = corpus(args.n)
    results = measure(data, args.rounds, args.shapes)
    fixed = fixed_cost(data)
    write(Path(args.out), args, results, fixed)


if __name__ == "__main__":
    main()
