"""Every rule preset scores adversarial responses in time linear in their length.

A policy stuck repeating a tag, or any text sent to a reward server, must not stall
scoring. Each adversarial family is built at 256 KiB and at 1 MiB; each preset (with
and without a judge that answers) scores both, and the time at 4x the size must stay
within 8x the time at 1x (linear work gives ~4x, quadratic work 16x). The bound is a
ratio of CPU times measured in one process, so it holds on any machine; each pair is
re-measured (best of up to six tries) before it is judged, and 1 ms of slack absorbs
timer noise on the smallest timings. No wall-clock limit is asserted.
"""

import gc
import itertools
import math
import time

import pytest

from rewards import presets
from rewards.judges import ConstantJudge

SMALL, LARGE = 256 * 1024, 1024 * 1024
BOUND, SLACK, TRIES = 8.0, 1e-3, 6
BLOCK = (
    "<step1>a dog runs in the park</step1><step2>people feel happy</step2>"
    "<step3>positive, high arousal</step3>"
)
GOOD_HEAD = "<step1>a storm at sea</step1><step2>fear</step2><step3>negative, high</step3>"


def _rep(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


FAMILIES = {
    "repeated open tags": lambda n: _rep("<step1>", n),
    "alternating open/close tags": lambda n: _rep("<step1>a</step2>", n),
    "SET skeleton without a box": lambda n: (
        "<step1>" + _rep("</step1><step2></step2><step3></step3>", n)
    ),
    "ordinary SET block repeated, no box": lambda n: _rep(BLOCK, n),
    "nested braces, unclosed": lambda n: GOOD_HEAD + "\\boxed{" + "{" * n,
    "nested braces, closed": lambda n: (
        GOOD_HEAD + "\\boxed{" + "{" * (n // 2) + "fear" + "}" * (n // 2 + 1)
    ),
    "many boxes": lambda n: _rep("\\boxed{a}", n),
    "repeated <think>": lambda n: _rep("<think>", n),
    "whitespace and slashes around tags": lambda n: _rep(" < / step1 >\t/ \n<  step2 >  ", n),
    "whitespace run then x": lambda n: " " * n + "x",
    "whitespace inside a tag": lambda n: "<" + " " * (n // 2) + "step1" + " " * (n // 2) + ">",
    "huge box content": lambda n: GOOD_HEAD + "\\boxed{" + _rep("fear scared awe ", n) + "}",
    "stuffed steps": lambda n: (
        "<step1>"
        + _rep("fear ", n // 3)
        + "</step1><step2>"
        + _rep("not positive, high arousal ", n // 3)
        + "</step2><step3>"
        + _rep("negative low arousal ", n // 3)
        + "</step3>\\boxed{fear}"
    ),
}
CONFIGS = [
    (name, judged)
    for name in ("emo_r3_reference", "emo_r3_paper", "grpo_baseline", "emo_r3_robust")
    for judged in ((False, True) if name != "grpo_baseline" else (False,))
]
_distinct = itertools.count()


def _rubric(name: str, judged: bool):
    if name == "grpo_baseline":
        return presets.get(name)
    return presets.get(name, judge=ConstantJudge("yes", "fear") if judged else None)


def _time_once(rubric, make, size: int) -> float:
    text = make(size) + f" #{next(_distinct)}"  # distinct text: no memo hit
    start = time.process_time()  # CPU time of this process: other jobs do not count
    result = rubric.score_batch([text], ["fear"])[0]
    elapsed = time.process_time() - start
    lo, hi = rubric.value_range
    assert math.isfinite(result.total) and lo - 1e-9 <= result.total <= hi + 1e-9
    return elapsed


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_presets_score_adversarial_inputs_in_linear_time(family):
    make = FAMILIES[family]
    assert len(make(LARGE)) >= 0.9 * LARGE
    failures = []
    gc.disable()
    try:
        for name, judged in CONFIGS:
            rubric = _rubric(name, judged)
            small = large = math.inf
            for _ in range(TRIES):
                small = min(small, _time_once(rubric, make, SMALL))
                large = min(large, _time_once(rubric, make, LARGE))
                if large <= BOUND * small + SLACK:
                    break
            else:
                failures.append(f"{name} (judge={judged}): {small:.4f}s -> {large:.4f}s")
    finally:
        gc.enable()
    assert not failures, f"{family}: time grows faster than linear: {failures}"
