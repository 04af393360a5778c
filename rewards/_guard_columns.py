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
from operator import le, not_

from rewards import _inputs
from rewards._columns import UNKNOWN, listed
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
    if n == 1:  # one response: the same checks, without the batch passes
        values = _one(guards, batch, scanned, named[0], several[0])
        return {name: [v] for name, v in zip(guards.components, values, strict=True)}
    texts = batch.texts
    out = dict.fromkeys(guards.components)
    most = guards.max_words
    zeros = [0.0] * n
    out["guard_multilabel"] = [-1.0 if s else 0.0 for s in several] if True in several else zeros
    if (n and max(scanned.n_boxes) > 1) or True in scanned.repeated:
        out["guard_repeat"] = [
            -1.0 if b > 1 or r else 0.0
            for b, r in zip(scanned.n_boxes, scanned.repeated, strict=True)
        ]
    else:
        out["guard_repeat"] = zeros[:]
    if n and max(map(len, texts)) > 2 * most:  # a shorter one holds at most max_words words
        out["guard_overlong"] = [
            -1.0 if len(t) > 2 * most and len(t.split(None, most)) > most else 0.0 for t in texts
        ]
    else:
        out["guard_overlong"] = zeros[:]
    lengths = scanned.sizes
    fewest = list(map(min, *lengths)) if len(lengths) > 1 else lengths[0]
    least = guards.min_step_words
    if n and min(fewest) < least:
        out["guard_empty"] = [-1.0 if m < least else 0.0 for m in fewest]
    else:
        out["guard_empty"] = zeros[:]
    same = batch.uniform_set(guards.label_set)
    captions = _inputs.captions(batch.kwargs, n)
    if not any(texts):  # no word anywhere: only guard_empty can fire
        flags = {}
    elif same is not None:
        vocab = guards.vocabulary(same)
        flags = _word_guards(guards, vocab, scanned, named, texts, captions, range(n))
    else:
        flags = {}
        sets = batch.sets(guards.label_set)
        for label_set in {id(s): s for s in sets}.values():  # a LabelSet is unhashable
            rows = [i for i, s in enumerate(sets) if s is label_set]
            vocab = guards.vocabulary(label_set)
            found = _word_guards(guards, vocab, scanned, named, texts, captions, rows)
            for name, hits in found.items():
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


def _one(guards, batch, scanned, boxed, several: bool) -> list[float]:
    """The ten guards of a batch's only response, in component order (``boxed``: the
    label its box names or None; ``several``: the box names two or more)."""
    text = batch.texts[0]
    sizes = [column[0] for column in scanned.sizes]
    most, least = guards.max_words, guards.min_step_words
    empty = min(sizes, default=least) < least
    repeat_ = scanned.n_boxes[0] > 1 or scanned.repeated[0]
    overlong = len(text) > 2 * most and len(text.split(None, most)) > most
    echo = stuffed = mismatch = injection = padded = copied = False
    if text:
        vocab = guards.vocabulary(batch.sets(guards.label_set)[0])
        words = [column[0] for column in scanned.words]
        hits = list(map(vocab.special.intersection, words))
        echo = any(
            check is not None
            and size >= check.least
            and echo_step(guards, vocab, check, w, size, h)
            for w, size, h, check in zip(words, sizes, hits, vocab.checks, strict=False)
        )
        repeats, many = guards.stuffing_repeats, guards.stuffing_words
        for w, h in zip(words, hits, strict=True):
            emotions = vocab.emotion.intersection(h)
            if emotions and stuffed_step(listed(w), emotions, repeats, many):
                stuffed = True
                break
        if vocab.keys is None:
            second = listed(words[1]) if len(words) > 1 else []
            mismatch = boxed is not None and named_elsewhere(
                vocab, boxed, listed(words[0]) + second
            )
        else:
            naming = [h for h in hits[:2] if not vocab.keyset.isdisjoint(h)]
            mismatch = bool(naming) and all(map(vocab.by_label[boxed].isdisjoint, naming))
        injection = (scanned.yes[0] and said_yes(text)) or any(
            not INJECTION_WORDS.isdisjoint(h) and injected_words(listed(w))
            for w, h in zip(words, hits, strict=True)
        )
        fewest = 10 if guards.filler_share <= 0.5 else 1
        scanners = guards.parser._scanners
        padded = any(
            others[0] >= fewest
            and padded_step(guards, scanners[j].content(text) or "", _letters(words[j]), others[0])
            for j, others in enumerate(scanned.others)
        )
        captions = _inputs.captions(batch.kwargs, 1)
        if captions is not None and captions[0]:
            copied = guards._copied(listed(words[0]), captions[0])
    flags = (echo, empty, several, repeat_, overlong, stuffed, mismatch, injection, padded, copied)
    return [-1.0 if flag else 0.0 for flag in flags]


class _Steps:
    """One step of the responses that hold words there: their batch indices, words,
    word counts and special words (:attr:`Vocabulary.special` among them)."""

    __slots__ = ("hits", "rows", "sizes", "words")

    def __init__(self, words: list, sizes: list[int], rows, special: frozenset):
        if len(rows) != len(sizes):  # some responses of the batch
            kept = [i for i in rows if sizes[i]]
            words, sizes, rows = [words[i] for i in kept], [sizes[i] for i in kept], kept
        elif 0 in sizes:  # every response: keep those with words, in C
            rows = list(compress(rows, sizes))
            words, sizes = list(compress(words, sizes)), list(filter(None, sizes))
        self.rows, self.words, self.sizes = rows, words, sizes
        self.hits = list(map(special.intersection, words))

    def holding(self, vocabulary: frozenset) -> list[int]:
        """Positions (in this step's lists) whose special words meet ``vocabulary``."""
        return list(
            compress(range(len(self.rows)), map(not_, map(vocabulary.isdisjoint, self.hits)))
        )


def _word_guards(guards, vocab, scanned, named, texts, captions, rows) -> dict:
    """Indices of the responses (among ``rows``) each word-reading guard flags."""
    steps = [
        _Steps(column, sizes, rows, vocab.special)
        for column, sizes in zip(scanned.words, scanned.sizes, strict=True)
    ]
    flags = {
        "guard_echo": _echoes(guards, vocab, steps),
        "guard_stuffing": _stuffed(guards, vocab.emotion, steps, scanned.long),
        "guard_mismatch": _mismatched(vocab, steps, scanned.words, named),
    }
    # injection: "yes" anywhere, or a step holding a word an injection opens with
    yes = scanned.yes
    injected = {i for i in rows if yes[i] and said_yes(texts[i])}
    for step in steps:
        for k in step.holding(INJECTION_WORDS):
            i = step.rows[k]
            if i not in injected and any(injected_words(listed(c[i])) for c in scanned.words):
                injected.add(i)
    flags["guard_injection"] = sorted(injected)
    flags["guard_filler"] = _padded(guards, scanned, texts, rows)
    # copy: step1 covered by n-grams of the caption
    if captions is None:
        flags["guard_copy"] = []
    else:
        first = scanned.words[0]
        flags["guard_copy"] = [
            i for i in rows if captions[i] and guards._copied(listed(first[i]), captions[i])
        ]
    return flags


def _mismatched(vocab, steps, words, named) -> list[int]:
    """Responses whose step1/step2 name labels (by name or synonym), none the boxed one."""
    if vocab.keys is None:  # two-word names: read in order
        rows = sorted({i for step in steps[:2] for i in step.rows if named[i] is not None})
        second = words[1] if len(words) > 1 else repeat([])
        return [
            i
            for i in rows
            if named_elsewhere(vocab, named[i], listed(words[0][i]) + listed(second[i]))
        ]
    own = vocab.by_label  # the words naming each label (all of them for no label)
    keyset = vocab.keyset
    # flagged: a step names some label, and no step names the boxed one (a step naming
    # no label names none of the boxed label's words either: own[x] is in the keyset)
    naming, boxed = set(), set()
    for step in steps[:2]:
        rows, hits = step.rows, step.hits
        naming.update(compress(rows, map(not_, map(keyset.isdisjoint, hits))))
        owns = map(own.__getitem__, map(named.__getitem__, rows))
        boxed.update(compress(rows, map(not_, map(frozenset.isdisjoint, owns, hits))))
    return sorted(naming - boxed)


def _padded(guards, scanned, texts, rows) -> list[int]:
    """Steps of filler (:meth:`~rewards.guards.HackingGuards._filler`). Its three rules
    need 10+ characters that are neither word characters nor spaces (1+ when
    ``filler_share > 0.5``); then letters under ``filler_share`` of at most ``letters +
    others`` characters, or 10+ characters that are not ASCII or are ASCII symbols
    (every foreign character and every symbol is one)."""
    share = guards.filler_share
    fewest = 10 if share <= 0.5 else 1
    padded = set()
    scanners, starts, ends = guards.parser._scanners, *scanned.spans
    allowed = None if len(rows) == scanned.n else set(rows)
    pieces = scanned.pieces
    for j, (column, others) in enumerate(zip(scanned.words, scanned.others, strict=True)):
        found = compress(range(len(others)), map(le, repeat(fewest), others))
        for i in found if allowed is None else (i for i in found if i in allowed):
            if i in padded:
                continue
            mark = others[i]
            if pieces is None or mark == UNKNOWN:
                letters = _letters(column[i])
            else:  # the view piece: word characters, spaces and ``mark`` tabs
                piece = pieces[j][i]
                letters = len(piece) - piece.count(" ") - mark
            a = starts[j][i]  # -1: absent, or a response parsed on its own
            raw = texts[i][a : ends[j][i]] if a >= 0 else scanners[j].content(texts[i]) or ""
            if padded_step(guards, raw, letters, mark):
                padded.add(i)
    return sorted(padded)


def _letters(words) -> int:
    """How many characters a step's words hold."""
    return sum(map(len, listed(words)))


def padded_step(guards, raw: str, letters: int, others: int) -> bool:
    """The filler check of one step (``raw``: its text, maybe unstripped; ``letters``:
    the characters of its words; ``others``: a bound on its characters that are neither
    word characters nor spaces)."""
    if letters >= guards.filler_share * (letters + others) and _odd(raw) < 10:
        return False
    step = raw.strip()
    return bool(step) and guards._filler(step, letters)


def _odd(text: str) -> int:
    """How many characters of ``text`` are not ASCII or are ASCII symbols (neither word
    characters, whitespace nor ``.,;:!?'"()-``): a bound on its foreign characters and on
    its symbols."""
    return len(text) - len(text.encode("ascii", "ignore").translate(None, _ASCII_SYMBOLS))


_ASCII_SYMBOLS = bytes(
    c for c in range(128) if not (chr(c).isalnum() or chr(c).isspace() or chr(c) in "_.,;:!?'\"()-")
)


def _echoes(guards, vocab, steps) -> list[int]:
    """Steps with enough of their template's (or the prompt's) words for their length,
    then :meth:`~rewards.guards.HackingGuards._echo_step` on those."""
    echo = set()
    for step, check in zip(steps, vocab.checks, strict=False):
        if check is None or max(step.sizes, default=0) < check.least:
            continue
        found = step.hits
        # how many relevant words a step of its length needs: its special words first
        fewest = list(map(check.need.get, step.sizes, repeat(check.far)))
        near = list(compress(range(len(found)), map(le, fewest, map(len, found))))
        relevant = map(len, map(check.relevant.intersection, [found[k] for k in near]))
        for k in compress(near, map(le, [fewest[k] for k in near], relevant)):
            i = step.rows[k]
            if i not in echo and guards._echo_step(
                listed(step.words[k]), check.template, found[k], vocab.prompt
            ):
                echo.add(i)
    return sorted(echo)


def echo_step(guards, vocab, check, words, size: int, hits: frozenset) -> bool:
    """The echo check of one step (as :func:`_echoes` decides it for a batch)."""
    fewest = check.need.get(size, check.far)
    if len(hits) < fewest or len(check.relevant.intersection(hits)) < fewest:
        return False
    return guards._echo_step(listed(words), check.template, hits, vocab.prompt)


def _stuffed(guards, emotion, steps, long: bool) -> list[int]:
    """Steps holding ``stuffing_repeats`` of one emotion word or ``stuffing_words`` in all:
    only a step with an emotion word, then only one with at least as many occurrences
    of emotion words as the smaller threshold."""
    repeats, many = guards.stuffing_repeats, guards.stuffing_words
    least = min(repeats, many)
    stuffed = set()
    for step in steps:
        holding = step.holding(emotion)
        if not holding:
            continue
        words = [step.words[k] for k in holding]
        if long:
            words = list(map(listed, words))
        present = list(map(emotion.intersection, [step.hits[k] for k in holding]))
        occurrences = map(sum, map(map, map(getattr, words, repeat("count")), present))
        for k, found, es in compress(
            zip(holding, words, present, strict=True), map(le, repeat(least), occurrences)
        ):
            if stuffed_step(found, es, repeats, many):
                stuffed.add(step.rows[k])
    return sorted(stuffed)


def stuffed_step(words: list[str], emotions, repeats: int, many: int) -> bool:
    """One emotion word (of ``emotions``, those in the step) ``repeats`` times or
    ``many`` emotion words in all among ``words``."""
    counts = list(map(words.count, emotions))
    return max(counts, default=0) >= repeats or sum(counts) >= many


def named_elsewhere(vocab, boxed: str, reasoning: list[str]) -> bool:
    """Reasoning (step1/step2 words) naming labels, none of them ``boxed``, read in order
    (label sets with two-word names)."""
    found = set(vocab.label_set._found(reasoning))
    return bool(found) and boxed not in found
