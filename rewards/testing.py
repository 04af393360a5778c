"""Checkers users can run on their own rewards: ``check_reward(fn)``.

Example:
    >>> from rewards.testing import check_reward
    >>> from rewards.rules import FormatReward
    >>> check_reward(FormatReward()).ok
    True
"""

from __future__ import annotations

import math
import pickle
from dataclasses import dataclass, field
from typing import Any

from rewards.errors import EmoError

__all__ = ["SAMPLE_BATCH", "RewardCheckError", "RewardReport", "check_reward", "sample_batch"]

#: The default batch without images (text columns only): every column a preset reads
#: besides ``image``, which :func:`sample_batch` adds.
SAMPLE_BATCH: dict[str, list[Any]] = {
    "prompts": ["Which emotion does this image evoke?"] * 4,
    "completions": [
        "<step1>A child laughs at a clown.</step1><step2>People would feel amused."
        "</step2><step3>Positive, high arousal.</step3> \\boxed{amusement}",
        "<step1>An empty rainy street.</step1><step2>Lonely.</step2>"
        "<step3>Negative, low arousal.</step3> \\boxed{sadness}",
        "no structure at all",
        "",
    ],
    "label": ["amusement", "sadness", "fear", "awe"],
    "caption": [
        "A child laughs at a clown at a birthday party.",
        "An empty street in the rain at night.",
        None,
        "A mountain range under a starry sky.",
    ],
}


def sample_batch() -> dict[str, list[Any]]:
    """:data:`SAMPLE_BATCH` plus an ``image`` column (small RGB arrays; None without numpy).

    It carries every column a built-in reward or preset may read (labels, captions,
    images), so :func:`check_reward` runs every registered preset on it.
    """
    batch = {key: list(values) for key, values in SAMPLE_BATCH.items()}
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy ships with every extra that reads images
        batch["image"] = [None] * len(batch["completions"])
        return batch
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (24, 32, 3), dtype=np.uint8) for _ in range(3)]
    batch["image"] = [*images, None]
    return batch


class RewardCheckError(EmoError, AssertionError):
    """A reward broke the reward contract; the message lists every problem."""


@dataclass
class RewardReport:
    """What :func:`check_reward` found."""

    name: str
    values: list[Any] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_reward(
    fn: Any,
    batch: dict[str, list[Any]] | None = None,
    value_range: tuple[float, float] | None = None,
    raise_on_error: bool = True,
) -> RewardReport:
    """Check a reward against the contract every emo-r3 and TRL reward follows.

    Checks: it returns a list with one value per completion; each value is a finite
    float or None; it accepts unknown keyword arguments; it survives a pickle round
    trip and gives the same values after it; values lie in ``value_range`` (default:
    the reward's own ``value_range`` attribute, if any). The default batch is
    :func:`sample_batch` (labels, captions, images, well-formed and broken responses).

    Raises:
        RewardCheckError: listing the problems (unless ``raise_on_error=False``).
    """
    batch = sample_batch() if batch is None else dict(batch)
    name = getattr(fn, "__name__", type(fn).__name__)
    report = RewardReport(name)
    problems = report.problems
    n = len(batch["completions"])
    value_range = value_range or getattr(fn, "value_range", None)
    if not callable(fn):
        problems.append(f"is not callable ({type(fn).__name__}); a reward is a function")
        raise RewardCheckError(f"Reward {name!r} breaks the reward contract:\n- {problems[0]}")

    try:
        values = fn(**batch, trainer_state=None, unexpected_column=[0] * n)
    except TypeError as err:
        problems.append(f"does not accept unknown keyword arguments ({err}); add **kwargs")
        values = None
    except Exception as err:  # report, then re-raise below through the error list
        problems.append(f"raised {type(err).__name__}: {err}")
        values = None
    if values is not None:
        report.values = values
        if not isinstance(values, list):
            problems.append(f"returned {type(values).__name__}; return a list")
        elif len(values) != n:
            problems.append(f"returned {len(values)} values for {n} completions")
        for v in values if isinstance(values, list) else []:
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                problems.append(f"value {v!r} is not a finite float or None")
            elif value_range and not value_range[0] - 1e-9 <= v <= value_range[1] + 1e-9:
                problems.append(f"value {v} is outside the documented range {value_range}")
    if not hasattr(fn, "__name__"):
        problems.append("has no __name__ (TRL logs rewards under it); set one")
    try:
        clone = pickle.loads(pickle.dumps(fn))
    except Exception as err:
        problems.append(
            f"cannot be pickled ({type(err).__name__}: {err}); use a class "
            "or a module-level function instead of a closure or lambda"
        )
    else:
        if values is not None and not problems:
            again = clone(**batch)
            if again != values:
                problems.append(f"gives {again} after a pickle round trip, {values} before")
    if problems and raise_on_error:
        raise RewardCheckError(
            f"Reward {name!r} breaks the reward contract:\n- " + "\n- ".join(problems)
        )
    return report
