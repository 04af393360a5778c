"""Command-line options shared by sub-commands: preset options as ``KEY=JSON`` pairs.

Example:
    >>> from agents.cli.options import parse_preset_args
    >>> parse_preset_args(["l1=0.2", "label_set=emotion6", "judge=none"])
    {'l1': 0.2, 'label_set': 'emotion6', 'judge': 'none'}
"""

from __future__ import annotations

import argparse
import json

from rewards.errors import InvalidInputError

__all__ = ["add_preset_arg", "parse_preset_args"]


def add_preset_arg(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """Add the repeatable ``--preset-arg KEY=JSON`` option."""
    parser.add_argument(
        "--preset-arg",
        action="append",
        default=[],
        metavar="KEY=JSON",
        help="option of the preset (rewards.presets.build), e.g. l1=0.2 (repeatable)",
    )


def parse_preset_args(items: list[str]) -> dict:
    """``["l1=0.2", "label_set=\\"emotion6\\""]`` -> ``{"l1": 0.2, "label_set": "emotion6"}``.

    A value that is not JSON is taken as a string.
    """
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InvalidInputError(f"--preset-arg takes KEY=VALUE; got {item!r}.")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out
