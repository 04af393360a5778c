"""The ten guards of :class:`rewards.guards.HackingGuards` over a whole batch, guard by guard.

Each guard is decided for every response of the batch at once: first a necessary
condition computed with C-level passes over the batch (``map`` of set intersections,
lengths, counts), then the guard's exact definition on the few responses that meet it.
The necessary conditions:

* every step's *special words* (``special & words``: emotion words, the prompt's words,
  the template words and the words an injection opens with) are found once; each guard
  reads the part it needs from them;
* echo: a step can contain or closely match its template, or paraphrase the prompt,
  only with at least :attr:`_TemplateCheck.need` of the template's (or the prompt's)
  words for its length;
* stuffing: only a step holding an emotion word; mismatch: only step1/step2 naming a
  label; injection: only a response holding ``yes`` or an injection word;
* filler: a step of 20+ characters is filler only with 10 or more characters that are
  neither word characters nor spaces (when ``filler_share <= 0.5``; 1 or more above),
  counted by the batch scan;
* overlong: a response of ``2 * max_words`` characters or fewer holds at most
  ``max_words`` words.

``tests/rewards/test_guard_equivalence.py`` checks the guards against their plain
definitions on generated batches.
"""

from __future__ import annotations

import math
from itertools import compress, repeat
from operator import le, or_

from rewards import _inputs
from rewards._columns import listed
from rewards._fused import NEED_MARKS, NEED_REPEAT, NEED_WORDS
from rewards._guards import (
    EMOTION_WORDS,
    INJECTION_WORDS,
    INSTRUCTION_WORDS,
    injected_words,
    said_yes,
    words_of,
)

__all__ = ["NEEDS", "Vocabulary", "guard_columns"]

#: The batch-scan fields the guards read.
NEEDS = NEED_WORDS | NEED_REPEAT | NEED_MARKS
_FAR = 1 << 30


class _TemplateCheck:
    """When a step of ``a`` words can echo its template: the fewest of the template's
    distinct words (or, for a paraphrase, of the prompt's words) it must hold.

    Containing the template needs its inner words; the word-sequence ratio passes
    :meth:`~rewards._guards.Template.echoed`'s bound ``2 min(a, b, c top) >= overlap
    (a + b)`` only from some count ``c`` of distinct template words on (none past
    ``a = b (2 - overlap) / overlap``); a paraphrase needs 5+ words and 4+ of the
    prompt's words. :attr:`need` holds the least of these per length, :attr:`far` the
    value for every longer step.
    """

    __slots__ = ("far", "least", "need", "relevant", "template")

    def __init__(self, template, overlap: float, prompt: frozenset):
        self.template = template
        self.least = template.least
        b, top, inner = len(template.words), template.top, len(template.inner)
        para = template.paraphrase
        self.relevant = template.distinct | prompt if para else template.distinct
        self.far = min(inner, 4 if para else _FAR)
        need = {}
        for a in range(max(b, math.ceil(b * (2 - overlap) / overlap) + 1, 5) + 1):
            best = _FAR
            if a >= template.shortest:  # as Template.echoed decides
                ratio = (c for c in range(b + 1) if 2 * min(a, b, c * top) >= overlap * (a + b))
                best = min(inner, next(ratio, _FAR))
            if para and a >= 5:
                best = min(best, 4)
            need[a] = best
        self.need = need


class Vocabulary:
    """The word sets of one guard configuration and label set."""

    __slots__ = ("by_label", "checks", "emotion", "keys", "keyset", "label_set", "prompt")
    __slots__ += ("special",)

    def __init__(self, label_set, templates: tuple, overlap: float):
        keys = {k: v for k, v in label_set._table.items() if " " not in k}
        self.label_set = label_set
        self.keys = None if label_set._multiword else keys  # one-word name/synonym -> label
        self.keyset = frozenset(keys)
        by_label = {
            name: frozenset(k for k, v in keys.items() if v == name) for name in label_set.names
        }
        by_label[None] = self.keyset  # no boxed label: no mismatch (see guard_columns)
        self.by_label = by_label
        self.emotion = EMOTION_WORDS | self.keyset
        names = frozenset(w for name in label_set.names for w in words_of(name))
        self.prompt = INSTRUCTION_WORDS | names
        template_words = frozenset(w for t in templates if t is not None for w in t.words)
        self.special = self.emotion | self.prompt | INJECTION_WORDS | template_words
        self.checks = tuple(
            None if t is None else _TemplateCheck(t, overlap, self.prompt) for t in templates
        )


def guard_columns(guards, batch) -> dict[str, list[float]]:
    """Every guard's column for ``batch`` (see :class:`rewards.guards.HackingGuards`)."""
    n = batch.n
    scanned = batch.scan(guards.parser, NEEDS)
    named, several = batch.answers(guards.parser, NEEDS, guards.label_set)
    texts = batch.texts
    out = dict.fromkeys(guards.components)
    most = guards.max_words
    out["guard_multilabel"] = [-1.0 if s else 0.0 for s in several]
    out["guard_repeat"] = [
        -1.0 if b > 1 or r else 0.0 for b, r in zip(scanned.n_boxes, scanned.repeated, strict=True)
    ]
    if n and max(map(len, texts)) > 2 * most:  # a shorter one holds at most max_words words
        out["guard_overlong"] = [
            -1.0 if len(t) > 2 * most and len(t.split(None, most)) > most else 0.0 for t in texts
        ]
    else:
        out["guard_overlong"] = [0.0] * n
    lengths = scanned.sizes
    fewest = list(map(min, *lengths)) if len(lengths) > 1 else lengths[0]
    least = guards.min_step_words
    out["guard_empty"] = [-1.0 if m < least else 0.0 for m in fewest]
    same = batch.uniform_set(guards.label_set)
    if same is not None or not n:
        flags = _word_guards(
            guards,
            guards.vocabulary(same),
            scanned,
            lengths,
            named,
            texts,
            _inputs.captions(batch.kwargs, n),
            range(n),
        )
    else:
        flags = {}
        sets = batch.sets(guards.label_set)
        captions = _inputs.captions(batch.kwargs, n)
        for label_set in dict.fromkeys(sets):
            rows = [i for i, s in enumerate(sets) if s is label_set]
            for name, hits in _word_guards(
                guards, guards.vocabulary(label_set), scanned, lengths, named, texts, captions, rows
            ).items():
                flags.setdefault(name, []).extend(hits)
    for name in (
        "guard_echo",
        "guard_stuffing",
        "guard_mismatch",
        "guard_injection",
        "guard_filler",
        "guard_copy",
    ):
        column = [0.0] * n
        for i in flags.get(name, ()):
            column[i] = -1.0
        out[name] = column
    return out


def _word_guards(guards, vocab, scanned, lengths, named, texts, captions, rows) -> dict:
    """Indices of the responses (among ``rows``) each word-reading guard flags."""
    every = len(rows) == scanned.n
    pick = (lambda column: column) if every else (lambda column: [column[i] for i in rows])
    words = [pick(column) for column in scanned.words]
    sizes = [pick(column) for column in lengths]
    hits = [list(map(vocab.special.intersection, column)) for column in words]
    boxed = pick(named)
    index = list(rows)
    flags = {}
    # echo: a step with enough of its template's (or the prompt's) words for its length
    echo = set()
    positions = range(len(index))
    for j, check in enumerate(vocab.checks):
        if check is None or j >= len(words):
            continue
        fewest = map(check.need.get, sizes[j], repeat(check.far))
        present = map(len, map(check.relevant.intersection, hits[j]))
        for k in compress(positions, map(le, fewest, present)):
            if k not in echo and guards._echo_step(
                listed(words[j][k]), check.template, hits[j][k], vocab.prompt
            ):
                echo.add(k)
    flags["guard_echo"] = [index[k] for k in sorted(echo)]
    # stuffing: steps holding an emotion word
    repeats, many = guards.stuffing_repeats, guards.stuffing_words
    stuffed = set()
    for column, found in zip(words, hits, strict=True):
        emotional = list(map(vocab.emotion.intersection, found))
        for k in compress(range(len(index)), emotional):
            es = emotional[k]
            if k in stuffed:
                continue
            if len(es) >= many:
                stuffed.add(k)
                continue
            step = listed(column[k])
            counts = list(map(step.count, es))
            if max(counts) >= repeats or sum(counts) >= many:
                stuffed.add(k)
    flags["guard_stuffing"] = [index[k] for k in sorted(stuffed)]
    # mismatch: step1/step2 name labels, none of them the boxed one
    if vocab.keys is None:  # two-word names: read in order
        second = words[1] if len(words) > 1 else repeat([])
        mismatch = [
            k
            for k, (b, one, two) in enumerate(zip(boxed, words[0], second, strict=False))
            if b is not None and _named_elsewhere(vocab, b, listed(one) + listed(two))
        ]
    else:
        keyset, own = vocab.keyset, vocab.by_label
        first = list(map(keyset.intersection, hits[0]))
        if len(hits) > 1:
            first = list(map(or_, first, map(keyset.intersection, hits[1])))
        mismatch = [
            k for k in compress(range(len(index)), first) if own[boxed[k]].isdisjoint(first[k])
        ]
    flags["guard_mismatch"] = [index[k] for k in mismatch]
    # injection: "yes" anywhere, or a step opening with an injection word
    yes = pick(scanned.yes)
    injected = {k for k in compress(range(len(index)), yes) if said_yes(texts[index[k]])}
    for column, found in zip(words, hits, strict=True):
        for k in compress(range(len(index)), map(INJECTION_WORDS.intersection, found)):
            if k not in injected and injected_words(listed(column[k])):
                injected.add(k)
    flags["guard_injection"] = [index[k] for k in sorted(injected)]
    # filler: steps with enough characters that are neither word characters nor spaces
    fewest = 10 if guards.filler_share <= 0.5 else 1
    padded = set()
    scanners = guards.parser._scanners
    for j, (column, others) in enumerate(zip(words, map(pick, scanned.others), strict=True)):
        for k in [k for k, o in enumerate(others) if o >= fewest and k not in padded]:
            step = scanners[j].content(texts[index[k]])
            if step and guards._filler(step, sum(map(len, listed(column[k])))):
                padded.add(k)
    flags["guard_filler"] = [index[k] for k in sorted(padded)]
    # copy: step1 covered by n-grams of the caption
    if captions is None:
        flags["guard_copy"] = []
    else:
        flags["guard_copy"] = [
            i
            for k, i in enumerate(index)
            if captions[i] and guards._copied(listed(words[0][k]), captions[i])
        ]
    return flags


def _named_elsewhere(vocab, boxed: str, reasoning: list[str]) -> bool:
    found = set(vocab.label_set._found(reasoning))
    return bool(found) and boxed not in found
