"""No input string makes any reward raise or leave its documented range."""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rewards import presets
from rewards.guards import HackingGuards
from rewards.judges import CallableJudge
from rewards.rules import AccuracyReward, AffectReward, FormatReward

PIECES = st.sampled_from(
    [
        "<step1>",
        "</step1>",
        "<step2>",
        "</step2>",
        "<step3>",
        "</step3>",
        "<think>",
        "</think>",
        "\\boxed{",
        "}",
        "{",
        " ",
        "\n",
        "/",
        "<",
        ">",
        "fear",
        "awe",
        "positive",
        "high arousal",
        "not",
        "情感",
        "😊",
        "\\text{",
        "None",
        "yes",
        "no",
    ]
)
TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(PIECES, st.text(alphabet=string.printable, max_size=8)), max_size=40).map(
        "".join
    ),
)
LABEL = st.sampled_from(
    ["amusement", "anger", "awe", "contentment", "disgust", "excitement", "fear", "sadness"]
)
ANSWER = st.one_of(st.none(), st.text(max_size=20), st.sampled_from(["yes", "No.", "fear", ""]))
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


def in_range(values, lo, hi):
    return all(v is None or lo - 1e-9 <= v <= hi + 1e-9 for v in values)


@FUZZ
@given(texts=st.lists(TEXT, min_size=1, max_size=4), data=st.data())
def test_rule_rewards_stay_in_range(texts, data):
    labels = data.draw(st.lists(LABEL, min_size=len(texts), max_size=len(texts)))
    for reward in (
        FormatReward(),
        FormatReward("think"),
        AccuracyReward(),
        AccuracyReward(match="normalized"),
        AffectReward(),
    ):
        values = reward(None, texts, label=labels)
        assert len(values) == len(texts) and in_range(values, 0.0, 1.0)
        assert all(v in (0.0, 0.5, 1.0) for v in values)
    parts = HackingGuards().score_components(None, texts)
    for values in parts.values():
        assert all(v in (-1.0, 0.0) for v in values)


@FUZZ
@given(texts=st.lists(TEXT, min_size=1, max_size=4), answer=ANSWER, data=st.data())
def test_presets_stay_in_range(texts, answer, data):
    labels = data.draw(st.lists(LABEL, min_size=len(texts), max_size=len(texts)))
    judge = CallableJudge(lambda request: answer)
    for name in ("emo_r3_reference", "emo_r3_paper", "emo_r3_robust", "grpo_baseline"):
        kw = {} if name == "grpo_baseline" else {"judge": judge}
        rubric = presets.get(name, **kw)
        lo, hi = rubric.value_range
        results = rubric.score_batch(texts, labels)
        assert in_range([r.total for r in results], lo, hi)
        for r in results:
            assert all(isinstance(v, float) for v in r.components.values())
