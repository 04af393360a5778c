"""Held-out evaluation of the policy being trained: every test prompt, scored by the rubric.

:class:`HeldOutEval` generates one completion per held-out prompt (greedy by default,
so accuracy on the split is not blurred by sampling), with the same prompts and the
same completion limit as training, scores them with the run's rubric, and returns a
metrics record (``split: "eval"``) with the keys of the training records.
:class:`EvalEvery` runs it every ``K`` optimiser steps from inside the TRL trainer.

Example:
    >>> from agents.trl.heldout import summarise
    >>> summarise([1.0, 0.1], {"accuracy": [1.0, 0.0], "format": [1.0, 1.0]}, [40, 64], 64)[
    ...     "accuracy"
    ... ]
    0.5
"""

from __future__ import annotations

import time
from typing import Any

from transformers import TrainerCallback

from rewards.rubric import Rubric

__all__ = ["EvalEvery", "HeldOutEval", "summarise"]

_COLUMNS = ("label", "label_set", "caption", "source_image", "image")


def _mean(values: list) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def summarise(
    totals: list[float], parts: dict[str, list], lengths: list[int], limit: int
) -> dict[str, Any]:
    """A metrics record from per-sample totals, components and completion lengths."""
    comps = {name: _mean(values) for name, values in parts.items()}
    return {
        "split": "eval",
        "reward": _mean(totals),
        "reward_std": _std(totals),
        "components": comps,
        "accuracy": comps.get("accuracy"),
        "format_rate": comps.get("format"),
        "consistency": comps.get("consistency"),
        "coherence": comps.get("coherence"),
        "completion_length": _mean(lengths),
        "clipped_ratio": _mean([float(n >= limit) for n in lengths]),
        "n": len(totals),
    }


def _std(values: list[float]) -> float | None:
    if len(values) < 2:
        return None
    mean = sum(values) / len(values)
    return (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5


def _answer_counts(texts: list[str]) -> dict[str, int]:
    """How often each boxed answer (lower-cased) was given; ``None``: no closed box."""
    from rewards.parsing import get_parser

    parser = get_parser("set")
    counts: dict[str, int] = {}
    for text in texts:
        answer = parser.parse(text).answer
        key = "None" if answer is None else answer.lower()
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


class HeldOutEval:
    """Generate and score one completion per held-out prompt.

    Args:
        model: the policy model (evaluated in place, no gradient).
        tokenizer: its tokenizer (left padding, chat template).
        dataset: a prompt dataset from :func:`agents.trl.data.prompt_dataset`.
        rubric: the run's rubric.
        max_new_tokens: completion limit (the training one).
        temperature: 0 for greedy decoding, else the sampling temperature.
        batch_size: prompts generated at once.
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        dataset: Any,
        rubric: Rubric,
        *,
        max_new_tokens: int,
        temperature: float = 0.0,
        batch_size: int = 64,
    ):
        self.model, self.tokenizer, self.rubric = model, tokenizer, rubric
        self.max_new_tokens, self.temperature = max_new_tokens, temperature
        self.batch_size = batch_size
        self.prompts = [
            tokenizer.apply_chat_template(p, tokenize=False, add_generation_prompt=True)
            for p in dataset["prompt"]
        ]
        self.questions = [p[-1]["content"] for p in dataset["prompt"]]
        self.columns = {c: list(dataset[c]) for c in _COLUMNS if c in dataset.column_names}
        if "source_image" in self.columns and "image" not in self.columns:
            self.columns["image"] = self.columns.pop("source_image")
        self.last: dict[str, Any] | None = None

    def generate(self) -> tuple[list[str], list[int]]:
        """Completions (text) and their lengths in tokens (end-of-turn token included)."""
        import torch

        texts, lengths = [], []
        eos = self.tokenizer.eos_token_id
        device = next(self.model.parameters()).device
        was_training = self.model.training
        self.model.eval()
        sample = self.temperature > 0
        options = {"do_sample": sample, "max_new_tokens": self.max_new_tokens}
        if sample:
            options.update(temperature=self.temperature, top_p=1.0, top_k=0)
        else:
            options.update(temperature=None, top_p=None, top_k=None)
        try:
            for start in range(0, len(self.prompts), self.batch_size):
                chunk = self.prompts[start : start + self.batch_size]
                enc = self.tokenizer(
                    chunk, return_tensors="pt", padding=True, add_special_tokens=False
                ).to(device)
                with torch.no_grad():
                    out = self.model.generate(
                        **enc, pad_token_id=self.tokenizer.pad_token_id, **options
                    )
                for row in out[:, enc["input_ids"].shape[1] :].tolist():
                    n = row.index(eos) + 1 if eos in row else len(row)
                    lengths.append(n)
                    texts.append(self.tokenizer.decode(row[:n], skip_special_tokens=True))
        finally:
            self.model.train(was_training)
        return texts, lengths

    def __call__(self, step: int) -> dict[str, Any]:
        """Evaluate now; returns the record (also kept as :attr:`last`)."""
        start = time.perf_counter()
        texts, lengths = self.generate()
        columns = dict(self.columns)
        labels = columns.pop("label", None)
        label_set = columns.pop("label_set", "mikels8")
        results = self.rubric.score_batch(
            texts, labels=labels, label_set=label_set, prompts=self.prompts, **columns
        )
        parts = {name: [r.components.get(name) for r in results] for name in self.rubric.names}
        record = summarise([r.total for r in results], parts, lengths, self.max_new_tokens)
        record["step"] = step
        record["answers"] = _answer_counts(texts)
        record["eval_seconds"] = time.perf_counter() - start
        self.last = record
        labels = labels or [None] * len(texts)
        self.samples = [
            {
                "prompt": q,
                "completion": t,
                "label": lab,
                "reward": r.total,
                "components": r.components,
            }
            for q, t, lab, r in zip(self.questions, texts, labels, results, strict=True)
        ]
        return record


class EvalEvery(TrainerCallback):
    """Run a :class:`HeldOutEval` every ``steps`` optimiser steps and hand the record on.

    Args:
        evaluate: the held-out evaluation.
        steps: evaluate after every this many steps (0: never during training).
        sink: called as ``sink(record, samples=...)`` (the recorder's ``log_record``).
    """

    def __init__(self, evaluate: HeldOutEval, steps: int, sink: Any):
        self.evaluate, self.steps, self.sink = evaluate, steps, sink

    def on_step_end(self, args, state, control, **kwargs):
        due = self.steps and state.global_step % self.steps == 0
        # the final evaluation follows training: none here at the last step
        last = control.should_training_stop or state.global_step >= state.max_steps
        if due and not last:
            record = self.evaluate(state.global_step)
            self.sink(record, samples=self.evaluate.samples)
        return control
