"""``emo-r3 score``: score one response, or a JSONL of responses, and show why.

Examples::

    emo-r3 score --label awe "<step1>A vast canyon.</step1><step2>Wonder.</step2>\\
<step3>Positive, high arousal.</step3> \\boxed{awe}"
    emo-r3 score --preset emo_r3_robust --jsonl answers.jsonl --json

A JSONL line holds ``response`` and ``label`` (``label_set``, ``id``, ``caption`` and
``image``, a file path, optional: model presets such as ``emo_r3_offline`` read the
caption, CLIP presets the image). For
each response the breakdown shows every component's value, its weight and what it
adds to the total, the parsed answer, format problems and hacking-guard hits.
"""

from __future__ import annotations

import argparse
import json
import sys

from agents.cli.options import add_preset_arg, parse_preset_args
from rewards import presets
from rewards.errors import InvalidInputError
from rewards.prompts import TEMPLATES

__all__ = ["add_arguments", "explain", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("response", nargs="?", help="the response text ('-' reads stdin)")
    parser.add_argument("--label", help="gold label of the single response")
    parser.add_argument("--label-set", default="mikels8")
    parser.add_argument("--caption", help="image caption (for caption-based presets)")
    parser.add_argument("--image", help="image file (for CLIP-based presets)")
    parser.add_argument("--jsonl", help="JSONL with response, label[, label_set, id] per line")
    parser.add_argument("--preset", help="reward preset (default: the eval default by template)")
    add_preset_arg(parser)
    parser.add_argument(
        "--template",
        choices=tuple(TEMPLATES),
        help="answer format (default: think for grpo_baseline, else set)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object per response")


def explain(record: dict, weights: dict[str, float], unmeasured: set[str] = frozenset()) -> str:
    """The breakdown of one scored record as text (``unmeasured``: counted 1, not asked)."""
    lines = [
        f"id={record['id']}  gold={record['label']} ({record['label_set']})  "
        f"total={record['reward']:+.4f}  [{record['preset']}]",
        f"  answer={record['answer']!r}  correct={record['correct']}  "
        f"format_ok={record['format_ok']}",
    ]
    for name, value in record["components"].items():
        weight = weights.get(name, 0.0)
        shown = "None" if value is None else f"{value:.4f}"
        adds = "" if value is None else f"  -> {weight * value:+.4f}"
        why = "  (not asked: no judge, counts 1)" if name in unmeasured else ""
        lines.append(f"  {name:<18} {shown:>8}  x {weight:g}{adds}{why}")
    if record["malformed"]:
        lines.append(f"  malformed: {', '.join(record['malformed'])}")
    if record["guards"]:
        lines.append(f"  guard hits: {', '.join(record['guards'])}")
    return "\n".join(lines)


def _items(args: argparse.Namespace) -> list[dict]:
    if args.jsonl:
        if args.response:
            raise InvalidInputError("Give a response or --jsonl, not both.")
        from agents.common.jsonl import read_jsonl

        items = read_jsonl(args.jsonl, what="responses file")
        for i, item in enumerate(items, 1):
            if not isinstance(item.get("response"), str) or not isinstance(item.get("label"), str):
                raise InvalidInputError(
                    f"{args.jsonl!r} line {i}: each line needs 'response' and 'label' strings."
                )
        return [
            {
                "id": str(item.get("id", i)),
                "label": item["label"],
                "label_set": item.get("label_set", args.label_set),
                "response": item["response"],
                "caption": item.get("caption"),
                "image": item.get("image"),
            }
            for i, item in enumerate(items, 1)
        ]
    if args.response is None:
        raise InvalidInputError("Give a response (or '-' for stdin) or --jsonl FILE.")
    if not args.label:
        raise InvalidInputError("Scoring a response needs its gold label: --label LABEL.")
    text = sys.stdin.read() if args.response == "-" else args.response
    return [
        {
            "id": "1",
            "label": args.label,
            "label_set": args.label_set,
            "response": text,
            "caption": args.caption,
            "image": args.image,
        }
    ]


def run(args: argparse.Namespace) -> int:
    from agents.evaluation.scoring import build_rubric, measured_components, score_responses

    items = _items(args)
    template = args.template or ("think" if args.preset == presets.THINK_PRESET else "set")
    preset = args.preset or presets.default_preset("eval", template)
    rubric = build_rubric(preset, **parse_preset_args(args.preset_arg))
    images = [item["image"] for item in items]
    records = score_responses(
        items,
        [item["response"] for item in items],
        template=template,
        rubric=rubric,
        images=images if any(img is not None for img in images) else None,
    )
    for record in records:
        if args.json:
            print(json.dumps({k: v for k, v in record.items() if k != "prompt"}))
        else:
            unmeasured = set(rubric.names) - measured_components(rubric)
            print(explain(record, rubric.weights, unmeasured))
    return 0
