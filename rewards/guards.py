"""Reward-hacking guards: penalties for responses that game the rule rewards.

:class:`HackingGuards` yields one component per guard, each 0.0 (clean) or -1.0
(triggered):

* ``guard_echo``: a step repeats the prompt's template text ("what in the scene could
  trigger emotion ...") instead of reasoning about the image;
* ``guard_empty``: a step holds fewer than ``min_step_words`` words;
* ``guard_multilabel``: the box names two or more labels ("joy or sadness", a label list);
* ``guard_repeat``: more than one answer block (several ``\\boxed{}`` or a repeated step);
* ``guard_overlong``: the response is longer than ``max_words`` words.

Example:
    >>> from rewards.guards import HackingGuards
    >>> g = HackingGuards()
    >>> r = "<step1>a</step1><step2>b</step2><step3>c</step3>\\\\boxed{awe, fear}"
    >>> g.score_components(None, [r])["guard_multilabel"]
    [-1.0]
"""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher

from rewards.base import MultiReward
from rewards.errors import InvalidInputError

__all__ = ["SET_STEP_TEMPLATES", "HackingGuards"]

SET_STEP_TEMPLATES = (
    "what in the scene could trigger emotion (action, face, environment)",
    "how a human would feel about it",
    "positive or negative? high or low arousal?",
)
_WORDS = re.compile(r"[a-z']+")


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


class HackingGuards(MultiReward):
    """Five reward-hacking detectors, each a component in {-1.0, 0.0}.

    Args:
        min_step_words: a step with fewer words counts as empty.
        max_words: a response with more words counts as overlong.
        echo_overlap: word-sequence similarity (difflib ratio) to the step's template at
            or above which the step counts as an echo; a step containing the whole
            template counts too.
    """

    components = (
        "guard_echo",
        "guard_empty",
        "guard_multilabel",
        "guard_repeat",
        "guard_overlong",
    )
    value_range = (-1.0, 0.0)

    def __init__(
        self,
        parser="set",
        label_set="mikels8",
        min_step_words: int = 3,
        max_words: int = 400,
        echo_overlap: float = 0.8,
        templates: tuple[str, ...] | None = None,
    ):
        super().__init__("hacking_guards", parser, label_set)
        if min_step_words < 0 or max_words < 1 or not 0 < echo_overlap <= 1:
            raise InvalidInputError(
                "HackingGuards needs min_step_words >= 0, max_words >= 1 and 0 < echo_overlap <= 1."
            )
        self.min_step_words = min_step_words
        self.max_words = max_words
        self.echo_overlap = echo_overlap
        if templates is None:
            templates = SET_STEP_TEMPLATES if self.parser.name == "set" else ()
        self.templates = tuple(templates)

    def _echo(self, steps) -> bool:
        for step, template in zip(steps, self.templates, strict=False):
            words = _words(step or "")
            if not words:
                continue
            reference = _words(template)
            if " ".join(reference) in " ".join(words):
                return True
            # difflib's two upper bounds of the ratio first (lengths, then word bags),
            # the exact ratio only for steps that could still be an echo.
            total = len(words) + len(reference)
            if 2 * min(len(words), len(reference)) < self.echo_overlap * total:
                continue
            shared = sum((Counter(words) & Counter(reference)).values())
            if 2 * shared < self.echo_overlap * total:
                continue
            matcher = SequenceMatcher(None, words, reference, autojunk=False)
            if matcher.ratio() >= self.echo_overlap:
                return True
        return False

    def score_all(self, texts, kwargs):
        sets = self._sets(kwargs, len(texts))
        out = {name: [] for name in self.components}
        for text, label_set in zip(texts, sets, strict=True):
            parsed = self.parser.parse(text)
            steps = parsed.steps
            flags = {
                "guard_echo": self._echo(steps),
                "guard_empty": any(len(_words(s or "")) < self.min_step_words for s in steps),
                "guard_multilabel": parsed.answer is not None
                and len(label_set.mentions(parsed.answer)) > 1,
                "guard_repeat": parsed.n_boxes > 1
                or any(code.startswith("repeated_") for code in parsed.malformed),
                "guard_overlong": len(text.split()) > self.max_words,
            }
            for name, hit in flags.items():
                out[name].append(-1.0 if hit else 0.0)
        return out
