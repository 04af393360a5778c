"""Named reward presets: ``rewards.presets.get(name, **overrides) -> Rubric``.

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

Every preset takes ``judge=`` (default None: the reflective components then count 1)
and ``label_set=``; other overrides are listed by :func:`describe`. More presets (the
model-based ones) register themselves with :func:`register`.

Example:
    >>> from rewards import presets
    >>> rubric = presets.get("emo_r3_reference")
    >>> r = "<step1>a storm</step1><step2>scared</step2><step3>negative</step3>\\\\boxed{fear}"
    >>> s = rubric.score_batch([r], labels=["fear"])[0]
    >>> round(s.total, 3), s.components["accuracy"]
    (1.1, 1.0)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from rewards.errors import InvalidInputError, UnknownNameError
from rewards.guards import HackingGuards
from rewards.reflective import ReflectiveReward
from rewards.rubric import Rubric
from rewards.rules import AccuracyReward, AffectReward, FormatReward

__all__ = ["PRESETS", "describe", "get", "names", "register"]

PRESETS: dict[str, Callable[..., Rubric]] = {}


def register(name: str, builder: Callable[..., Rubric] | None = None, *, overwrite=False):
    """Register a preset builder (usable as a decorator)."""

    def add(fn: Callable[..., Rubric]) -> Callable[..., Rubric]:
        if name in PRESETS and not overwrite:
            raise InvalidInputError(f"Preset {name!r} is already registered.")
        PRESETS[name] = fn
        return fn

    return add(builder) if builder is not None else add


def names() -> tuple[str, ...]:
    """Registered preset names."""
    _load_plugins()
    return tuple(PRESETS)


def describe(name: str) -> str:
    """The docstring and the accepted overrides of a preset."""
    builder = _builder(name)
    params = ", ".join(inspect.signature(builder).parameters)
    return f"{name}({params})\n{inspect.getdoc(builder) or ''}"


def get(name: str, **overrides) -> Rubric:
    """Build the preset ``name``; ``overrides`` are passed to its builder."""
    builder = _builder(name)
    accepted = inspect.signature(builder).parameters
    unknown = [k for k in overrides if k not in accepted]
    if unknown:
        raise InvalidInputError(
            f"Preset {name!r} does not take {unknown}; it takes: {', '.join(accepted)}."
        )
    return builder(**overrides)


def _builder(name: str) -> Callable[..., Rubric]:
    _load_plugins()
    if name not in PRESETS:
        raise UnknownNameError("preset", name, PRESETS)
    return PRESETS[name]


def _load_plugins() -> None:
    """Import modules that register more presets (model-based scorers), if present."""
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
