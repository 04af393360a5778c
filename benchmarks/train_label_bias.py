"""Does the warm-started main-job policy know the labels? Its label scores, raw and de-biased.

Usage:
    python benchmarks/train_label_bias.py [--seed 0] [--threads 1]

Loads the main job's default policy (SmolLM2-135M-Instruct with LoRA adapters), runs the
default format warm start, lets the policy write its own greedy SET reasoning for every
test caption (and every 4th train caption), and then scores each of the 8 Mikels labels'
log-probability inside ``\\boxed{...}`` after that reasoning. It compares the argmax
of these scores (what greedy decoding mostly picks) with the argmax after subtracting
each label's mean score over the train captions (a per-label bias correction, the kind
of change GRPO could learn quickly). If the corrected accuracy is well above the raw
one, the policy ranks the right label higher than its label prior lets it show.

Writes ``benchmarks/results/train_demo/label_bias.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "train_demo"


def _prefixes(prompts: list[str], texts: list[str]) -> list[str]:
    """Prompt + the policy's own reasoning, up to and including ``\\boxed{``."""
    out = []
    for prompt, text in zip(prompts, texts, strict=True):
        cut = text.find("\\boxed{")
        reason = text[:cut] if cut >= 0 else text.split("</step3>")[0] + "</step3> "
        out.append(prompt + reason + "\\boxed{")
    return out


def label_scores(model, tokenizer, prefixes: list[str], labels: list[str]):
    """``[len(prefixes), len(labels)]`` log-probabilities of ``label}`` after each prefix."""
    import torch

    ids = [tokenizer(lab + "}", add_special_tokens=False)["input_ids"] for lab in labels]
    cont = torch.zeros(len(labels), max(map(len, ids)), dtype=torch.long)
    for j, row in enumerate(ids):
        cont[j, : len(row)] = torch.tensor(row)
    scores = torch.zeros(len(prefixes), len(labels))
    model.eval()
    with torch.no_grad():
        for r, prefix in enumerate(prefixes):
            enc = tokenizer(prefix, return_tensors="pt", add_special_tokens=False)["input_ids"]
            out = model(input_ids=enc, use_cache=True)
            first = out.logits[0, -1].float().log_softmax(-1)
            cache = out.past_key_values
            cache.batch_repeat_interleave(len(labels))
            mask = torch.ones(len(labels), enc.shape[1] + cont.shape[1], dtype=torch.long)
            logits = model(input_ids=cont, past_key_values=cache, attention_mask=mask).logits
            logp = logits.float().log_softmax(-1)
            for j, row in enumerate(ids):
                rest = sum(float(logp[j, k - 1, row[k]]) for k in range(1, len(row)))
                scores[r, j] = float(first[row[0]]) + rest
    return scores


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    import torch
    from transformers import set_seed

    from agents.trl.config import TrainConfig
    from agents.trl.data import load_split, prompt_dataset
    from agents.trl.driver import prepare_policy
    from agents.trl.heldout import HeldOutEval
    from agents.trl.warmstart import warm_start
    from rewards import presets
    from rewards.labels import get_label_set

    torch.set_num_threads(args.threads)
    set_seed(args.seed)
    cfg = TrainConfig(seed=args.seed)
    policy = prepare_policy(cfg, "cpu")
    start = time.perf_counter()
    warm = warm_start(
        policy.model,
        policy.tokenizer,
        steps=cfg.warm_start_steps,
        learning_rate=cfg.warm_start_lr,
        style=cfg.prompt_style,
        seed=args.seed,
    )
    labels = list(get_label_set("mikels8").names)
    rubric = presets.build(cfg.preset)
    result: dict = {}
    for split, stride in (("test", 1), ("train", 4)):
        ds = prompt_dataset(load_split(cfg.dataset, split), vlm=False, style=cfg.prompt_style)
        ds = ds.select(range(0, len(ds), stride))
        ev = HeldOutEval(policy.model, policy.tokenizer, ds, rubric, max_new_tokens=72)
        texts, _ = ev.generate()
        scores = label_scores(policy.model, policy.tokenizer, _prefixes(ev.prompts, texts), labels)
        gold = torch.tensor([labels.index(lab) for lab in ds["label"]])
        boxed = [t.split("\\boxed{")[-1].split("}")[0].strip().lower() for t in texts]
        result[split] = (scores, gold, boxed)
    scores, gold, boxed = result["test"]
    bias = result["train"][0].mean(0)
    fixed = scores - bias

    def per_label(values) -> dict:
        return dict(zip(labels, values, strict=True))

    def acc(s):
        return float((s.argmax(1) == gold).float().mean())

    def top2(s):
        return float((s.topk(2, 1).indices == gold[:, None]).any(1).float().mean())

    report = {
        "seed": args.seed,
        "warm_start": warm,
        "n_test": len(gold),
        "n_train_for_bias": len(result["train"][1]),
        "greedy_accuracy": sum(b == labels[g] for b, g in zip(boxed, gold.tolist(), strict=True))
        / len(gold),
        "label_argmax_accuracy": acc(scores),
        "debiased_argmax_accuracy": acc(fixed),
        "label_top2": top2(scores),
        "debiased_top2": top2(fixed),
        "label_bias": per_label([round(float(b), 3) for b in bias]),
        "argmax_counts": per_label(torch.bincount(scores.argmax(1), minlength=8).tolist()),
        "debiased_counts": per_label(torch.bincount(fixed.argmax(1), minlength=8).tolist()),
        "seconds": time.perf_counter() - start,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "label_bias.json").write_text(json.dumps(report, indent=2))
    md = [
        "# The warm-started policy's label scores (120 test captions)",
        "",
        "| | accuracy | top-2 |",
        "|---|---:|---:|",
        f"| greedy answer | {report['greedy_accuracy']:.1%} | |",
        f"| argmax of the 8 label log-probs after its own reasoning | "
        f"{report['label_argmax_accuracy']:.1%} | {report['label_top2']:.1%} |",
        f"| same, minus each label's mean log-prob on {report['n_train_for_bias']} train "
        f"captions | {report['debiased_argmax_accuracy']:.1%} | {report['debiased_top2']:.1%} |",
        "",
        f"argmax counts: {report['argmax_counts']}",
        f"de-biased counts: {report['debiased_counts']}",
    ]
    (OUT / "label_bias.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
