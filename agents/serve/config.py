"""Settings of the reward server (what ``emo-r3 serve`` flags describe).

Example:
    >>> from agents.serve.config import ServerConfig
    >>> config = ServerConfig(preset="emo_r3_reference", max_batch=32)
    >>> config.host, config.scorer().rubric.__name__
    ('127.0.0.1', 'emo_r3_reference')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.common.scorer import RewardScorer
from rewards.presets import DEFAULT_PRESETS

__all__ = ["ServerConfig"]


@dataclass
class ServerConfig:
    """Settings of the reward server.

    Attributes:
        host: interface to bind (loopback unless told otherwise).
        port: TCP port.
        preset: reward preset; ``preset_args`` are options of
            :func:`rewards.presets.build` (``judge`` included).
        label_set: default label set of bare labels.
        image_roots: folders image paths in labels may point into.
        dataset: dataset of ``sample_id`` image references.
        load_images: load images for the rubric (None: when it reads them).
        max_batch: most samples scored per rubric call.
        max_wait_ms: how long a micro-batch may wait to fill.
        max_body_bytes: largest accepted request body.
        token: shared secret; None = no authentication.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    preset: str = DEFAULT_PRESETS["serve"]
    preset_args: dict[str, Any] = field(default_factory=dict)
    label_set: str = "mikels8"
    image_roots: tuple[str, ...] = ()
    dataset: str = "embedded"
    load_images: bool | None = None
    max_batch: int = 64
    max_wait_ms: float = 20.0
    max_body_bytes: int = 8 * 1024 * 1024
    token: str | None = None

    def scorer(self) -> RewardScorer:
        """The request scorer these settings describe."""
        return RewardScorer(
            self.preset,
            preset_args=self.preset_args,
            label_set=self.label_set,
            image_roots=self.image_roots,
            dataset=self.dataset,
            load_images=self.load_images,
        )
