"""The preset registry: names mapped to rubric builders, with what each builder takes.

Registration flows one way: modules that define presets (:mod:`rewards.presets`,
:mod:`rewards.model_presets`, your own) call :func:`register` here, and this module
imports none of them. :func:`rewards.presets.build` reads the registry.

A builder is a callable returning a :class:`~rewards.rubric.Rubric`. It must take
``label_set=``; it takes ``judge=`` when its rubric asks the reflective questions
(a builder without a ``judge`` parameter asks none, and ``build`` refuses a judge for
it with a clear message). Its other keyword parameters are the preset's options.

Example:
    >>> from rewards.registry import PresetSpec
    >>> def tiny(label_set="mikels8", weight=1.0): ...
    >>> spec = PresetSpec("tiny", tiny)
    >>> spec.takes_judge, spec.options
    (False, ('weight',))
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

from rewards.errors import InvalidInputError

__all__ = ["PRESETS", "SPECS", "PresetSpec", "register"]


@dataclass(frozen=True)
class PresetSpec:
    """A registered preset: its builder and the parameters that builder takes.

    Attributes:
        name: the preset name.
        builder: ``builder(label_set=..., [judge=...], **options) -> Rubric``.
        takes_judge: the builder has a ``judge`` parameter (its rubric asks questions).
        options: the builder's other parameters, in signature order.
    """

    name: str
    builder: Callable
    takes_judge: bool = field(init=False)
    options: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        try:
            params = inspect.signature(self.builder).parameters
        except (TypeError, ValueError) as err:
            raise InvalidInputError(
                f"Preset {self.name!r}: the builder's signature cannot be read ({err})."
            ) from None
        if "label_set" not in params:
            raise InvalidInputError(
                f"Preset {self.name!r}: its builder must take label_set= (every preset "
                f"scores with a label set); it takes: {', '.join(params) or 'nothing'}."
            )
        object.__setattr__(self, "takes_judge", "judge" in params)
        rest = tuple(p for p in params if p not in ("judge", "label_set"))
        object.__setattr__(self, "options", rest)

    @property
    def parameters(self) -> tuple[str, ...]:
        """Everything :func:`rewards.presets.build` accepts for this preset."""
        return ("judge", "label_set", *self.options)


#: name -> spec, in registration order.
SPECS: dict[str, PresetSpec] = {}
#: name -> builder (the same registry, as plain builders).
PRESETS: dict[str, Callable] = {}


def register(name: str, builder: Callable | None = None, *, overwrite: bool = False):
    """Register a preset builder under ``name`` (usable as a decorator).

    Raises:
        InvalidInputError: the name is taken (pass ``overwrite=True`` to replace it), or
            the builder takes no ``label_set``.
    """

    def add(fn: Callable) -> Callable:
        if not isinstance(name, str) or not name:
            raise InvalidInputError(f"A preset name must be a non-empty string; got {name!r}.")
        if name in SPECS and not overwrite:
            raise InvalidInputError(
                f"Preset {name!r} is already registered; pass overwrite=True to replace it."
            )
        SPECS[name] = PresetSpec(name, fn)
        PRESETS[name] = fn
        return fn

    return add(builder) if builder is not None else add
