"""The ``emo-r3`` command: one sub-command per module, each loaded only when used.

Each sub-command module defines ``add_arguments(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from rewards.errors import EmoError

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("agents.demo", "score example SET responses with every preset"),
    "train": ("agents.train_cli", "run GRPO training (TRL or OpenRLHF)"),
    "serve": ("agents.server_cli", "serve rewards to OpenRLHF over HTTP (/get_reward)"),
    "eval": ("agents.evaluation.cli", "evaluate a policy on a benchmark split"),
    "score": ("agents.evaluation.score_cli", "score one response or a JSONL of responses"),
    "table": ("agents.evaluation.table_cli", "build the paper's benchmark table from runs"),
}


def _available() -> dict[str, tuple[str, str]]:
    out = {}
    for name, (module, help_) in COMMANDS.items():
        if importlib.util.find_spec(module.rsplit(".", 1)[0]) is None:
            continue
        try:
            if importlib.util.find_spec(module) is not None:
                out[name] = (module, help_)
        except ModuleNotFoundError:
            continue
    return out


def build_parser() -> tuple[argparse.ArgumentParser, dict]:
    parser = argparse.ArgumentParser(prog="emo-r3", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    modules = {}
    for name, (module_name, help_) in _available().items():
        module = importlib.import_module(module_name)
        module.add_arguments(sub.add_parser(name, help=help_, description=help_))
        modules[name] = module
    return parser, modules


def main(argv: list[str] | None = None) -> int:
    parser, modules = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(modules[args.command].run(args) or 0)
    except EmoError as err:
        print(f"emo-r3 {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
