"""Cost of one GRPO step: the previous CPU default against the new one, side by side.

Usage:
    python benchmarks/bench_train_step.py [--steps 6] [--threads 0] [--name train_step]

Both runs are real ``trl.GRPOTrainer`` runs built by ``agents.trl.build_trainer`` on the
caption benchmark's train split, in ONE process, interleaved step by step (a turnstile
callback lets each trainer take one optimiser step, then hands over), so machine load
hits both alike. Every step samples new prompts (no cache can make the number).

* ``before``: the previous default: SmolLM2-135M-Instruct fully fine-tuned in float32,
  the paper's prompt with a one-shot example, G = 4, 2 prompts per step, 64 tokens,
  KL 0.01 (a reference-model pass), TRL's default gradient checkpointing.
* ``after``: :class:`agents.trl.TrainConfig` defaults: LoRA adapters on bf16 base
  weights (float32 where the CPU lacks bf16), the compact prompt after the format warm
  start, G = 4, 2 prompts per step, 72 tokens, KL 0 (no reference pass), no gradient
  checkpointing.

Reported per configuration: seconds per step (generation + rewards + loss + update),
the first step apart, and the share of completions cut at the token limit before a
closed ``\\boxed{}`` (from the token ids TRL hands the rewards). Results:
``benchmarks/results/<name>.json`` and ``.md``, with the machine named.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path

BOX = re.compile(r"\\boxed\{[^{}]*\}")

CONFIGS = {
    "before": {
        "prompt_style": "paper",
        "one_shot": True,
        "finetune": "full",
        "dtype": "float32",
        "beta": 0.01,
        "max_completion_length": 64,
        "learning_rate": 1e-5,
        "warm_start_steps": 0,
        "gradient_checkpointing": True,
    },
    "after": {},
}


class Turnstile:
    """Lets two trainers (in two threads) take optimiser steps in turn."""

    def __init__(self, names: list[str]):
        self.names = names
        self.turn = 0
        self.cond = threading.Condition()
        self.done: set[str] = set()

    def wait(self, name: str) -> None:
        with self.cond:
            self.cond.wait_for(lambda: self.names[self.turn] == name)

    def passed(self, name: str, finished: bool = False) -> None:
        with self.cond:
            if finished:
                self.done.add(name)
            for _ in self.names:  # next one that has not finished
                self.turn = (self.turn + 1) % len(self.names)
                if self.names[self.turn] not in self.done:
                    break
            self.cond.notify_all()


def _callback(turnstile: Turnstile, name: str, steps: list[float]):
    from transformers import TrainerCallback

    class Turn(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            turnstile.wait(name)
            self.t0 = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            steps.append(time.perf_counter() - self.t0)
            turnstile.passed(name, finished=state.global_step >= state.max_steps)

    return Turn()


def _cut_meter(run, limit: int, eos: int, tally: dict) -> None:
    """Count completions cut at the limit before a closed box (wraps the rubric pass)."""
    scores = run.rewards.scores

    def counted(prompts, completions, **kwargs):
        parts = scores(prompts, completions, **kwargs)
        texts = run.rewards.last_batch["completions"]
        for ids, text in zip(kwargs.get("completion_ids") or [], texts, strict=False):
            cut = len(ids) >= limit and (not ids or ids[-1] != eos)
            tally["completions"] += 1
            tally["cut"] += cut
            tally["cut_before_box"] += cut and not BOX.search(text)
        return parts

    run.rewards.scores = counted


def _machine() -> str:
    import torch
    from machine import cpu_name

    cpu = cpu_name()
    return (
        f"{cpu}, {os.cpu_count()} CPU cores (shared), torch {torch.__version__}, "
        f"{torch.get_num_threads()} torch threads"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=6, help="steps per configuration")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    p.add_argument("--out", default="benchmarks/results")
    p.add_argument("--name", default="train_step")
    p.add_argument("--note", default="", help="free text for the report (e.g. machine load)")
    args = p.parse_args()

    import torch

    from agents.trl import TrainConfig, build_trainer

    if args.threads:
        torch.set_num_threads(args.threads)
    turnstile = Turnstile(list(CONFIGS))
    runs, times, tallies, configs = {}, {}, {}, {}
    for seed, (name, overrides) in enumerate(CONFIGS.items()):
        out = tempfile.mkdtemp(prefix=f"bench_train_step_{name}_")
        cfg = TrainConfig(
            dataset="captions",
            max_steps=args.steps,
            eval_split=None,
            output_dir=out,
            print_table=False,
            max_minutes=0.0,
            rollouts_per_step=0,
            seed=seed,
            **overrides,
        )
        times[name], tallies[name] = [], {"completions": 0, "cut": 0, "cut_before_box": 0}
        run = build_trainer(cfg, callbacks=[_callback(turnstile, name, times[name])])
        eos = run.policy.tokenizer.eos_token_id
        _cut_meter(run, cfg.max_completion_length, eos, tallies[name])
        runs[name], configs[name] = run, cfg
    warm = {}
    for name, run in runs.items():  # the warm start runs before timing (reported apart)
        if configs[name].warm_start_steps:
            warm[name] = run.warm_start()
    threads = [threading.Thread(target=run.trainer.train, name=n) for n, run in runs.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    result = {"machine": _machine(), "note": args.note, "steps": args.steps, "configs": {}}
    for name, cfg in configs.items():
        later = times[name][1:]
        tally = tallies[name]
        result["configs"][name] = {
            "settings": {
                k: getattr(cfg, k)
                for k in (
                    "finetune",
                    "dtype",
                    "prompt_style",
                    "one_shot",
                    "num_generations",
                    "prompts_per_step",
                    "max_completion_length",
                    "beta",
                    "gradient_checkpointing",
                    "warm_start_steps",
                )
            },
            "completions_per_step": cfg.num_generations * cfg.prompts_per_step,
            "first_step_s": times[name][0],
            "mean_step_s": statistics.mean(later),
            "median_step_s": statistics.median(later),
            "step_s": times[name],
            "cut_before_box": tally["cut_before_box"] / max(tally["completions"], 1),
            "cut": tally["cut"] / max(tally["completions"], 1),
            "completions": tally["completions"],
            "warm_start": warm.get(name),
        }
    before, after = result["configs"]["before"], result["configs"]["after"]
    result["speedup_mean"] = before["mean_step_s"] / after["mean_step_s"]
    result["speedup_median"] = before["median_step_s"] / after["median_step_s"]
    result["goal"] = ">= 4x cheaper per step at >= as many completions; < 10% cut before box"
    result["goal_met"] = (
        result["speedup_mean"] >= 4
        and after["completions_per_step"] >= before["completions_per_step"]
        and after["cut_before_box"] < 0.10
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{args.name}.json").write_text(json.dumps(result, indent=2))
    md = [
        f"# GRPO step cost, previous default vs new default ({result['machine']})",
        "",
        f"`python benchmarks/bench_train_step.py --steps {args.steps}`: both in one process,",
        "interleaved step by step, caption benchmark train split. " + args.note,
        "",
        "| | completions/step | first step s | mean s/step (later) | median s/step | "
        "cut before box |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in result["configs"].items():
        md.append(
            f"| {name} | {r['completions_per_step']} | {r['first_step_s']:.1f} | "
            f"{r['mean_step_s']:.1f} | {r['median_step_s']:.1f} | {r['cut_before_box']:.0%} |"
        )
    md += [
        "",
        f"Speed-up: **{result['speedup_mean']:.1f}x** (mean of later steps), "
        f"{result['speedup_median']:.1f}x (median). Goal (>= 4x, equal or more completions "
        f"per step, < 10% cut before the box): {'met' if result['goal_met'] else 'NOT met'}.",
    ]
    if warm.get("after"):
        md.append(
            f"The new default's format warm start ({warm['after']['steps']} supervised steps, "
            f"once per run) took {warm['after']['seconds']:.1f} s, not counted per step."
        )
    md += ["", "Settings:", ""]
    for name, r in result["configs"].items():
        md.append(f"* {name}: " + ", ".join(f"{k}={v}" for k, v in r["settings"].items()))
    (out / f"{args.name}.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
