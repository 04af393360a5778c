"""Format warm start: a few supervised steps on generic worked SET examples before GRPO.

A 135M-parameter policy almost never answers in the SET format (three tagged steps and
a ``\\boxed{}`` label) on its own, so every GRPO group starts with zero reward variance.
The warm start fine-tunes the trainable weights (the LoRA adapters, or the whole model)
for a few steps on :data:`agents.trl.worked_examples.WORKED_EXAMPLES`, written for this
project and never taken from a benchmark, with the same prompt the run trains and
evaluates with. The loss covers the answer and its end-of-turn token only, so the
policy learns to write the format and to stop.

Example:
    >>> from agents.trl.warmstart import warm_start_examples
    >>> rows = warm_start_examples("compact")
    >>> len(rows), rows[0][-1]["role"]
    (40, 'assistant')
"""

from __future__ import annotations

import random
import time
from typing import Any

from agents.trl.data import prompt_messages
from agents.trl.worked_examples import WORKED_EXAMPLES, answer_text
from rewards.errors import InvalidInputError

__all__ = ["warm_start", "warm_start_examples"]


def warm_start_examples(style: str, label_set: str = "mikels8") -> list[list[dict[str, str]]]:
    """The worked examples as conversations (prompt turns, then the assistant's answer)."""
    return [
        [
            *prompt_messages(label_set, example[0], style=style),
            {"role": "assistant", "content": answer_text(example)},
        ]
        for example in WORKED_EXAMPLES
    ]


def _encode(tokenizer: Any, conversation: list[dict[str, str]]) -> tuple[list[int], int]:
    """Token ids of the whole exchange and the length of its prompt part."""
    prompt = tokenizer.apply_chat_template(
        conversation[:-1], tokenize=False, add_generation_prompt=True
    )
    full = tokenizer.apply_chat_template(conversation, tokenize=False)
    eos = tokenizer.eos_token or ""
    if eos and eos in full[len(prompt) :]:  # keep up to the end-of-turn token, no trailer
        full = full[: full.index(eos, len(prompt)) + len(eos)]
    ids = tokenizer(full, add_special_tokens=False)["input_ids"]
    n_prompt = len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
    return ids, n_prompt


def warm_start(
    model: Any,
    tokenizer: Any,
    *,
    steps: int,
    learning_rate: float,
    batch_size: int = 8,
    style: str = "compact",
    label_set: str = "mikels8",
    seed: int = 0,
) -> dict[str, Any]:
    """Supervised steps on the worked examples; the model's trainable weights change.

    Args:
        model: the policy model (a ``peft`` model trains only its adapters).
        tokenizer: its tokenizer (with a chat template).
        steps: optimiser steps (0: nothing happens).
        learning_rate: AdamW learning rate.
        batch_size: examples per step.
        style: prompt style of the run (:data:`agents.trl.data.PROMPT_STYLES`).
        label_set: label set of the options shown.
        seed: shuffling seed.

    Returns:
        ``{"steps", "examples", "seconds", "first_loss", "last_loss"}``.
    """
    import torch

    if not isinstance(steps, int) or steps < 0:
        raise InvalidInputError(f"warm start steps must be an integer >= 0; got {steps!r}.")
    if steps and not learning_rate > 0:
        raise InvalidInputError(f"warm start learning rate must be > 0; got {learning_rate!r}.")
    rows = [_encode(tokenizer, c) for c in warm_start_examples(style, label_set)]
    report = {"steps": steps, "examples": len(rows), "seconds": 0.0}
    report.update(first_loss=None, last_loss=None)
    if not steps:
        return report
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise InvalidInputError("The model has no trainable parameters to warm-start.")
    optimizer = torch.optim.AdamW(params, lr=learning_rate, weight_decay=0.0)
    rng = random.Random(seed)
    order: list[int] = []
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    device = next(model.parameters()).device
    was_training = model.training
    model.train()
    start = time.perf_counter()
    losses = []
    for _ in range(steps):
        if len(order) < batch_size:
            fresh = list(range(len(rows)))
            rng.shuffle(fresh)
            order += fresh
        batch = [rows[i] for i in order[:batch_size]]
        del order[:batch_size]
        width = max(len(ids) for ids, _ in batch)
        input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
        labels = torch.full((len(batch), width), -100, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, (ids, n_prompt) in enumerate(batch):
            input_ids[row, : len(ids)] = torch.tensor(ids)
            labels[row, n_prompt : len(ids)] = torch.tensor(ids[n_prompt:])
            mask[row, : len(ids)] = 1
        out = model(
            input_ids=input_ids.to(device), attention_mask=mask.to(device), labels=labels.to(device)
        )
        out.loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(float(out.loss.detach()))
    model.train(was_training)
    report.update(seconds=time.perf_counter() - start, first_loss=losses[0], last_loss=losses[-1])
    return report
