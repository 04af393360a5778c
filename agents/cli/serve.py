"""``emo-r3 serve``: run the micro-batching reward server for OpenRLHF.

Example::

    emo-r3 serve --preset emo_r3_paper --port 8000 --image-root /data/emoset
    # then train with: --reward.remote_url http://127.0.0.1:8000/get_reward
"""

from __future__ import annotations

import argparse
import math
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
    parser.add_argument(
        "--dataset",
        action="append",
        default=None,
        metavar="SOURCE",
        help="dataset whose sample ids labels may name (repeatable; the first is the default "
        "of labels naming none; default: embedded). Labels can name no other dataset.",
    )
    parser.add_argument("--max-batch", type=_positive(int), default=64, help="samples per call")
    parser.add_argument(
        "--max-wait-ms", type=_positive(float, zero=True), default=20.0, help="batch fill wait"
    )
    parser.add_argument(
        "--max-body-mb", type=_positive(float), default=8.0, help="largest request body (MB)"
    )
    parser.add_argument(
        "--max-response-chars",
        type=_positive(int),
        default=100_000,
        help="longest response scored; longer ones get HTTP 413 (default 100000)",
    )
    parser.add_argument(
        "--max-image-pixels",
        type=_positive(int),
        default=25_000_000,
        help="largest image file decoded, width x height (default 25000000)",
    )
    parser.add_argument(
        "--score-timeout-s",
        type=_positive(float),
        default=120.0,
        help="longest a scoring call may take before its requests get HTTP 504 (default 120)",
    )
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
        dataset=tuple(args.dataset or ["embedded"]),
        max_batch=args.max_batch,
        max_wait_ms=args.max_wait_ms,
        max_body_bytes=max(1, int(args.max_body_mb * 1024 * 1024)),
        max_response_chars=args.max_response_chars,
        max_image_pixels=args.max_image_pixels,
        score_timeout_s=args.score_timeout_s,
        token=os.environ.get(args.token_env) or None,
    )


def _positive(kind: type, zero: bool = False):
    """An argparse type: a finite number > 0 (>= 0 with ``zero``) of ``kind``."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or value < 0 or (value == 0 and not zero):
            bound = ">= 0" if zero else "> 0"
            raise argparse.ArgumentTypeError(f"must be a finite number {bound}; got {text!r}")
        return value

    parse.__name__ = kind.__name__
    return parse


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
