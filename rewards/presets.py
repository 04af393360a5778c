"""Named reward presets, and the one way to build a rubric: :func:`build`.

``rewards.presets.build(name, judge=None, label_set=None, **options) -> Rubric``

=====================  ==================================================================
``emo_r3_reference``   The authors' reference code, exactly:
                       0.8 acc + 0.1 (coh + cons) + 0.1 format (maximum 1.1), exact
                       lower-case accuracy on the compacted response, reference yes/no
                       and coherence parsing, missing verdicts count 1.
``emo_r3_paper``       The paper's formula: 0.8 acc + 0.1 (cons + coh) / 2 + 0.1 format,
                       binary components, a sound yes/no reading.
``grpo_baseline``      The paper's GRPO baseline: 0.9 acc + 0.1 format over
                       ``<think>...</think>`` + ``\\boxed{}``.
``emo_r3_robust``      The paper's formula re-weighted to make room for step3 affect
                       agreement and hacking guards, with normalised labels:
                       0.7 acc + 0.05 cons + 0.05 coh + 0.1 format + 0.1 affect
                       + 0.1 x each of the ten guards of
                       :class:`~rewards.guards.HackingGuards` (each 0 or -1).
=====================  ==================================================================

Robust weights, in words: accuracy stays dominant (0.7); the reflective pair keeps the
paper's 0.1 split evenly; format keeps 0.1; the affect reward (0.1) pays for a step3 that
agrees with the boxed emotion; each guard costs 0.1, so a response that games one rule
(e.g. boxes a label list) loses more than the format reward pays, and more than a
judge's consistency verdict (0.05) can add. Range [-1.0, 1.0]. Which guard catches
which hack: :mod:`rewards.guards`; on every family of the hacking battery
(``tests/rewards/test_hacking_battery.py``: stuffing, template and instruction echo,
empty steps, several boxes, answer first, copied reasoning, filler, over-long
reasoning, judge injection, steps out of order, odd tag spacing, copying the caption)
the hack scores strictly below an honest answer, with a judge that always agrees and
with one that parrots "yes".

The model-based presets (``emo_r3_clip``, ``emo_r3_offline``) live in
:mod:`rewards.model_presets` and register on first use; add your own with
:func:`register`.

**Judges.** Every preset accepts ``judge=None`` (the reflective components then count 1,
the paper's rule when reflection is not run). A preset whose rubric asks the reflective
questions (:func:`takes_judge`) also takes a judge: a callable
``list[JudgeRequest] -> list[str | None]``, or a mode string resolved by
:func:`resolve_judge` (``"none"``; ``"policy"`` where a policy is at hand). A preset
that asks no question (``grpo_baseline``, the model presets) refuses any other judge.

**Defaults.** One preset per use when none is named (:data:`DEFAULT_PRESETS`,
:func:`default_preset`); the ``think`` template always defaults to ``grpo_baseline``:

===============  =====================  ==============================================
use              preset                 where
===============  =====================  ==============================================
``train``        ``emo_r3_offline``     TRL training of a text-only policy (captions)
``train_vlm``    ``emo_r3_paper``       OpenRLHF agent and reward file (VLM policies)
``serve``        ``emo_r3_paper``       the reward server and the verl adapter
``eval``         ``emo_r3_reference``   ``emo-r3 eval`` / ``emo-r3 score``
``env``          ``emo_r3_paper``       ``gym.make("EmoReason-v0")`` and friends
===============  =====================  ==============================================

Example:
    >>> from rewards import presets
    >>> rubric = presets.build("emo_r3_reference")
    >>> r = "<step1>a storm</step1><step2>scared</step2><step3>negative</step3>\\\\boxed{fear}"
    >>> s = rubric.score_batch([r], labels=["fear"])[0]
    >>> round(s.total, 3), s.components["accuracy"]
    (1.1, 1.0)
    >>> presets.build("grpo_baseline", judge=None).weights
    {'accuracy': 0.9, 'format': 0.1}
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from rewards.errors import InvalidInputError, UnknownNameError
from rewards.guards import HackingGuards
from rewards.reflective import ReflectiveReward
from rewards.registry import PRESETS, SPECS, PresetSpec, register
from rewards.rubric import Rubric
from rewards.rules import AccuracyReward, AffectReward, FormatReward

__all__ = [
    "DEFAULT_PRESETS",
    "JUDGE_MODES",
    "PRESETS",
    "RULE_PRESETS",
    "THINK_PRESET",
    "build",
    "default_preset",
    "describe",
    "get",
    "judge_presets",
    "names",
    "register",
    "resolve_judge",
    "spec",
    "takes_judge",
]

#: The preset each use builds when none is named (see the module docs).
DEFAULT_PRESETS: dict[str, str] = {
    "train": "emo_r3_offline",
    "train_vlm": "emo_r3_paper",
    "serve": "emo_r3_paper",
    "eval": "emo_r3_reference",
    "env": "emo_r3_paper",
}
#: The default of every use for the ``think`` template (the paper's GRPO baseline).
THINK_PRESET = "grpo_baseline"

#: Who answers the reflective questions, by mode name.
JUDGE_MODES: dict[str, str] = {
    "none": "nobody: the reflective components count 1",
    "preset": "the preset's own scorers (no judge: model presets score with models)",
    "policy": "the policy being trained or evaluated (the paper's self-reflection)",
    "self": "the same as 'policy'",
}
_POLICY_MODES = ("policy", "self")


def default_preset(use: str, template: str = "set") -> str:
    """The preset ``use`` builds when none is named (``think`` -> ``grpo_baseline``).

    Raises:
        UnknownNameError: ``use`` is not one of :data:`DEFAULT_PRESETS`.
    """
    if use not in DEFAULT_PRESETS:
        raise UnknownNameError("preset use", use, DEFAULT_PRESETS)
    return THINK_PRESET if template == "think" else DEFAULT_PRESETS[use]


def resolve_judge(judge: Any, *, policy: Callable[[], Any] | None = None) -> Any:
    """Turn any form of "judge" into a judge callable or None.

    Accepted forms: None; a callable judge (returned as is); a mode string of
    :data:`JUDGE_MODES` (``"none"`` and ``"preset"`` give None, ``"policy"`` / ``"self"``
    call ``policy()``); a bool (an environment-variable switch: True = ``"policy"``).

    Args:
        judge: the judge in any of those forms.
        policy: builds the judge that asks the policy, where one is at hand (the TRL
            driver's live policy, the evaluated model, the OpenRLHF rollout engine).

    Raises:
        UnknownNameError: an unknown mode string (the closest mode is named).
        InvalidInputError: ``"policy"`` with no policy at hand, or another type.
    """
    if judge is None or judge is False:
        return None
    if judge is True:
        judge = "policy"
    if isinstance(judge, str):
        mode = judge.strip().lower()
        if mode not in JUDGE_MODES:
            raise UnknownNameError("judge mode", judge, JUDGE_MODES)
        if mode not in _POLICY_MODES:
            return None
        if policy is None:
            raise InvalidInputError(
                f"judge={judge!r} asks the policy, and there is none here: use it where a "
                "policy is at hand (emo-r3 train --judge policy, emo-r3 eval --judge self, "
                "the OpenRLHF agent), or pass a judge callable instead."
            )
        return policy()
    if callable(judge):
        return judge
    raise InvalidInputError(
        f"judge must be None, a mode ({', '.join(JUDGE_MODES)}) or a callable "
        f"list[JudgeRequest] -> list[str | None]; got {type(judge).__name__}."
    )


def names() -> tuple[str, ...]:
    """Registered preset names."""
    _load_plugins()
    return tuple(SPECS)


def spec(name: str) -> PresetSpec:
    """The registry entry of ``name`` (UnknownNameError names the closest preset)."""
    _load_plugins()
    if name not in SPECS:
        raise UnknownNameError("preset", name, SPECS)
    return SPECS[name]


def takes_judge(name: str) -> bool:
    """Whether preset ``name`` asks the reflective questions (takes a judge)."""
    return spec(name).takes_judge


def judge_presets() -> tuple[str, ...]:
    """The presets that take a judge."""
    return tuple(n for n in names() if SPECS[n].takes_judge)


def describe(name: str) -> str:
    """The accepted parameters and the docstring of a preset."""
    entry = spec(name)
    judge = "asks the reflective questions" if entry.takes_judge else "must stay None"
    head = f"{name}({', '.join(entry.parameters)})  [judge: {judge}]"
    return f"{head}\n{inspect.getdoc(entry.builder) or ''}"


def build(name: str, judge: Any = None, label_set: str | None = None, **options: Any) -> Rubric:
    """Build the rubric of preset ``name``: the one way every caller makes a rubric.

    Args:
        name: a registered preset (:func:`names`).
        judge: None, a judge callable, or a mode string (:func:`resolve_judge`; here no
            policy is at hand, so ``"policy"`` must be resolved by the caller first).
        label_set: default label set of the rubric (None: the preset's, ``mikels8``).
        **options: the preset's options (:func:`describe`).

    Raises:
        UnknownNameError: an unknown preset (the closest one is named).
        InvalidInputError: an option the preset does not take, or a judge for a preset
            that asks no reflective question.
    """
    entry = spec(name)
    unknown = [k for k in options if k not in entry.options]
    if unknown:
        raise InvalidInputError(
            f"Preset {name!r} does not take {unknown}; it takes: {', '.join(entry.parameters)}."
        )
    kwargs = dict(options)
    if label_set is not None:
        kwargs["label_set"] = label_set
    if entry.takes_judge:
        kwargs["judge"] = resolve_judge(judge)
    elif not _no_judge(judge):
        raise InvalidInputError(
            f"Preset {name!r} asks no reflective questions (its components are scored by "
            "rules or models, not a judge), so its judge must stay None. Presets that take "
            f"a judge: {', '.join(judge_presets())}."
        )
    return entry.builder(**kwargs)


def _no_judge(judge: Any) -> bool:
    """Whether ``judge`` is one of the forms of "no judge"."""
    if isinstance(judge, str):
        return judge.strip().lower() in ("none", "preset")
    return judge is None or judge is False


def get(name: str, **overrides: Any) -> Rubric:
    """Build preset ``name``: :func:`build` with every argument by keyword."""
    return build(name, **overrides)


def _load_plugins() -> None:
    """Import the modules that register more presets (model-based scorers), if present."""
    try:
        import rewards.model_presets  # noqa: F401
    except ModuleNotFoundError as err:
        if err.name != "rewards.model_presets":
            raise


@register("emo_r3_reference")
def emo_r3_reference(judge=None, label_set: str = "mikels8") -> Rubric:
    """The authors' reference scorer: 0.8 acc + 0.1 (coh + cons) + 0.1 format."""
    return Rubric(
        [
            AccuracyReward("set", "exact", label_set),
            FormatReward("set"),
            ReflectiveReward(judge, "reference", "set", label_set),
        ],
        {"accuracy": 0.8, "format": 0.1, "consistency": 0.1, "coherence": 0.1},
        name="emo_r3_reference",
    )


@register("emo_r3_paper")
def emo_r3_paper(judge=None, label_set: str = "mikels8", l1: float = 0.1, l2: float = 0.1):
    """The paper: (1 - l1 - l2) acc + l1 (cons + coh) / 2 + l2 format, l1 = l2 = 0.1."""
    return Rubric(
        [
            AccuracyReward("set", "exact", label_set),
            FormatReward("set"),
            ReflectiveReward(judge, "paper", "set", label_set),
        ],
        {"accuracy": 1 - l1 - l2, "format": l2, "consistency": l1 / 2, "coherence": l1 / 2},
        name="emo_r3_paper",
    )


@register("grpo_baseline")
def grpo_baseline(label_set: str = "mikels8") -> Rubric:
    """The paper's GRPO baseline: 0.9 acc + 0.1 format over <think> + \\boxed{}."""
    return Rubric(
        [AccuracyReward("think", "exact", label_set), FormatReward("think")],
        {"accuracy": 0.9, "format": 0.1},
        name="grpo_baseline",
    )


@register("emo_r3_robust")
def emo_r3_robust(
    judge=None,
    label_set: str = "mikels8",
    min_step_words: int = 3,
    max_words: int = 400,
) -> Rubric:
    """Paper formula + step3 affect agreement + ten hacking guards, normalised labels.

    0.7 acc + 0.1 format + 0.05 cons + 0.05 coh + 0.1 affect + 0.1 x each guard (0 or
    -1; the copying guard reads the ``caption`` column when there is one).
    """
    weights = {
        "accuracy": 0.7,
        "format": 0.1,
        "consistency": 0.05,
        "coherence": 0.05,
        "affect": 0.1,
        **dict.fromkeys(HackingGuards.components, 0.1),
    }
    return Rubric(
        [
            AccuracyReward("set", "normalized", label_set),
            FormatReward("set"),
            ReflectiveReward(judge, "robust", "set", label_set),
            AffectReward("set", label_set),
            HackingGuards("set", label_set, min_step_words, max_words),
        ],
        weights,
        name="emo_r3_robust",
    )


#: The presets scored by rules alone (no model to load): the ones defined above.
RULE_PRESETS: tuple[str, ...] = tuple(
    n for n, s in SPECS.items() if s.builder.__module__ == __name__
)
