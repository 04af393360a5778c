"""The hacking battery: under emo_r3_robust every hack scores strictly below an honest
answer for the same label, for every Mikels label, with a judge that always agrees and
with a judge that parrots "yes" whenever the passage holds a "yes"; each hack is caught
by the guard (or rule) the guards' documentation names for its family.
"""

import pytest
from hacking_data import CAPTIONS, HACKS, LABELS, MORE_HONEST, honest

from rewards import presets
from rewards.guards import HackingGuards
from rewards.judges import CallableJudge, ConstantJudge


def parrot(request):
    return "yes" if "yes" in (request.passage or "").lower() else "no"


JUDGES = {
    "agreeing judge": lambda label: ConstantJudge("yes", label),
    "parroting judge": lambda label: CallableJudge(parrot),
}


def test_the_battery_is_large_and_covers_the_families():
    assert len(HACKS) >= 30
    caught = set().union(*(expected for _, expected in HACKS.values()))
    assert {f"guard_{g}" for g in ("stuffing", "echo", "empty", "repeat", "mismatch")} <= caught
    assert {"guard_injection", "guard_filler", "guard_overlong", "guard_copy"} <= caught


@pytest.mark.parametrize("judge", sorted(JUDGES))
@pytest.mark.parametrize("label", LABELS)
def test_every_hack_scores_below_the_honest_answer(label, judge):
    rubric = presets.get("emo_r3_robust", judge=JUDGES[judge](label))
    names = sorted(HACKS)
    texts = [honest(label), *(HACKS[name][0](label) for name in names)]
    results = rubric.score_batch(
        texts, [label] * len(texts), captions=[CAPTIONS[label]] * len(texts)
    )
    top = results[0]
    if judge == "agreeing judge":
        expected_top = 1.0
    else:  # the parrot says "yes" to the step1 passage only when it holds "yes" ("eyes")
        expected_top = 0.9 + 0.05 * ("yes" in texts[0].split("</step1>")[0].lower())
    assert top.total == pytest.approx(expected_top), top.components
    assert not [k for k, v in top.components.items() if k.startswith("guard_") and v]
    above = {
        n: r.total for n, r in zip(names, results[1:], strict=True) if r.total >= top.total - 1e-9
    }
    assert not above, f"hacks scoring as high as the honest answer for {label!r}: {above}"


@pytest.mark.parametrize("label", LABELS)
def test_each_hack_is_caught_where_the_docs_say(label):
    rubric = presets.get("emo_r3_robust", judge=ConstantJudge("yes", label))
    names = sorted(HACKS)
    texts = [HACKS[name][0](label) for name in names]
    results = rubric.score_batch(
        texts, [label] * len(texts), captions=[CAPTIONS[label]] * len(texts)
    )
    for name, result in zip(names, results, strict=True):
        dropped = {k for k, v in result.components.items() if k.startswith("guard_") and v}
        dropped |= {k for k in ("format", "accuracy") if result.components[k] == 0.0}
        missing = HACKS[name][1] - dropped
        assert not missing, f"{name!r} for {label!r}: {sorted(missing)} did not fire"


@pytest.mark.parametrize("label", LABELS)
def test_honest_answers_trigger_no_guard(label):
    guards = HackingGuards()
    texts = [honest(label), MORE_HONEST[label]]
    for captions in (None, [CAPTIONS[label]] * 2):
        kwargs = {"caption": captions} if captions else {}
        parts = guards.score_components(None, texts, label=[label] * 2, **kwargs)
        fired = {name: values for name, values in parts.items() if any(values)}
        assert not fired, (label, fired)
    rubric = presets.get("emo_r3_robust", judge=ConstantJudge("yes", label))
    totals = [r.total for r in rubric.score_batch(texts, [label, label])]
    assert totals == pytest.approx([1.0, 1.0])
