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

from rewards._fused import N_BOXES, NEED_REPEAT, NEED_WORDS, REPEATED, WORDS
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


def _template(text: str) -> tuple:
    """A template's words, joined form, counts, inner words, distinct words, top count."""
    words = _words(text)
    counts = Counter(words)
    top = max(counts.values(), default=0)
    return words, " ".join(words), counts, frozenset(words[1:-1]), frozenset(words), top


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
    needs = NEED_WORDS | NEED_REPEAT

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
        padding = (None,) * max(0, len(self.parser.tags) - len(self.templates))
        self._templates = tuple(_template(t) for t in self.templates) + padding

    def _echo(self, steps) -> bool:
        """Whether any step echoes its template (see the class docs)."""
        return any(
            self._echo_words(_words(step or ""), template)
            for step, template in zip(steps, self._templates, strict=False)
            if template is not None
        )

    def _echo_words(self, words: list[str], template: tuple) -> bool:
        reference, joined, counts, inner, distinct, top = template
        a, b = len(words), len(reference)
        # both a containing step (a >= b) and a close one (2a >= overlap (a + b)) are long
        if not words or a * (2 - self.echo_overlap) < self.echo_overlap * b:
            return False
        common = distinct.intersection(words)
        # the template inside the step: its inner words are whole words of the step
        if inner <= common and joined in " ".join(words):
            return True
        # difflib's ratio is 2 M / (a + b) with M at most min(a, b, shared words), and
        # the shared words at most (distinct template words present) x (top count):
        # the exact ratio only for steps these bounds cannot rule out.
        if 2 * min(a, b, len(common) * top) < self.echo_overlap * (a + b):
            return False
        if 2 * sum((Counter(words) & counts).values()) < self.echo_overlap * (a + b):
            return False
        matcher = SequenceMatcher(None, words, reference, autojunk=False)
        return matcher.ratio() >= self.echo_overlap

    def columns(self, batch):
        rows = batch.rows(self.parser, self.needs)
        answers = batch.answers(self.parser, self.needs, self.label_set)
        least, echo_words = self.min_step_words, self._echo_words
        # a step shorter than this cannot echo its template (see _echo_words)
        checks = [
            (t, (1 - 1e-9) * self.echo_overlap * len(t[0]) / (2 - self.echo_overlap))
            if t
            else (None, float("inf"))
            for t in self._templates
        ]
        short, most = 2 * self.max_words, self.max_words
        out = []
        for row, read, text in zip(rows, answers, batch.texts, strict=True):
            hit_echo = hit_empty = False
            for words, (template, shortest) in zip(row[WORDS], checks, strict=False):
                n = len(words)
                if n < least:
                    hit_empty = True
                if n >= shortest and not hit_echo and echo_words(words, template):
                    hit_echo = True
            out.append(
                (
                    -1.0 if hit_echo else 0.0,
                    -1.0 if hit_empty else 0.0,
                    -1.0 if read[1] else 0.0,
                    -1.0 if row[N_BOXES] > 1 or row[REPEATED] else 0.0,
                    -1.0 if len(text) > short and len(text.split()) > most else 0.0,
                )
            )
        columns = list(map(list, zip(*out, strict=True))) if out else [[] for _ in range(5)]
        return dict(zip(self.components, columns, strict=True))

    def score_all(self, texts, kwargs):
        return self.columns(self._batch(texts, kwargs))
