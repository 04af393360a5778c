"""Settings of the model rewards: one validated, keyword-only config dataclass per reward.

Each model reward takes one config (``ClipConsistency(ClipConfig(model=...))``) or the
config's fields as keywords (``ClipConsistency(model=...)``); its factory
(``clip_consistency(model, **options)``) builds the config by keyword. Fields are never
forwarded by position, so a reordered field cannot swap two values.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar

from rewards.errors import InvalidInputError, UnknownNameError

__all__ = ["ModelRewardConfig", "check_positive_int", "make_config"]

C = TypeVar("C")


def check_positive_int(name: str, value: Any) -> None:
    """Raise unless ``value`` is an int >= 1 (bools refused)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidInputError(f"{name} must be a positive int; got {value!r}.")


@dataclass(frozen=True, kw_only=True)
class ModelRewardConfig:
    """Fields every model reward has.

    Attributes:
        name: component name (use it in a Rubric's weights).
        batch_size: texts / images per forward pass.
    """

    name: str = "reward"
    batch_size: int = 64

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidInputError(f"name must be a non-empty string; got {self.name!r}.")
        check_positive_int("batch_size", self.batch_size)


def make_config(cls: type[C], config: C | None, options: dict[str, Any], owner: str) -> C:
    """``config`` with ``options`` replaced, or ``cls(**options)`` when no config is given.

    Raises:
        UnknownNameError: an option that is not a field (the closest field is named).
        InvalidInputError: ``config`` of another type, or a required field missing.
    """
    if config is not None and not isinstance(config, cls):
        raise InvalidInputError(
            f"{owner} takes a {cls.__name__}; got {type(config).__name__}. Pass the settings "
            "as keywords instead, e.g. model=..."
        )
    valid = [f.name for f in dataclasses.fields(cls)]
    for key in options:
        if key not in valid:
            raise UnknownNameError(f"{owner} option", key, valid)
    if config is not None:
        return dataclasses.replace(config, **options) if options else config
    required = [
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    missing = [k for k in required if k not in options]
    if missing:
        raise InvalidInputError(f"{owner} needs {', '.join(missing)}= (no default).")
    return cls(**options)
