"""OpenRLHF's own ``train_ppo_ray`` argument parsing, run on an argument list.

``openrlhf.cli.train_ppo_ray`` cannot be imported here (it imports ray and vllm at
module level), and its parser is built inline under ``if __name__ == "__main__":``.
The narrowest honest check: take that block from the installed file, drop only its
last statement (``train(args)``), make ``parse_args()`` read our argument list, and
execute it: OpenRLHF's real flags, types, choices and post-parse validation run.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
from datetime import datetime
from pathlib import Path


def openrlhf_parse(argv: list[str]):
    """Run the installed train_ppo_ray.py's argument parsing and checks on ``argv``."""
    origin = importlib.util.find_spec("openrlhf.cli.train_ppo_ray").origin
    tree = ast.parse(Path(origin).read_text())
    main = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)
    )
    *body, last = main.body
    assert ast.unparse(last) == "train(args)"  # the only statement left out

    class ReadArgv(ast.NodeTransformer):
        def visit_Call(self, node):
            self.generic_visit(node)
            if isinstance(node.func, ast.Attribute) and node.func.attr == "parse_args":
                node.args = [ast.Name("ARGV", ast.Load())]
            return node

    module = ast.fix_missing_locations(ReadArgv().visit(ast.Module(body=body, type_ignores=[])))
    namespace = {"argparse": argparse, "os": os, "datetime": datetime, "ARGV": argv}
    exec(compile(module, origin, "exec"), namespace)
    return namespace["args"]


def cli_args(command: list[str]) -> list[str]:
    """The train_ppo_ray arguments of a launch command (plain or ``ray job submit``)."""
    if command[0] == "ray":
        command = command[command.index("--") + 1 :]
    assert command[1:3] == ["-m", "openrlhf.cli.train_ppo_ray"]
    return command[3:]
