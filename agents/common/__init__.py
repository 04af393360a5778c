"""What every adapter and the server share: reward requests, label fields, images, files.

* :mod:`~agents.common.labels`: the JSON label field (gold label, label set, image
  reference, caption) that travels where a framework passes only a label string;
* :mod:`~agents.common.queries`: the response cut out of a prompt + response query;
* :mod:`~agents.common.images`: image references resolved inside allowed roots, image
  files decoded under a pixel cap, and whether a rubric reads images at all;
* :mod:`~agents.common.datasets`: the datasets a label may name by ``sample_id`` (only
  those configured at start);
* :mod:`~agents.common.jsoncodec`: JSON in and out (orjson when installed), hostile
  documents refused with one error;
* :mod:`~agents.common.faults`: errors that are the server's fault (500/502/504);
* :mod:`~agents.common.scorer`: :class:`RewardScorer`, a rubric behind validated
  ``(queries, prompts, labels)`` requests (the server, the OpenRLHF files);
* :mod:`~agents.common.jsonl` and :mod:`~agents.common.plotting`: run files and the
  training-curve plot.

Importing this package loads nothing heavy.

Example:
    >>> from agents.common import decode_label
    >>> decode_label('{"label": "awe", "caption": "a canyon"}').caption
    'a canyon'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rewards._lazy import lazy_exports

__all__ = [
    "ImageAccessError",
    "ImageResolver",
    "JsonlWriter",
    "LabelInfo",
    "RewardScorer",
    "decode_label",
    "encode_label",
    "plot_training_curves",
    "read_jsonl",
    "response_from_query",
    "rubric_needs_images",
]

_LAZY = {
    "ImageAccessError": "agents.common.images",
    "ImageResolver": "agents.common.images",
    "rubric_needs_images": "agents.common.images",
    "JsonlWriter": "agents.common.jsonl",
    "read_jsonl": "agents.common.jsonl",
    "LabelInfo": "agents.common.labels",
    "decode_label": "agents.common.labels",
    "encode_label": "agents.common.labels",
    "plot_training_curves": "agents.common.plotting",
    "response_from_query": "agents.common.queries",
    "RewardScorer": "agents.common.scorer",
}

__getattr__, __dir__ = lazy_exports("agents.common", _LAZY, __all__)


if TYPE_CHECKING:  # pragma: no cover
    from agents.common.images import ImageAccessError, ImageResolver, rubric_needs_images
    from agents.common.jsonl import JsonlWriter, read_jsonl
    from agents.common.labels import LabelInfo, decode_label, encode_label
    from agents.common.plotting import plot_training_curves
    from agents.common.queries import response_from_query
    from agents.common.scorer import RewardScorer
