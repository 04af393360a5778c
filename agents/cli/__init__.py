"""The ``emo-r3`` command: one sub-command per module of this package, imported on use.

Each sub-command module (``agents/cli/<name>.py``) defines ``add_arguments(parser)``
and ``run(args) -> int``; a new command is a new module plus a line in
:data:`COMMANDS`. ``python -m agents.cli`` runs the same command.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

from rewards.errors import EmoError

__all__ = ["COMMANDS", "available", "main"]

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("agents.cli.demo", "score example SET responses with every preset"),
    "train": ("agents.cli.train", "run GRPO training (TRL or OpenRLHF)"),
    "sft": ("agents.cli.sft", "supervised fine-tuning baseline (TRL SFTTrainer)"),
    "serve": ("agents.cli.serve", "serve rewards to OpenRLHF over HTTP (/get_reward)"),
    "eval": ("agents.cli.eval", "evaluate a policy on a benchmark split"),
    "score": ("agents.cli.score", "score one response or a JSONL of responses"),
    "table": ("agents.cli.table", "build the paper's benchmark table from runs"),
}


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def available() -> dict[str, tuple[str, str]]:
    """The sub-commands whose modules are present."""
    return {name: spec for name, spec in COMMANDS.items() if _exists(spec[0])}


def main(argv: list[str] | None = None) -> int:
    """Run ``emo-r3 COMMAND ...``; returns the exit status (2 for an emo-r3 error)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    commands = available()
    listing = "\n".join(f"  {name:<7} {help_}" for name, (_, help_) in commands.items())
    top = argparse.ArgumentParser(
        prog="emo-r3",
        description="emo-r3: rewards, environments and GRPO drivers for emotional reasoning.",
        epilog=f"commands:\n{listing}\n\nRun 'emo-r3 COMMAND -h' for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("command", choices=sorted(commands), metavar="COMMAND")
    top.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    ns = top.parse_args(argv[:1] if argv and not argv[0].startswith("-") else argv)
    module_name, help_ = commands[ns.command]
    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(prog=f"emo-r3 {ns.command}", description=help_)
    module.add_arguments(parser)
    args = parser.parse_args(argv[1:])
    try:
        return int(module.run(args) or 0)
    except EmoError as err:
        print(f"emo-r3 {ns.command}: error: {err}", file=sys.stderr)
        return 2
