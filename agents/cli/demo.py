"""``emo-r3 demo``: score a handful of SET responses with the rule presets and print them.

The presets that ask reflective questions get a constant judge (consistency "Yes.",
coherence unanswered); ``--preset NAME`` (repeatable) picks others.
"""

from __future__ import annotations

import argparse

from rewards import presets
from rewards.judges import ConstantJudge

__all__ = ["DEMO", "add_arguments", "run"]

DEMO = [
    (
        "well-formed, right label",
        "awe",
        "<step1>A vast mountain range under a clear sky.</step1>\n<step2>A person would feel "
        "small and full of wonder.</step2>\n<step3>Positive, high arousal.</step3>\n\\boxed{awe}",
    ),
    (
        "well-formed, wrong label",
        "awe",
        "<step1>A vast mountain range.</step1><step2>It looks calm and quiet to me.</step2>"
        "<step3>Positive, low arousal.</step3> \\boxed{contentment}",
    ),
    (
        "spaced tags",
        "fear",
        "< step1 > A dark alley at night. < / step1 > < step2 > One would feel uneasy. "
        "< / step2 > < step3 > Negative, high arousal. < / step3 > \\boxed{ Fear }",
    ),
    ("no structure", "sadness", "The picture is sad. \\boxed{sadness}"),
    (
        "label list in the box",
        "anger",
        "<step1>A crowd.</step1><step2>unclear</step2><step3>negative</step3>"
        "\\boxed{anger, fear, sadness}",
    ),
    (
        "think format",
        "amusement",
        "<think>A clown juggles for laughing kids.</think> \\boxed{amusement}",
    ),
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", action="append", help="preset(s) to show (default: all)")


def run(args: argparse.Namespace) -> int:
    judge = ConstantJudge(consistency="Yes.", coherence=None)
    names = args.preset or list(presets.RULE_PRESETS)
    for name in names:
        rubric = presets.build(name, judge=judge if presets.takes_judge(name) else None)
        print(f"\n=== {name}: {rubric!r}")
        results = rubric.score_batch([r for _, _, r in DEMO], [lbl for _, lbl, _ in DEMO])
        for (title, label, _), res in zip(DEMO, results, strict=True):
            parts = ", ".join(
                f"{k}={v:g}" for k, v in res.components.items() if v is not None and v != 0.0
            )
            print(f"  {title:<28} gold={label:<10} total={res.total:+.3f}  [{parts}]")
    return 0
