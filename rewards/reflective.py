"""The Reflective Emotional Reward: a judge re-reads each response and answers two questions.

:class:`ReflectiveReward` produces the ``consistency`` and ``coherence`` components.
For a batch it builds every question (two per response), sends them to the judge in
ONE call, and turns the answers into scores with the chosen scoring:

``reference`` (the authors' code)
    consistency: 1 if the answer contains "yes", else 0 if it contains "no", else 0.5;
    coherence: 0.5 for an empty or "none" answer, 1 if the lower-cased answer equals the
    gold label, else 0; a missing verdict (None) counts 1. The question is asked even
    when no passage could be cut (it is then ``"Answer 'None'"``).
``paper``
    binary components with a sound yes/no reading (first word decides) and a coherence
    match that ignores case and punctuation; passages are cut with tags that may hold
    spaces (``< step1 >``); a response with no passage scores 0 without asking; a
    missing verdict counts ``missing_value`` (1.0, as when no judge).
``robust``
    as ``paper``, but coherence accepts synonyms through the label set's normaliser.

With ``judge=None`` no question is asked and both components are 1.0, as in the
authors' reference code when reflection is not run at all.

Example:
    >>> from rewards.judges import ConstantJudge
    >>> from rewards.reflective import ReflectiveReward
    >>> rer = ReflectiveReward(ConstantJudge(consistency="Yes", coherence="awe"))
    >>> r = "<step1>a cliff</step1><step2>wonder</step2><step3>positive</step3>\\\\boxed{awe}"
    >>> rer.score_components(None, [r], label=["awe"])
    {'consistency': [1.0], 'coherence': [1.0]}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rewards import _inputs
from rewards._fused import NEED_EXACT, NEED_LOOSE
from rewards.base import MultiReward
from rewards.errors import InvalidInputError
from rewards.judges import (
    CONSISTENCY_QUESTION,
    NO_PASSAGE_PROMPT,
    JudgeRequest,
    call_judge,
    coherence_suffix,
    make_request,
    paper_coherence,
    paper_consistency,
    reference_coherence,
    reference_consistency,
)

__all__ = ["SCORINGS", "ReflectiveReward"]

SCORINGS = ("reference", "paper", "robust")


class ReflectiveReward(MultiReward):
    """Consistency and coherence of a response, judged by a (policy or frozen) model.

    Args:
        judge: callable ``list[JudgeRequest] -> list[str | None]``, or None.
        scoring: ``"reference"``, ``"paper"`` or ``"robust"`` (see module docs).
        missing_value: score of a missing verdict under ``paper``/``robust``.
        components: which questions to ask (both by default).
    """

    components = ("consistency", "coherence")

    def __init__(
        self,
        judge: Callable | None = None,
        scoring: str = "reference",
        parser="set",
        label_set="mikels8",
        missing_value: float = 1.0,
        components: tuple[str, ...] = ("consistency", "coherence"),
    ):
        super().__init__("reflective", parser, label_set)
        if scoring not in SCORINGS:
            raise InvalidInputError(f"scoring must be one of {SCORINGS}; got {scoring!r}.")
        if judge is not None and not callable(judge):
            raise InvalidInputError(
                f"judge must be a callable list[JudgeRequest] -> list[str | None]; got "
                f"{type(judge).__name__}."
            )
        unknown = set(components) - {"consistency", "coherence"}
        if unknown or not components:
            raise InvalidInputError(
                f"components must be a non-empty subset of ('consistency', 'coherence'); "
                f"got {components!r}."
            )
        if not self.parser.has_reflection:
            raise InvalidInputError(
                f"The {self.parser.name!r} format has no <step1>/<step2> passages to reflect "
                "on; use parser='set'."
            )
        self.judge = judge
        self.scoring = scoring
        self.missing_value = float(missing_value)
        self.components = tuple(components)
        self.stats = {"requests": 0, "missing": 0}

    @property
    def needs(self) -> int:
        """The passages the questions quote (none without a judge)."""
        if self.judge is None:
            return 0
        return NEED_EXACT if self.scoring == "reference" else NEED_LOOSE

    def requests(self, texts: list[str], kwargs: dict[str, Any]) -> list[JudgeRequest]:
        """The questions this reward would ask about a batch (for inspection and tests)."""
        need = NEED_EXACT if self.scoring == "reference" else NEED_LOOSE
        return self._plan(self._batch(texts, kwargs), need)[1]

    def _plan(self, batch, need: int):
        """``(slots, requests, fixed)``: who is asked what, and who scores 0 unasked."""
        scanned = batch.scan(self.parser, need)
        cons, coh = scanned.exact if self.scoring == "reference" else scanned.loose
        sets = batch.sets(self.label_set)
        reference = self.scoring == "reference"
        images = _inputs.images(batch.kwargs, batch.n) if "consistency" in self.components else None
        suffixes: dict[int, str] = {}
        # a question without a passage (and without an image) is the same immutable
        # request for every response of a label set: built once, shared
        unanswerable: dict[tuple[str, str], JudgeRequest] = {}
        slots: list[tuple[int, str]] = []
        requests: list[JudgeRequest] = []
        fixed: list[tuple[int, str]] = []
        for i, label_set in enumerate(sets):
            for kind in self.components:  # requests go in this order for each sample
                consistency = kind == "consistency"
                passage = cons[i] if consistency else coh[i]
                if passage is None:
                    if not reference:
                        fixed.append((i, kind))
                        continue
                    image = images[i] if consistency else None
                    if image is None:
                        key = (kind, label_set.id)
                        request = unanswerable.get(key)
                        if request is None:
                            request = unanswerable[key] = make_request(
                                kind, NO_PASSAGE_PROMPT, None, label_set.id, None
                            )
                    else:
                        request = make_request(kind, NO_PASSAGE_PROMPT, image, label_set.id, None)
                elif consistency:
                    prompt = CONSISTENCY_QUESTION + passage
                    request = make_request(kind, prompt, images[i], label_set.id, passage)
                else:
                    suffix = suffixes.get(id(label_set))
                    if suffix is None:
                        suffix = suffixes[id(label_set)] = coherence_suffix(label_set)
                    request = make_request(kind, passage + suffix, None, label_set.id, passage)
                slots.append((i, kind))
                requests.append(request)
        return slots, requests, fixed

    def columns(self, batch):
        n = batch.n
        if self.judge is None:
            return {k: [1.0] * n for k in self.components}
        labels = batch.labels(self.label_set) if "coherence" in self.components else None
        if n == 1:
            return self._one(batch, labels)
        out: dict[str, list[float | None]] = {k: [1.0] * n for k in self.components}
        need = NEED_EXACT if self.scoring == "reference" else NEED_LOOSE
        slots, requests, fixed = self._plan(batch, need)
        answers = call_judge(self.judge, requests)
        self.stats["requests"] += len(requests)
        self.stats["missing"] += answers.count(None)
        for i, kind in fixed:
            out[kind][i] = 0.0
        # verdicts depend only on (kind, answer, gold target): judges' answers are short
        # and repeat ("Yes.", a label), so each distinct one is parsed once per call
        read = self._verdict
        targets = labels
        if self.scoring == "robust" and labels is not None:
            targets = batch.targets(self.label_set)
        sets = batch.sets(self.label_set)
        seen: dict[tuple, float] = {}
        for (i, kind), answer in zip(slots, answers, strict=True):
            target = targets[i] if targets is not None and kind == "coherence" else None
            key = (kind, answer, target, id(sets[i]))
            value = seen.get(key)
            if value is None:
                value = seen[key] = read(kind, answer, target, sets[i])
            out[kind][i] = value
        return out

    def _one(self, batch, labels) -> dict[str, list[float | None]]:
        """:meth:`columns` for a batch of one response (the same requests, in the same
        order, and the same verdicts, without the per-batch tables)."""
        reference = self.scoring == "reference"
        scanned = batch.scan(self.parser, NEED_EXACT if reference else NEED_LOOSE)
        cons, coh = scanned.exact if reference else scanned.loose
        label_set = batch.sets(self.label_set)[0]
        kwargs = batch.kwargs
        image = None
        if "consistency" in self.components and (
            kwargs.get("image") is not None or kwargs.get("images") is not None
        ):
            image = _inputs.images(kwargs, 1)[0]
        out: dict[str, list[float | None]] = {}
        kinds, requests = [], []
        for kind in self.components:
            consistency = kind == "consistency"
            passage = cons[0] if consistency else coh[0]
            if passage is None:
                if not reference:
                    out[kind] = [0.0]
                    continue
                request = make_request(
                    kind, NO_PASSAGE_PROMPT, image if consistency else None, label_set.id, None
                )
            elif consistency:
                request = make_request(
                    kind, CONSISTENCY_QUESTION + passage, image, label_set.id, passage
                )
            else:
                prompt = passage + self._suffix(label_set)
                request = make_request(kind, prompt, None, label_set.id, passage)
            out[kind] = None  # filled below, in component order
            kinds.append(kind)
            requests.append(request)
        answers = call_judge(self.judge, requests)
        stats = self.stats
        stats["requests"] += len(requests)
        stats["missing"] += answers.count(None)
        target = None
        if "coherence" in kinds:
            target = labels[0]
            if self.scoring == "robust":
                target = batch.targets(self.label_set)[0]
        read = self._verdict
        for kind, answer in zip(kinds, answers, strict=True):
            out[kind] = [read(kind, answer, target if kind == "coherence" else None, label_set)]
        return out  # its keys were set in component order above

    def _suffix(self, label_set) -> str:
        """:func:`~rewards.judges.coherence_suffix` of ``label_set`` (kept per label set)."""
        kept = self.__dict__.get("_suffixes")
        if kept is None:
            kept = self.__dict__["_suffixes"] = {}
        found = kept.get(id(label_set))
        if found is None or found[0] is not label_set:
            if len(kept) > 64:
                kept.clear()
            found = kept[id(label_set)] = (label_set, coherence_suffix(label_set))
        return found[1]

    def _verdict(self, kind: str, answer: str | None, target: str | None, label_set) -> float:
        """One answer's score (``target``: the gold label, normalised under robust)."""
        if self.scoring == "reference":
            if kind == "consistency":
                return reference_consistency(answer)
            return reference_coherence(answer, target or "")
        if answer is None:
            return self.missing_value
        if kind == "consistency":
            return paper_consistency(answer)
        if self.scoring == "robust":
            return 1.0 if label_set.normalize(answer) == target else 0.0
        return paper_coherence(answer, target or "")

    def score_all(self, texts, kwargs):
        return self.columns(self._batch(texts, kwargs))
