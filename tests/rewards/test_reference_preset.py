"""The reference preset against a literal transcription of the reference scorer.

A seeded corpus of 600 responses (well-formed, spaced tags, missing and reordered steps,
several/nested/unclosed boxes, unicode, empty) with judge answers drawn from a pool of
awkward verdicts; every component, the total and the judge prompts must agree exactly.
"""

import random

import pytest
from reference_oracle import prompts as oracle_prompts
from reference_oracle import score as oracle_score
from tests_support import RecordingJudge

from rewards import presets
from rewards.labels import get_label_set

MIKELS = get_label_set("mikels8").names
STEP_TEXT = ["A dog runs.", " spaced  text ", "", "émotion 情感 😊", "a/b < c", "line\nbreak"]
OPEN = ["<{t}>", "< {t} >", "<{t} >", "\n<{t}>\n"]
CLOSE = ["</{t}>", "< / {t} >", "</ {t}>", ""]
BOXES = [
    "\\boxed{{{x}}}",
    "\\boxed{{ {x} }}",
    "\\boxed{{{x}",
    "\\boxed{{\\text{{{x}}}}}",
    "{x}",
    "\\boxed{{{x}}} \\boxed{{{y}}}",
    "\\boxed{{{{{x}}}}}",
    "\\boxed{{{X}}}",
]
VERDICTS = [
    None,
    "",
    "None",
    "none",
    "yes",
    "Yes.",
    "No",
    "no.",
    "maybe",
    "I know",
    "Eyes",
    *MIKELS,
    "Fear",
    " fear",
    "fear.",
]


def make_response(rng: random.Random) -> str:
    order = ["step1", "step2", "step3"]
    if rng.random() < 0.1:
        rng.shuffle(order)
    if rng.random() < 0.1:
        order.pop(rng.randrange(3))
    parts = []
    for tag in order:
        parts.append(
            rng.choice(OPEN).format(t=tag) + rng.choice(STEP_TEXT) + rng.choice(CLOSE).format(t=tag)
        )
    x, y = rng.choice(MIKELS), rng.choice(MIKELS)
    box = rng.choice(BOXES).format(x=x, y=y, X=x.upper())
    text = rng.choice(["", "Answer: ", "\n"]).join(parts) + rng.choice([" ", "\n", ""]) + box
    if rng.random() < 0.05:
        text = ""
    if rng.random() < 0.05:
        text = text + " trailing text"
    return text


def corpus(n=600, seed=20260226):
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        rows.append(
            (make_response(rng), rng.choice(MIKELS), rng.choice(VERDICTS), rng.choice(VERDICTS))
        )
    return rows


ROWS = corpus()


def test_corpus_is_varied():
    from rewards.parsing import get_parser

    parsed = [get_parser("set").parse(r) for r, *_ in ROWS]
    assert 100 < sum(p.format_ok for p in parsed) < 550
    assert sum(p.answer is None for p in parsed) > 30
    assert sum(p.consistency_passage is None for p in parsed) > 30


@pytest.mark.parametrize("with_judge", [True, False])
def test_reference_preset_matches_oracle(with_judge):
    answers = {}
    for i, (_, _, cons, coh) in enumerate(ROWS):
        answers[("consistency", i)] = cons if with_judge else None
        answers[("coherence", i)] = coh if with_judge else None
    judge = RecordingJudge(answers) if with_judge else None
    rubric = presets.get("emo_r3_reference", judge=judge)
    results = rubric.score_batch([r for r, *_ in ROWS], [lbl for _, lbl, *_ in ROWS])
    for i, ((response, label, cons, coh), res) in enumerate(zip(ROWS, results, strict=True)):
        expected = oracle_score(
            response, label, cons if with_judge else None, coh if with_judge else None
        )
        got = {**res.components, "total": res.total}
        assert got == pytest.approx(expected, abs=1e-12), (i, response)
    if with_judge:
        assert judge.calls == 1
        for i, (response, *_) in enumerate(ROWS):
            cons_prompt, coh_prompt = oracle_prompts(response, MIKELS)
            assert judge.prompts[("consistency", i)] == cons_prompt
            assert judge.prompts[("coherence", i)] == coh_prompt


def test_grpo_baseline_matches_the_think_oracle():
    from reference_oracle import score_think

    rows = [(r.replace("step1", "think"), lbl) for r, lbl, *_ in ROWS]
    rows += [(f"<think>{r}</think> {r[-14:]}", lbl) for r, lbl, *_ in ROWS[:200]]
    results = presets.get("grpo_baseline").score_batch([r for r, _ in rows], [x for _, x in rows])
    assert sum(res.components["format"] for res in results) > 50
    for (response, label), res in zip(rows, results, strict=True):
        got = {**res.components, "total": res.total}
        assert got == pytest.approx(score_think(response, label), abs=1e-12), response
