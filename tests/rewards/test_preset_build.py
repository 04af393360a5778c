"""``rewards.presets.build``: one way to build a rubric, one judge resolution, defaults."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rewards import presets
from rewards.errors import InvalidInputError, UnknownNameError
from rewards.judges import ConstantJudge
from rewards.registry import PRESETS, SPECS, PresetSpec, register
from rewards.rubric import Rubric
from rewards.rules import FormatReward

GOOD = "<step1>A storm.</step1><step2>Scared.</step2><step3>Negative.</step3> \\boxed{fear}"
JUDGE = ConstantJudge("No.", "awe")
ASKERS = {"emo_r3_reference", "emo_r3_paper", "emo_r3_robust"}


@pytest.mark.parametrize("name", presets.names())
def test_every_preset_accepts_judge_none(name):
    assert isinstance(presets.build(name, judge=None), Rubric)
    assert isinstance(presets.get(name, judge=None), Rubric)  # the old spelling too
    assert presets.takes_judge(name) == (name in ASKERS)


@pytest.mark.parametrize("name", sorted(ASKERS))
def test_a_judge_reaches_the_reflective_components(name):
    rubric = presets.build(name, judge=JUDGE)
    parts = rubric.score_batch([GOOD], ["fear"])[0].components
    assert (parts["consistency"], parts["coherence"]) == (0.0, 0.0)  # "No." and "awe"


@pytest.mark.parametrize("name", ["grpo_baseline", "emo_r3_offline", "emo_r3_clip"])
@pytest.mark.parametrize("judge", [JUDGE, "policy", True])
def test_presets_asking_nothing_refuse_a_judge_naming_those_that_take_one(name, judge):
    with pytest.raises(InvalidInputError) as err:
        presets.build(name, judge=judge)
    message = str(err.value)
    assert f"Preset {name!r} asks no reflective questions" in message
    assert message.endswith(
        "Presets that take a judge: emo_r3_reference, emo_r3_paper, emo_r3_robust."
    )


@pytest.mark.parametrize("form", [None, False, "none", "None", "preset"])
def test_every_form_of_no_judge_resolves_to_none(form):
    assert presets.resolve_judge(form) is None
    assert presets.build("grpo_baseline", judge=form).weights == {"accuracy": 0.9, "format": 0.1}
    paper = presets.build("emo_r3_paper", judge=form)
    assert paper.score_batch([GOOD], ["fear"])[0].total == pytest.approx(1.0)  # counts 1


def test_policy_modes_call_the_policy_factory():
    asked = []

    def make():
        asked.append(1)
        return JUDGE

    assert presets.resolve_judge("policy", policy=make) is JUDGE
    assert presets.resolve_judge("self", policy=make) is JUDGE
    assert presets.resolve_judge(True, policy=make) is JUDGE
    assert presets.resolve_judge(JUDGE, policy=make) is JUDGE  # a callable is kept
    assert len(asked) == 3


def test_judge_errors_name_the_fix():
    with pytest.raises(UnknownNameError, match="Did you mean 'policy'"):
        presets.resolve_judge("polcy")
    with pytest.raises(InvalidInputError, match="there is none here"):
        presets.build("emo_r3_paper", judge="policy")
    with pytest.raises(InvalidInputError, match="judge must be None, a mode"):
        presets.resolve_judge(3)


def test_options_and_label_set_reach_the_builder():
    rubric = presets.build("emo_r3_paper", label_set="emotion6", l1=0.2, l2=0.0)
    assert rubric.weights == pytest.approx(
        {"accuracy": 0.8, "format": 0.0, "consistency": 0.1, "coherence": 0.1}
    )
    text = GOOD.replace("fear", "joy")
    # called as a TRL reward with no label_set column, the preset's label set applies
    assert rubric.components(None, [text], label=["joy"])["accuracy"] == [1.0]
    with pytest.raises(
        InvalidInputError, match=r"does not take \['l3'\]; it takes: judge, label_set, l1, l2"
    ):
        presets.build("emo_r3_paper", l3=1)


def test_one_default_per_use():
    assert presets.DEFAULT_PRESETS == {
        "train": "emo_r3_offline",
        "train_vlm": "emo_r3_paper",
        "serve": "emo_r3_paper",
        "eval": "emo_r3_reference",
        "env": "emo_r3_paper",
    }
    assert presets.default_preset("eval") == "emo_r3_reference"
    assert {presets.default_preset(use, "think") for use in presets.DEFAULT_PRESETS} == {
        "grpo_baseline"
    }
    assert set(presets.DEFAULT_PRESETS.values()) <= set(presets.names())
    with pytest.raises(UnknownNameError, match="Did you mean 'serve'"):
        presets.default_preset("server")


def test_registry_specs_and_user_presets():
    def mine(label_set="mikels8", weight=1.0):
        return Rubric([FormatReward()], [weight], name="mine")

    spec = PresetSpec("mine", mine)
    assert (spec.takes_judge, spec.options, spec.parameters) == (
        False,
        ("weight",),
        ("judge", "label_set", "weight"),
    )
    with pytest.raises(InvalidInputError, match="must take label_set"):
        register("no_label_set", lambda weight=1.0: None)
    register("test_mine", mine)
    try:
        assert presets.build("test_mine", judge=None, weight=0.5).weights == {"format": 0.5}
        assert "[judge: must stay None]" in presets.describe("test_mine")
    finally:
        del SPECS["test_mine"], PRESETS["test_mine"]


def test_registration_flows_one_way():
    """The registry imports no preset module; model presets never import rewards.presets."""
    code = (
        "import sys, rewards.registry\n"
        "assert 'rewards.presets' not in sys.modules and 'rewards.model_presets' not in sys.modules\n"
        "import rewards.model_presets\n"
        "assert 'rewards.presets' not in sys.modules, 'model_presets imported presets'\n"
        "from rewards import presets\n"
        "assert {'emo_r3_clip', 'emo_r3_offline', 'grpo_baseline'} <= set(presets.names())\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("module", ["rewards.presets", "rewards.registry", "rewards.model_presets"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
