"""Score OpenRLHF-style reward requests ``(queries, prompts, labels)`` with a rubric.

Shared by the reward server (:mod:`agents.serve`), the OpenRLHF reward file and agent.
A query is the prompt followed by the response (:mod:`agents.common.queries`); labels
are the JSON label fields of :mod:`agents.common.labels`; images are resolved by
:mod:`agents.common.images` and loaded only when the rubric reads them
(:func:`~agents.common.images.rubric_needs_images`).

Each sample yields ``reward`` (the rubric's weighted total), ``score`` (the total mapped
onto [0, 1] through the rubric's value range, as OpenRLHF's dynamic filtering expects)
and one log value per rubric component.

Client mistakes raise :class:`~rewards.errors.InvalidInputError` (a response over
``max_response_chars`` raises :class:`ResponseTooLong`); a rubric that fails on valid
samples raises :class:`~agents.common.faults.ScoringError` (a server fault). Images are
decoded at most ``2 * max_image_pixels`` pixels at a time: a batch of large images is
scored in several rubric calls rather than held in memory together.

Example:
    >>> from agents.common.scorer import RewardScorer
    >>> scorer = RewardScorer(preset="emo_r3_paper")
    >>> r = "<step1>A storm</step1><step2>scared</step2><step3>negative</step3>\\\\boxed{fear}"
    >>> out = scorer.score_requests(["Q: " + r], ["Q: "], ["fear"])
    >>> out["rewards"], out["extra_logs"]["accuracy"]
    ([1.0], [1.0])
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agents.common.faults import ScoringError
from agents.common.images import (
    DEFAULT_MAX_IMAGE_PIXELS,
    ImageRef,
    ImageResolver,
    rubric_needs_images,
)
from agents.common.jsoncodec import clean_text
from agents.common.labels import LabelInfo, decode_label
from agents.common.queries import response_from_query
from rewards import presets
from rewards.errors import InvalidInputError
from rewards.reflective import ReflectiveReward
from rewards.rubric import Rubric

__all__ = ["ResponseTooLong", "RewardScorer", "Sample", "merge", "rules_only"]


class ResponseTooLong(InvalidInputError):
    """A response longer than the scorer's ``max_response_chars`` (HTTP 413)."""


def rules_only(rubric: Rubric) -> bool:
    """Whether every component of ``rubric`` is a rule of :mod:`rewards.rules` or
    :mod:`rewards.guards`, or a reflective reward without a judge: no model, no judge, no
    I/O, so scoring a short response is cheap enough to do on the server's event loop."""
    from rewards.guards import HackingGuards
    from rewards.rules import AccuracyReward, AffectReward, FormatReward

    rules = (AccuracyReward, AffectReward, FormatReward, HackingGuards)
    for f in rubric.funcs:
        if type(f) is ReflectiveReward and f.judge is None:
            continue
        if type(f) not in rules:
            return False
    return True


@dataclass(frozen=True, slots=True)
class Sample:
    """One checked request sample, ready to score."""

    response: str
    info: LabelInfo
    image: ImageRef | None = None


class RewardScorer:
    """Validates and scores batches of OpenRLHF reward requests.

    Args:
        preset: reward preset name (``rewards.presets.names()``), or a :class:`Rubric`;
            None: the serving default (``rewards.presets.default_preset("serve")``).
        preset_args: options of :func:`rewards.presets.build` (e.g. ``{"l1": 0.2}`` or
            ``{"judge": "none"}``).
        label_set: default label set for bare labels (and of the preset).
        image_roots: folders that image paths in labels may point into.
        dataset: dataset source(s) labels may name (``sample_id``); the first is the
            default. A label naming any other dataset is refused.
        load_images: load images for the rubric; None = only when it reads them
            (:func:`~agents.common.images.rubric_needs_images`).
        max_response_chars: longest response scored (None: no cap); longer ones raise
            :class:`ResponseTooLong`.
        max_image_pixels: largest image file decoded (width x height).
    """

    def __init__(
        self,
        preset: str | Rubric | None = None,
        *,
        preset_args: dict[str, Any] | None = None,
        label_set: str = "mikels8",
        image_roots: Sequence[str | os.PathLike] = (),
        dataset: str | Sequence[str] = "embedded",
        load_images: bool | None = None,
        max_response_chars: int | None = None,
        max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS,
    ):
        if isinstance(preset, Rubric):
            self.rubric = preset
        else:
            args = {"label_set": label_set, **(preset_args or {})}
            self.rubric = presets.build(preset or presets.default_preset("serve"), **args)
        if max_response_chars is not None and (
            isinstance(max_response_chars, bool)
            or not isinstance(max_response_chars, int)
            or max_response_chars < 1
        ):
            raise InvalidInputError(
                f"max_response_chars must be an int >= 1 or None; got {max_response_chars!r}."
            )
        self.label_set = label_set
        self.resolver = ImageResolver(image_roots, dataset, max_image_pixels=max_image_pixels)
        self.load_images = rubric_needs_images(self.rubric) if load_images is None else load_images
        self.rules_only = rules_only(self.rubric) and not self.load_images
        self.max_response_chars = max_response_chars
        self.low, self.high = self.rubric.value_range
        self.stats = {"samples": 0, "prompt_not_found": 0}

    # --- validation ------------------------------------------------------------------

    def prepare(self, queries: Any, prompts: Any, labels: Any, *, io: bool = True) -> list[Sample]:
        """Check a request's fields and turn them into samples (no image is decoded).

        With ``io=False`` nothing touches the disk: a label whose check would (an image
        path, a dataset not indexed yet) raises :class:`~agents.common.datasets.NeedsIO`.

        Raises:
            InvalidInputError: wrong types, mismatched lengths, bad labels or images, a
                response over ``max_response_chars`` (:class:`ResponseTooLong`).
        """
        if type(queries) is not list or type(prompts) is not list or type(labels) is not list:
            for name, value in (("query", queries), ("prompts", prompts), ("labels", labels)):
                if not isinstance(value, list):
                    raise InvalidInputError(f"{name!r} must be a list; got {type(value).__name__}.")
        if not (len(queries) == len(prompts) == len(labels)):
            raise InvalidInputError(
                f"'query', 'prompts' and 'labels' must have the same length; got "
                f"{len(queries)}, {len(prompts)} and {len(labels)}."
            )
        samples = []
        cap = self.max_response_chars
        for i, (query, prompt) in enumerate(zip(queries, prompts, strict=True)):
            if not isinstance(query, str) or not isinstance(prompt, str):
                raise InvalidInputError(f"query[{i}] and prompts[{i}] must be strings.")
            info = decode_label(labels[i], self.label_set)
            response, found = response_from_query(query, prompt)
            if cap is not None and len(response) > cap:
                raise ResponseTooLong(
                    f"Response {i} has {len(response)} characters, over the server's limit of "
                    f"{cap} (raise it with --max-response-chars)."
                )
            if not found:
                self.stats["prompt_not_found"] += 1
            image = None
            if self.load_images:
                image = self.resolver.check(info, io=io)
            elif info.sample_id is not None or (info.image is not None and self.resolver.roots):
                self.resolver.check(info, io=io)  # unknown ids and outside paths are refused
            samples.append(Sample(clean_text(response), info, image))
        return samples

    # --- scoring ---------------------------------------------------------------------

    def score_samples(
        self, samples: Sequence[Sample], images: Sequence[Any] | None = None
    ) -> list[dict[str, Any]]:
        """Score checked samples; one result dict per sample.

        ``images`` (one per sample) replaces the images the labels refer to. Images the
        labels refer to are decoded in groups of at most ``2 * max_image_pixels`` pixels,
        one rubric call per group.

        Raises:
            ImageDataError: an image file that is not an image or over the pixel cap.
            ScoringError: the rubric failed (status 502 when its judge did).
        """
        if not samples:
            return []
        if images is not None or not self.load_images:
            return self._score(samples, images)
        budget = 2 * self.resolver.max_image_pixels
        out: list[dict[str, Any]] = []
        group: list[Sample] = []
        loaded: list[Any] = []
        pixels = 0
        for sample in samples:
            image = self.resolver.load(sample.image)
            size = image.size[0] * image.size[1] if hasattr(image, "size") else 0
            if group and pixels + size > budget:
                out += self._score(group, loaded)
                group, loaded, pixels = [], [], 0
            group.append(sample)
            loaded.append(image)
            pixels += size
        return out + self._score(group, loaded)

    def _score(self, samples: Sequence[Sample], images: Sequence[Any] | None):
        try:
            results = self.rubric.score_batch(
                [s.response for s in samples],
                labels=[s.info.label for s in samples],
                images=images,
                label_set=[s.info.label_set for s in samples],
                caption=[s.info.caption or "" for s in samples],
            )
        except Exception as err:
            raise ScoringError.wrap(err) from err
        self.stats["samples"] += len(samples)
        return [self._result(r.total, r.components) for r in results]

    def _result(self, total: float, components: dict[str, float | None]) -> dict[str, Any]:
        span = self.high - self.low
        score = (total - self.low) / span if span > 0 else 0.0
        logs = {k: (0.0 if v is None else v) for k, v in components.items()}
        logs["not_applicable"] = float(sum(v is None for v in components.values()))
        return {"reward": total, "score": min(1.0, max(0.0, score)), "logs": logs}

    def score_requests(self, queries: Any, prompts: Any, labels: Any) -> dict[str, Any]:
        """Validate and score one request; the OpenRLHF reply as plain lists."""
        return merge(self.score_samples(self.prepare(queries, prompts, labels)))


def merge(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per-sample results as ``{"rewards", "scores", "extra_logs"}`` lists."""
    logs: dict[str, list[float]] = {}
    for r in results:
        for key, value in r["logs"].items():
            logs.setdefault(key, []).append(value)
    return {
        "rewards": [r["reward"] for r in results],
        "scores": [r["score"] for r in results],
        "extra_logs": logs,
    }
