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

With ``judge=None`` no question is asked and both components are 1.0 (DESIGN.md:
"when reflection is not run at all, each reflective component counts as 1").

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
from rewards.base import MultiReward
from rewards.errors import InvalidInputError
from rewards.judges import (
    JudgeRequest,
    call_judge,
    coherence_prompt,
    consistency_prompt,
    paper_coherence,
    paper_consistency,
    reference_coherence,
    reference_consistency,
    robust_coherence,
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

    def requests(self, texts: list[str], kwargs: dict[str, Any]) -> list[JudgeRequest]:
        """The questions this reward would ask about a batch (for inspection and tests)."""
        return [req for _, _, req in self._plan(texts, kwargs)[0]]

    def _plan(self, texts, kwargs):
        n = len(texts)
        sets = self._sets(kwargs, n)
        labels = _inputs.gold_labels(kwargs, n, sets) if "coherence" in self.components else None
        images = _inputs.images(kwargs, n)
        asked: list[tuple[int, str, JudgeRequest]] = []
        fixed: dict[tuple[int, str], float] = {}
        for i, text in enumerate(texts):
            parsed = self.parser.parse(text)
            loose = self.scoring != "reference"
            for kind in self.components:
                if kind == "consistency":
                    passage = parsed.loose_passages[0] if loose else parsed.consistency_passage
                    prompt = consistency_prompt(passage)
                    image = images[i]
                else:
                    passage = parsed.loose_passages[1] if loose else parsed.coherence_passage
                    prompt = coherence_prompt(passage, sets[i])
                    image = None
                if passage is None and self.scoring != "reference":
                    fixed[(i, kind)] = 0.0
                    continue
                asked.append((i, kind, JudgeRequest(kind, prompt, image, sets[i].id, passage)))
        return asked, fixed, labels, sets

    def score_all(self, texts, kwargs):
        n = len(texts)
        out: dict[str, list[float | None]] = {k: [1.0] * n for k in self.components}
        if self.judge is None:
            return out
        asked, fixed, labels, sets = self._plan(texts, kwargs)
        answers = call_judge(self.judge, [req for _, _, req in asked])
        self.stats["requests"] += len(asked)
        self.stats["missing"] += sum(a is None for a in answers)
        for (i, kind), value in fixed.items():
            out[kind][i] = value
        for (i, kind, _), answer in zip(asked, answers, strict=True):
            out[kind][i] = self._verdict(kind, answer, labels[i] if labels else "", sets[i])
        return out

    def _verdict(self, kind, answer, label, label_set) -> float:
        if self.scoring == "reference":
            if kind == "consistency":
                return reference_consistency(answer)
            return reference_coherence(answer, label)
        if kind == "consistency":
            value = paper_consistency(answer)
        elif self.scoring == "paper":
            value = paper_coherence(answer, label)
        else:
            value = robust_coherence(answer, label, label_set)
        return self.missing_value if value is None else value
