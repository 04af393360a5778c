import pytest

from rewards.errors import InvalidInputError
from rewards.guards import HackingGuards

OK = (
    "<step1>A crowd cheers at a concert.</step1><step2>People would feel thrilled.</step2>"
    "<step3>Positive with high arousal.</step3> \\boxed{excitement}"
)


def flags(text, **kw):
    out = HackingGuards(**kw).score_components(None, [text])
    return {k: v[0] for k, v in out.items() if v[0] != 0.0}


def test_clean_response_triggers_nothing():
    assert flags(OK) == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "<step1>what in the scene could trigger emotion (action, face, environment)</step1>"
            "<step2>People would feel thrilled.</step2><step3>Positive with high arousal.</step3>"
            "\\boxed{excitement}",
            {"guard_echo": -1.0},
        ),
        (
            "<step1>A crowd cheers at a concert.</step1><step2>how a human would feel about it"
            "</step2><step3>Positive with high arousal.</step3>\\boxed{excitement}",
            {"guard_echo": -1.0},
        ),
        (
            "<step1>A crowd cheers at a concert.</step1><step2>thrilled</step2>"
            "<step3>Positive with high arousal.</step3>\\boxed{excitement}",
            {"guard_empty": -1.0},
        ),
        (OK.replace("\\boxed{excitement}", "\\boxed{excitement, awe}"), {"guard_multilabel": -1.0}),
        (
            OK.replace("\\boxed{excitement}", "\\boxed{amusement, anger, awe, contentment}"),
            {"guard_multilabel": -1.0},
        ),
        (OK + " \\boxed{excitement}", {"guard_repeat": -1.0}),
        (OK + OK, {"guard_repeat": -1.0}),
        (OK.replace("concert.", "concert. " + "loud " * 400), {"guard_overlong": -1.0}),
        ("", {"guard_empty": -1.0}),
    ],
)
def test_each_guard(text, expected):
    assert flags(text) == expected


def test_step3_answer_is_not_an_echo_of_its_template():
    assert flags(OK.replace("Positive with high arousal.", "Positive, high arousal.")) == {}


def test_thresholds_are_configurable():
    text = OK.replace("People would feel thrilled.", "Thrilled.")
    assert flags(text) == {"guard_empty": -1.0}
    assert flags(text, min_step_words=1) == {}
    assert flags(OK, max_words=10) == {"guard_overlong": -1.0}


def test_invalid_settings():
    with pytest.raises(InvalidInputError):
        HackingGuards(max_words=0)
    with pytest.raises(InvalidInputError):
        HackingGuards(echo_overlap=1.5)


def _naive_echo(step: str, template: str, limit: float) -> bool:
    from difflib import SequenceMatcher

    words, ref = step.lower().split(), template.lower().split()
    if " ".join(ref) in " ".join(words):
        return True
    return SequenceMatcher(None, words, ref, autojunk=False).ratio() >= limit


def test_echo_shortcuts_agree_with_the_plain_ratio():
    import random

    from rewards.guards import SET_STEP_TEMPLATES

    rng = random.Random(7)
    template = "how a human would feel about it"
    vocab = [*template.split(), "sad", "people", "would", "smile"]
    guards = HackingGuards(templates=("", template, ""))
    hits = 0
    for _ in range(2000):
        words = template.split()
        for _ in range(rng.randint(0, 5)):  # random edits of the template
            op, i = rng.choice("dri"), rng.randrange(len(words) + 1)
            if op == "d" and i < len(words) and len(words) > 1:
                del words[i]
            elif op == "r" and i < len(words):
                words[i] = rng.choice(vocab)
            else:
                words.insert(i, rng.choice(vocab))
        step = " ".join(words)
        expected = _naive_echo(step, template, 0.8)
        hits += expected
        assert guards._echo((None, step, None)) == expected, step
    assert 100 < hits < 1900  # both outcomes are exercised
    assert SET_STEP_TEMPLATES[1] == template
