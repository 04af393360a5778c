"""Reward-hacking guards: penalties for responses that game the rule rewards.

:class:`HackingGuards` yields one component per guard, each 0.0 (clean) or -1.0
(triggered). Which hack each one catches (the families of the hacking battery in
``tests/rewards/test_hacking_battery.py``):

=====================  ===================================================================
``guard_echo``         template or instruction echo: a step repeats its template
                       ("what in the scene could trigger emotion ...") exactly, closely
                       (word-sequence similarity >= ``echo_overlap``), or in paraphrase
                       (step1/step2: 5+ distinct words, 70% of them the prompt's own:
                       its instructions, question and label options)
``guard_empty``        empty or one-word steps, missing steps, reasoning in another
                       script (a step with fewer than ``min_step_words`` a-z words)
``guard_multilabel``   the box names two or more labels ("joy or sadness", a label list)
``guard_repeat``       several answers boxed, one box per label, repeated step blocks
``guard_overlong``     over-long reasoning (more than ``max_words`` words)
``guard_stuffing``     label or emotion-word stuffing in any step (one emotion word
                       ``stuffing_repeats`` times, or ``stuffing_words`` emotion words)
``guard_mismatch``     reasoning copied from another sample: step1/step2 name labels
                       (or their synonyms), none of them the boxed one
``guard_injection``    text aimed at the judge: a "yes" anywhere, or in a step "answer
                       ... correct/no/true", "it describes/matches the image", "ignore
                       the instructions"
``guard_filler``       filler in symbols or another language: a step of 20+ characters
                       whose a-z letters are under ``filler_share`` of its non-space ones,
                       or with 20+ non-ASCII characters or 10+ symbols (neither word
                       characters nor punctuation) making a quarter or a fifth of them
``guard_copy``         step1 copied from the ``caption`` column: ``copy_share`` or more
                       of its words in word ``copy_ngram``-grams shared with the caption
                       (0 without a caption column)
=====================  ===================================================================

Answer-then-reasoning and steps out of order fail the format reward; a tag with odd
spacing (``< step1 >``) is read as a tag, so it dodges no guard.

Example:
    >>> from rewards.guards import HackingGuards
    >>> g = HackingGuards()
    >>> r = "<step1>a</step1><step2>b</step2><step3>c</step3>\\\\boxed{awe, fear}"
    >>> g.score_components(None, [r])["guard_multilabel"]
    [-1.0]
"""

from __future__ import annotations

import re

from rewards._guard_columns import NEEDS, Vocabulary, guard_columns
from rewards._guards import SET_STEP_TEMPLATES, Template, copied_share, words_of
from rewards.base import MultiReward
from rewards.errors import InvalidInputError

__all__ = ["SET_STEP_TEMPLATES", "HackingGuards"]

_SYMBOL = re.compile(r"[^\w\s.,;:!?'\"()\-]")  # neither a word character nor punctuation


class HackingGuards(MultiReward):
    """Ten reward-hacking detectors, each a component in {-1.0, 0.0} (see module docs).

    Args:
        min_step_words: a step with fewer words counts as empty.
        max_words: a response with more words counts as overlong.
        echo_overlap: word-sequence similarity (difflib ratio) to the step's template at
            or above which the step counts as an echo; a step containing the whole
            template counts too.
        templates: one template per step (default: the SET step purposes).
        stuffing_repeats: one emotion word this many times in a step is stuffing.
        stuffing_words: this many emotion words in a step is stuffing.
        filler_share: least share of a-z letters among a step's non-space characters.
        copy_ngram, copy_share: step1 words covered by caption n-grams that count as copying.
    """

    components = (
        "guard_echo",
        "guard_empty",
        "guard_multilabel",
        "guard_repeat",
        "guard_overlong",
        "guard_stuffing",
        "guard_mismatch",
        "guard_injection",
        "guard_filler",
        "guard_copy",
    )
    value_range = (-1.0, 0.0)
    needs = NEEDS

    def __init__(
        self,
        parser="set",
        label_set="mikels8",
        min_step_words: int = 3,
        max_words: int = 400,
        echo_overlap: float = 0.8,
        templates: tuple[str, ...] | None = None,
        stuffing_repeats: int = 3,
        stuffing_words: int = 5,
        filler_share: float = 0.5,
        copy_ngram: int = 4,
        copy_share: float = 0.7,
    ):
        super().__init__("hacking_guards", parser, label_set)
        if min_step_words < 0 or max_words < 1 or not 0 < echo_overlap <= 1:
            raise InvalidInputError(
                "HackingGuards needs min_step_words >= 0, max_words >= 1 and 0 < echo_overlap <= 1."
            )
        if stuffing_repeats < 2 or stuffing_words < 2 or copy_ngram < 1:
            raise InvalidInputError(
                "HackingGuards needs stuffing_repeats >= 2, stuffing_words >= 2, copy_ngram >= 1."
            )
        if not 0 <= filler_share <= 1 or not 0 < copy_share <= 1:
            raise InvalidInputError("filler_share must be in [0, 1] and copy_share in (0, 1].")
        self.min_step_words = min_step_words
        self.max_words = max_words
        self.echo_overlap = echo_overlap
        self.stuffing_repeats, self.stuffing_words = stuffing_repeats, stuffing_words
        self.filler_share = filler_share
        self.copy_ngram, self.copy_share = copy_ngram, copy_share
        if templates is None:
            templates = SET_STEP_TEMPLATES if self.parser.name == "set" else ()
        self.templates = tuple(templates)
        last = len(self.templates) - 1  # the last step (affect) legitimately reuses its words
        padding = (None,) * max(0, len(self.parser.tags) - len(self.templates))
        self._templates = (
            tuple(Template(t, echo_overlap, i < last) for i, t in enumerate(self.templates))
            + padding
        )[: len(self.parser.tags)]
        self._vocabularies: dict[int, tuple[object, Vocabulary]] = {}

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_vocabularies"] = {}  # rebuilt on first use
        return state

    def vocabulary(self, label_set) -> Vocabulary:
        """The word sets these guards look for under ``label_set`` (built once)."""
        cached = self._vocabularies.get(id(label_set))
        if cached is not None and cached[0] is label_set:
            return cached[1]
        if len(self._vocabularies) > 64:  # label sets built on the fly: keep it small
            self._vocabularies.clear()
        vocab = Vocabulary(label_set, self._templates, self.echo_overlap)
        self._vocabularies[id(label_set)] = (label_set, vocab)
        return vocab

    def columns(self, batch):
        return guard_columns(self, batch)

    def score_all(self, texts, kwargs):
        return self.columns(self._batch(texts, kwargs))

    # --- the exact checks, run where the batch-wide necessary conditions hold -----------

    def _echo_step(self, words: list[str], template: Template, hits, prompt) -> bool:
        """Whether a step (``words``; ``hits``: its special words) echoes ``template``."""
        if template.echoed(words, self.echo_overlap, template.distinct & hits):
            return True
        return template.paraphrase and _paraphrase(words, prompt.intersection(hits))

    def _filler(self, step: str, letters: int) -> bool:
        """Symbols or another script in a step (``letters``: its a-z letters)."""
        chars = len(step) - step.count(" ")
        if chars < 20:
            return False
        if letters < self.filler_share * chars:
            return True
        if chars - letters < 10:  # too few other characters for either rule below
            return False
        if not step.isascii():
            foreign = len(step) - len(step.encode("ascii", "ignore"))
            if foreign >= 20 and 4 * foreign >= chars:
                return True
        if 4 * letters >= 3 * chars:  # three quarters letters: no room for symbol filler
            return False
        symbols = _SYMBOL.subn("", step)[1]
        return symbols >= 10 and 5 * symbols >= chars

    def _copied(self, step1: list[str], caption: str | None) -> bool:
        """Whether step1 (its words) is copied from ``caption``."""
        if not caption or len(step1) < self.copy_ngram:
            return False
        return copied_share(step1, words_of(caption), self.copy_ngram) >= self.copy_share


def _paraphrase(words: list[str], present: frozenset) -> bool:
    """5+ distinct words, 70% of them the prompt's own (``present``: those in ``words``)."""
    if len(words) < 5 or len(present) < 4:
        return False
    distinct = set(words)
    return len(distinct) >= 5 and 10 * len(present) >= 7 * len(distinct)
