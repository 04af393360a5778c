"""Score responses into per-sample result records (the rows of ``results.jsonl``).

A record holds what the paper measures (exact-match accuracy of the last boxed label,
format) and what it does not (normalised accuracy, step3 affect agreement, hacking-guard
hits, the reflective verdicts when a judge or scorer ran), plus the chosen preset's
total and components, so a run can be summarised again without re-scoring.

Example:
    >>> from agents.evaluation.scoring import score_responses
    >>> sample = {"id": "1", "label": "fear", "label_set": "mikels8", "dataset": "demo"}
    >>> r = ("<step1>A storm at sea.</step1><step2>Scared.</step2>"
    ...      "<step3>Negative, high arousal.</step3> \\\\boxed{Fear}")
    >>> rec = score_responses([sample], [r])[0]
    >>> rec["correct"], rec["prediction"], rec["format_ok"], rec["affect"]
    (True, 'fear', True, 1.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rewards import presets
from rewards.errors import InvalidInputError
from rewards.guards import HackingGuards
from rewards.judges import KINDS
from rewards.labels import get_label_set
from rewards.parsing import get_parser
from rewards.prompts import template_format
from rewards.reflective import ReflectiveReward
from rewards.rubric import Rubric
from rewards.rules import affect_agreement

__all__ = ["REFLECTIVE", "build_rubric", "measured_components", "score_responses"]

REFLECTIVE = KINDS  # the components a judge answers


def build_rubric(preset: str | Rubric, judge: Any = None, **options: Any) -> Rubric:
    """A rubric from a preset name, judge and options (:func:`rewards.presets.build`),
    or the Rubric given."""
    if isinstance(preset, Rubric):
        if judge is not None or options:
            extra = "judge" if judge is not None else "preset options"
            raise InvalidInputError(f"Give the {extra} to the Rubric itself, not beside it.")
        return preset
    return presets.build(preset, judge=judge, **options)


def measured_components(rubric: Rubric) -> set[str]:
    """Components whose values were measured (not the constant 1 of an absent judge)."""
    unmeasured = {
        name
        for f in rubric.funcs
        if isinstance(f, ReflectiveReward) and f.judge is None
        for name in f.components
    }
    return set(rubric.names) - unmeasured


def prediction(answer: str | None, label_set) -> str | None:
    """The label the box names by exact (lower-cased) match, as the paper counts it."""
    if answer is None:
        return None
    lowered = answer.lower()
    return lowered if lowered in label_set else None


def score_responses(
    samples: Sequence[dict[str, Any]],
    responses: Sequence[str],
    *,
    template: str = "set",
    rubric: str | Rubric | None = None,
    judge: Any = None,
    images: Sequence[Any] | None = None,
) -> list[dict[str, Any]]:
    """One result record per (sample, response).

    Args:
        samples: dicts with ``id``, ``label``, ``label_set`` and optionally ``dataset``,
            ``prompt`` and ``caption`` (passed to the rubric for caption scorers).
        responses: the policy's responses, one per sample.
        template: the prompt template (``"set"``, ``"reference"`` or ``"think"``); its
            answer format picks the parser.
        rubric: a preset name or a Rubric (default ``emo_r3_reference`` for SET,
            ``grpo_baseline`` for think).
        judge: the reflective judge passed to the preset (None: not asked).
        images: one image per sample for the judge or a CLIP scorer (optional).

    Raises:
        InvalidInputError: mismatched lengths, a sample without id or label.
    """
    if len(samples) != len(responses):
        raise InvalidInputError(
            f"Got {len(responses)} responses for {len(samples)} samples; pass one each."
        )
    if not samples:
        return []
    parser = get_parser(template_format(template))
    if rubric is None:
        rubric = presets.default_preset("eval", template)
    rubric = build_rubric(rubric, judge)
    measured = measured_components(rubric)
    for i, sample in enumerate(samples):
        for key in ("id", "label", "label_set"):
            if sample.get(key) is None:
                raise InvalidInputError(f"Sample {i} has no {key!r}: every sample needs one.")
    labels = [str(s["label"]) for s in samples]
    sets = [str(s["label_set"]) for s in samples]
    columns = {}
    if any("caption" in sample for sample in samples):  # caption-based consistency scorers
        columns["caption"] = [sample.get("caption") for sample in samples]
    scores = rubric.score_batch(list(responses), labels, images, label_set=sets, **columns)
    guards = HackingGuards(parser, sets[0]).score_components(None, list(responses), label_set=sets)
    records = []
    for i, (sample, text, score) in enumerate(zip(samples, responses, scores, strict=True)):
        label_set = get_label_set(sets[i])
        parsed = parser.parse(text)
        answer = parsed.answer
        normalized = label_set.normalize(answer) if answer is not None else None
        components = score.components
        records.append(
            {
                "id": str(sample["id"]),
                "dataset": str(sample.get("dataset") or ""),
                "label_set": label_set.id,
                "label": labels[i],
                "prompt": sample.get("prompt"),
                "response": text,
                "template": parser.name,
                "answer": answer,
                "prediction": prediction(answer, label_set),
                "correct": parsed.reference_answer.lower() == labels[i].lower(),
                "correct_normalized": normalized is not None
                and normalized == label_set.normalize(labels[i]),
                "format_ok": parsed.format_ok,
                "malformed": list(parsed.malformed),
                "affect": affect_agreement(parsed.steps[2], answer, label_set)
                if "step3" in parser.tags
                else None,
                "guards": [name for name, values in guards.items() if values[i] < 0],
                "consistency": components.get("consistency") if "consistency" in measured else None,
                "coherence": components.get("coherence") if "coherence" in measured else None,
                "preset": rubric.__name__,
                "reward": score.total,
                "components": components,
            }
        )
    return records
