"""Exception hierarchy of emo-r3.

Every error a user can trigger derives from :class:`EmoError`, so callers can catch one
type. Each message names the fix; unknown names come with the closest valid name.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "EmoError",
    "InvalidInputError",
    "JudgeError",
    "MissingDependencyError",
    "ModelLoadError",
    "UnknownNameError",
    "closest",
]


class EmoError(Exception):
    """Base class of every emo-r3 error."""


class InvalidInputError(EmoError, ValueError):
    """Input of the wrong type, length or content (the message says how to fix it)."""


class UnknownNameError(EmoError, KeyError):
    """A name (preset, label set, label, environment option) that is not registered."""

    def __init__(self, kind: str, name: object, valid: Iterable[str]):
        self.kind = kind
        self.name = name
        self.valid = sorted(valid)
        hint = closest(str(name), self.valid)
        did_you_mean = f" Did you mean {hint!r}?" if hint else ""
        message = f"Unknown {kind} {name!r}.{did_you_mean} Valid {kind}s: {', '.join(self.valid)}."
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.message


class MissingDependencyError(EmoError, ImportError):
    """An optional dependency is not installed; the message names the pip extra."""

    def __init__(self, package: str, extra: str, what: str = ""):
        purpose = f" (needed for {what})" if what else ""
        super().__init__(
            f"The optional dependency {package!r} is not installed{purpose}. "
            f"Install it with: pip install 'emo-r3[{extra}]'"
        )
        self.package = package
        self.extra = extra


class ModelLoadError(EmoError, RuntimeError):
    """A model could not be loaded; the message names the path or id and the reason."""


class JudgeError(EmoError, RuntimeError):
    """A judge broke its contract (wrong number or type of verdicts) or failed for good."""


def closest(name: str, valid: Iterable[str]) -> str | None:
    """Return the valid name closest to ``name`` (case-insensitive), or None."""
    valid = list(valid)
    lowered = {v.lower(): v for v in valid}
    match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.5)
    return lowered[match[0]] if match else None
