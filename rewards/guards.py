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

import itertools
import re

from rewards import _inputs
from rewards._fused import N_BOXES, NEED_REPEAT, NEED_STEPS, NEED_WORDS, REPEATED, STEPS, WORDS
from rewards._guards import (
    EMOTION_WORDS,
    INJECTION_WORDS,
    INSTRUCTION_WORDS,
    SET_STEP_TEMPLATES,
    Template,
    copied_share,
    injected_words,
    said_yes,
    words_of,
)
from rewards.base import MultiReward
from rewards.errors import InvalidInputError

__all__ = ["SET_STEP_TEMPLATES", "HackingGuards"]

_SYMBOL = re.compile(r"[^\w\s.,;:!?'\"()\-]")  # neither a word character nor punctuation

_words = words_of  # kept for callers of the old private helper


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
    needs = NEED_STEPS | NEED_WORDS | NEED_REPEAT

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
        # the flags of the empty response: only guard_empty (when steps need words)
        self._blank = (0.0, -1.0 if min_step_words > 0 else 0.0, *(0.0,) * 8)
        last = len(self.templates) - 1  # the last step (affect) legitimately reuses its words
        padding = (None,) * max(0, len(self.parser.tags) - len(self.templates))
        self._templates = (
            tuple(Template(t, echo_overlap, i < last) for i, t in enumerate(self.templates))
            + padding
        )

    def _echo(self, steps) -> bool:
        """Whether any step echoes its template (see the module docs)."""
        return any(
            self._echo_words(words_of(step or ""), template)
            for step, template in zip(steps, self._templates, strict=False)
            if template is not None
        )

    def _echo_words(
        self, words: list[str], template: Template, prompt_words: frozenset = INSTRUCTION_WORDS
    ) -> bool:
        if template.echoed(words, self.echo_overlap):
            return True
        return template.paraphrase and _paraphrase(words, prompt_words.intersection(words))

    def columns(self, batch):
        rows = batch.rows(self.parser, self.needs)
        answers = batch.answers(self.parser, self.needs, self.label_set)
        sets = batch.sets(self.label_set)
        captions = _inputs.captions(batch.kwargs, batch.n) or _NO_CAPTIONS
        least, templates, overlap = self.min_step_words, self._templates, self.echo_overlap
        repeats, many = self.stuffing_repeats, self.stuffing_words
        short, most, filler = 2 * self.max_words, self.max_words, self._filler
        out = []
        blank = self._blank
        for row, read, text, label_set, caption in zip(
            rows, answers, batch.texts, sets, captions, strict=False
        ):
            if not text:
                out.append(blank)
                continue
            vocab = _vocabulary(label_set)
            steps, words_all = row[STEPS], row[WORDS]
            # the words every check looks for, found once for step1+step2 and once for
            # the rest (supersets of each step's: the per-step checks narrow them)
            first = words_all[0] + words_all[1] if len(words_all) > 1 else words_all[0]
            hits_first = vocab.special.intersection(first)
            rest = [w for words in words_all[2:] for w in words] if len(words_all) > 2 else []
            hits = hits_first | vocab.special.intersection(rest) if rest else hits_first
            reasoning = first + rest
            emotions = hits & vocab.emotion
            echo = padded = False
            for step, words, template in zip(steps, words_all, templates, strict=False):
                if template is not None and not echo and len(words) >= template.least:
                    echo = template.echoed(words, overlap, template.distinct & hits) or (
                        template.paraphrase and _paraphrase(words, vocab)
                    )
                if not padded and step:
                    letters = sum(map(len, words))
                    if 4 * letters < 3 * len(step):  # else no room for filler
                        padded = filler(step, letters)
            stuffed = bool(emotions) and _stuffed(words_all, reasoning, emotions, repeats, many)
            out.append(
                (
                    -1.0 if echo else 0.0,
                    -1.0 if min(map(len, words_all), default=least) < least else 0.0,
                    -1.0 if read[1] else 0.0,
                    -1.0 if row[N_BOXES] > 1 or row[REPEATED] else 0.0,
                    -1.0 if len(text) > short and len(text.split()) > most else 0.0,
                    -1.0 if stuffed else 0.0,
                    -1.0 if vocab.mismatch(read[0], hits_first, first) else 0.0,
                    -1.0
                    if said_yes(text)
                    or (hits & INJECTION_WORDS and any(map(injected_words, words_all)))
                    else 0.0,
                    -1.0 if padded else 0.0,
                    -1.0 if caption and self._copied(words_all, caption) else 0.0,
                )
            )
        columns = list(map(list, zip(*out, strict=True))) if out else [[] for _ in self.components]
        return dict(zip(self.components, columns, strict=True))

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

    def _copied(self, words_all: tuple, caption: str | None) -> bool:
        if not caption or not words_all:
            return False
        step1 = words_all[0]
        if len(step1) < self.copy_ngram:
            return False
        return copied_share(step1, words_of(caption), self.copy_ngram) >= self.copy_share

    def score_all(self, texts, kwargs):
        return self.columns(self._batch(texts, kwargs))


_NO_CAPTIONS = itertools.repeat(None)


class _Vocabulary:
    """The word sets of one label set the guards look for."""

    __slots__ = ("emotion", "keys", "label_set", "prompt", "special")

    def __init__(self, label_set):
        keys = {k: v for k, v in label_set._table.items() if " " not in k}
        self.label_set = label_set
        self.keys = None if label_set._multiword else keys  # one-word name/synonym -> label
        self.emotion = EMOTION_WORDS | frozenset(keys)
        names = frozenset(w for name in label_set.names for w in words_of(name))
        self.prompt = INSTRUCTION_WORDS | names
        self.special = self.emotion | self.prompt | INJECTION_WORDS

    def mismatch(self, boxed: str | None, hits: set[str], reasoning: list[str]) -> bool:
        """step1/step2 (``reasoning``; ``hits``: its special words) name labels, by name or
        synonym, none of them the boxed one."""
        if boxed is None:
            return False
        if self.keys is None:
            found = set(self.label_set._found(reasoning))
        else:
            keys = self.keys
            found = {keys[w] for w in hits if w in keys}
        return bool(found) and boxed not in found


_VOCABULARIES: dict[int, tuple[object, _Vocabulary]] = {}


def _vocabulary(label_set) -> _Vocabulary:
    """The (cached) word sets of a label set."""
    cached = _VOCABULARIES.get(id(label_set))
    if cached is not None and cached[0] is label_set:
        return cached[1]
    if len(_VOCABULARIES) > 256:  # label sets built on the fly: keep the cache small
        _VOCABULARIES.clear()
    vocab = _Vocabulary(label_set)
    _VOCABULARIES[id(label_set)] = (label_set, vocab)
    return vocab


def _paraphrase(words: list[str], vocab: _Vocabulary) -> bool:
    """5+ distinct words, 70% of them the prompt's own (at least 4 of them, then)."""
    if len(words) < 5:
        return False
    present = vocab.prompt.intersection(words)
    if len(present) < 4:
        return False
    distinct = set(words)
    return len(distinct) >= 5 and 10 * len(present) >= 7 * len(distinct)


def _stuffed(
    words_all: tuple, reasoning: list[str], emotions: set[str], repeats: int, many: int
) -> bool:
    """In some step, one emotion word ``repeats`` times, or ``many`` emotion words in all.

    ``emotions``: the emotion words of the whole reasoning; fewer than
    ``min(repeats, many)`` of them there leaves no step stuffed.
    """
    total = sum(map(reasoning.count, emotions))
    if total < min(repeats, many):
        return False
    for words in words_all:
        counts = [words.count(w) for w in emotions]
        if max(counts, default=0) >= repeats or sum(counts) >= many:
            return True
    return False
