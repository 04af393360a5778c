"""Base of the coherence scorers: does the reasoning express the boxed (or gold) emotion?

A scorer predicts a distribution over the sample's label set from the reasoning text;
the reward is the probability of the target label. The target is the emotion boxed in
the response (``target="boxed"``, normalised through the label set's synonyms) or the
gold label (``target="gold"``). A response without the passage, or whose box names no
label of the set, scores ``missing_value`` (0.0; counted in ``stats["missing"]``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rewards import _inputs
from rewards.errors import InvalidInputError
from rewards.labels import LabelSet, get_label_set
from rewards.models._base import ModelReward
from rewards.models._common import check_passage, passage_text
from rewards.models._config import ModelRewardConfig

__all__ = ["TARGETS", "CoherenceConfig", "CoherenceReward"]

TARGETS = ("boxed", "gold")


@dataclass(frozen=True, kw_only=True)
class CoherenceConfig(ModelRewardConfig):
    """Fields every coherence scorer has.

    Attributes:
        target: ``"boxed"`` (the emotion the response boxed) or ``"gold"``.
        passage: ``"step1+step2"`` (default, the paper's coherence passage), ``"step1"``
            or ``"reasoning"`` (all steps).
        missing_value: score when the passage or the target is missing.
        label_set: default label set (a ``label_set`` column overrides it per sample).
        parser: answer format of the responses (``"set"``).
    """

    name: str = "coherence"
    target: str = "boxed"
    passage: str = "step1+step2"
    missing_value: float = 0.0
    label_set: str = "mikels8"
    parser: str = "set"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.target not in TARGETS:
            raise InvalidInputError(f"target must be one of {TARGETS}; got {self.target!r}.")
        check_passage(self.passage)
        get_label_set(self.label_set)


class CoherenceReward(ModelReward):
    """Probability of the target label under a text scorer; subclasses give :meth:`predict`.

    Args:
        config: the scorer's settings (a :class:`CoherenceConfig` or a subclass).
    """

    def __init__(self, config: CoherenceConfig):
        super().__init__(config.name, config.parser, config.label_set, config.batch_size)
        self.config = config
        self.target = config.target
        self.passage = check_passage(config.passage)
        self.missing_value = float(config.missing_value)

    def predict(self, texts: list[str], label_set: str | LabelSet = "mikels8") -> list[list[float]]:
        """Distribution over ``label_set``'s labels (in its order) for each text."""
        raise NotImplementedError

    def launch(self, texts: list[str], label_set: LabelSet) -> Any:
        """Start predicting (a scorer on a GPU returns before the device is done);
        :meth:`collect` turns the handle into distributions."""
        return self.predict(texts, label_set)

    def collect(self, handle: Any) -> list[list[float]]:
        return handle

    def _streams(self) -> bool:
        """Whether to parse and launch a batch at a time (worth it where predicting runs
        on a device beside the host); else everything goes in one call, longest first."""
        return False

    def _target(self, parsed, gold: str | None, label_set: LabelSet) -> str | None:
        if gold is not None:
            return gold.strip().lower()
        answer = parsed.answer
        return label_set.normalize(answer) if answer else None

    def score(self, texts: list[str], kwargs: dict[str, Any]) -> list[float | None]:
        n = len(texts)
        sets = self._sets(kwargs, n)
        gold = _inputs.gold_labels(kwargs, n, sets) if self.target == "gold" else None
        out: list[float | None] = [None] * n
        launched = []
        # On a GPU a batch at a time: the host parses the next batch while the device
        # predicts. On a CPU nothing overlaps, and one call pads least.
        step = self.batch_size if self._streams() else max(n, 1)
        for start in range(0, n, step):
            groups: dict[str, list[tuple[int, str, str]]] = {}
            for i in range(start, min(n, start + step)):
                parsed = self.parser.parse(texts[i])
                passage = passage_text(parsed, self.passage)
                target = self._target(parsed, gold[i] if gold else None, sets[i])
                if passage is None or target is None:
                    self.stats["missing"] += 1
                    out[i] = self.missing_value
                    continue
                groups.setdefault(sets[i].id, []).append((i, passage, target))
            for set_id, items in groups.items():
                label_set = get_label_set(set_id)
                handle = self.launch([p for _, p, _ in items], label_set)
                launched.append((items, label_set, handle))
        for items, label_set, handle in launched:
            for (i, _, target), dist in zip(items, self.collect(handle), strict=True):
                out[i] = None if dist is None else float(dist[label_set.index(target)])
        return self._count(out)
