"""Settings of the reward server (what ``emo-r3 serve`` flags describe), checked at once.

Example:
    >>> from agents.serve.config import ServerConfig
    >>> config = ServerConfig(preset="emo_r3_reference", max_batch=32)
    >>> config.host, config.scorer().rubric.__name__
    ('127.0.0.1', 'emo_r3_reference')
    >>> try:
    ...     ServerConfig(max_body_bytes=-1)
    ... except ValueError as err:
    ...     print(err)
    max_body_bytes must be an int >= 1; got -1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from agents.common.images import DEFAULT_MAX_IMAGE_PIXELS
from agents.common.scorer import RewardScorer
from rewards.errors import InvalidInputError
from rewards.presets import DEFAULT_PRESETS

__all__ = ["ServerConfig"]


@dataclass
class ServerConfig:
    """Settings of the reward server.

    Attributes:
        host: interface to bind (loopback unless told otherwise).
        port: TCP port (0: any free port).
        preset: reward preset; ``preset_args`` are options of
            :func:`rewards.presets.build` (``judge`` included).
        label_set: default label set of bare labels.
        image_roots: folders image paths in labels may point into.
        dataset: dataset source(s) of ``sample_id`` references, the first the default;
            labels may name only these (by source or by the rows' dataset name).
        load_images: load images for the rubric (None: when it reads them).
        max_batch: most samples scored per rubric call.
        max_wait_ms: how long a micro-batch may wait to fill.
        max_body_bytes: largest accepted request body.
        max_response_chars: longest response scored; longer ones get 413.
        max_image_pixels: largest image file decoded (width x height); larger get 422.
        score_timeout_s: longest one scoring call may take before its requests get 504
            (None: no limit); keep it under OpenRLHF's 180 s client timeout.
        inline_max_bytes: a rule-only rubric scores bodies up to this size directly on
            the event loop (no thread hop, no batching wait); larger ones in the worker.
        token: shared secret; None = no authentication.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    preset: str = DEFAULT_PRESETS["serve"]
    preset_args: dict[str, Any] = field(default_factory=dict)
    label_set: str = "mikels8"
    image_roots: tuple[str, ...] = ()
    dataset: str | tuple[str, ...] = "embedded"
    load_images: bool | None = None
    max_batch: int = 64
    max_wait_ms: float = 20.0
    max_body_bytes: int = 8 * 1024 * 1024
    max_response_chars: int = 100_000
    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS
    score_timeout_s: float | None = 120.0
    inline_max_bytes: int = 16 * 1024
    token: str | None = None

    def __post_init__(self):
        for name in ("max_batch", "max_body_bytes", "max_response_chars", "max_image_pixels"):
            _check_int(name, getattr(self, name), low=1)
        _check_int("port", self.port, low=0, high=65535)
        _check_int("inline_max_bytes", self.inline_max_bytes, low=0)
        if not _finite(self.max_wait_ms) or self.max_wait_ms < 0:
            raise InvalidInputError(f"max_wait_ms must be a number >= 0; got {self.max_wait_ms!r}.")
        timeout = self.score_timeout_s
        if timeout is not None and (not _finite(timeout) or timeout <= 0):
            raise InvalidInputError(
                f"score_timeout_s must be a number of seconds > 0 (or None); got {timeout!r}."
            )
        if self.token is not None and (not isinstance(self.token, str) or not self.token):
            raise InvalidInputError("token must be a non-empty string or None.")

    def scorer(self) -> RewardScorer:
        """The request scorer these settings describe."""
        return RewardScorer(
            self.preset,
            preset_args=self.preset_args,
            label_set=self.label_set,
            image_roots=self.image_roots,
            dataset=self.dataset,
            load_images=self.load_images,
            max_response_chars=self.max_response_chars,
            max_image_pixels=self.max_image_pixels,
        )


def _finite(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _check_int(name: str, value: Any, low: int, high: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InvalidInputError(f"{name} must be an int >= {low}; got {value!r}.")
    if high is not None and value > high:
        raise InvalidInputError(f"{name} must be at most {high}; got {value!r}.")
