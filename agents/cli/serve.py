"""``emo-r3 serve``: run the micro-batching reward server for OpenRLHF.

Example::

    emo-r3 serve --preset emo_r3_paper --port 8000 --image-root /data/emoset
    # then train with: --reward.remote_url http://127.0.0.1:8000/get_reward
"""

from __future__ import annotations

import argparse
import os

from agents.cli.options import add_preset_arg, parse_preset_args
from rewards.presets import DEFAULT_PRESETS

__all__ = ["TOKEN_ENV", "add_arguments", "config_from_args", "parse_preset_args", "run"]

TOKEN_ENV = "EMO_R3_SERVER_TOKEN"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface (default: loopback)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--preset", default=DEFAULT_PRESETS["serve"], help="reward preset (rewards.presets)"
    )
    add_preset_arg(parser)
    parser.add_argument("--label-set", default="mikels8", help="label set of bare labels")
    parser.add_argument(
        "--image-root",
        action="append",
        default=[],
        metavar="DIR",
        help="folder image paths in labels may point into (repeatable)",
    )
    parser.add_argument("--dataset", default="embedded", help="dataset of sample_id references")
    parser.add_argument("--max-batch", type=int, default=64, help="samples per rubric call")
    parser.add_argument("--max-wait-ms", type=float, default=20.0, help="batch fill wait")
    parser.add_argument("--max-body-mb", type=float, default=8.0, help="largest request body")
    parser.add_argument(
        "--token-env",
        default=TOKEN_ENV,
        help=f"environment variable holding the shared token (default {TOKEN_ENV}; unset = none)",
    )
    parser.add_argument("--log-level", default="warning")


def config_from_args(args: argparse.Namespace):
    """The :class:`~agents.serve.ServerConfig` the arguments describe."""
    from agents.serve.config import ServerConfig

    return ServerConfig(
        host=args.host,
        port=args.port,
        preset=args.preset,
        preset_args=parse_preset_args(args.preset_arg),
        label_set=args.label_set,
        image_roots=tuple(args.image_root),
        dataset=args.dataset,
        max_batch=args.max_batch,
        max_wait_ms=args.max_wait_ms,
        max_body_bytes=int(args.max_body_mb * 1024 * 1024),
        token=os.environ.get(args.token_env) or None,
    )


def run(args: argparse.Namespace) -> int:
    from agents.serve.runner import serve

    config = config_from_args(args)
    if config.host not in ("127.0.0.1", "localhost", "::1") and config.token is None:
        print(
            f"warning: serving on {config.host} without a token; set {args.token_env} "
            "to require one.",
        )
    print(f"emo-r3 reward server: http://{config.host}:{config.port}/get_reward ({config.preset})")
    serve(config, log_level=args.log_level)
    return 0
