"""The hacking guards and the affect reward by their plain definitions (test oracle).

Each guard is computed here the slow, obvious way, from the full parse of one response
(:meth:`rewards.parsing.Parser.parse`) and the words of each step found by a regular
expression: no prefilter, no shared work, no bound. The fast implementation in
``rewards`` must agree with these on every input (``test_guard_equivalence.py``).
"""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher

from rewards._guards import EMOTION_WORDS, INSTRUCTION_WORDS, SET_STEP_TEMPLATES
from rewards.labels import get_label_set
from rewards.parsing import get_parser

WORD = re.compile(r"[a-z']+")
YES = re.compile(r"(?<![a-z'])yes(?![a-z'])")
SYMBOL = re.compile(r"[^\w\s.,;:!?'\"()\-]")
ORDERS = {"answer", "answered", "reply", "respond", "say", "output"}
VERDICTS = {"no", "correct", "true"}
CLAIMS = {"describes", "describe", "depicts", "depict", "matches", "fits"}
IMAGES = {"image", "picture", "photo"}
POLARITIES = ("positive", "negative", "neutral")
AROUSALS = ("high", "low")
NEGATORS = {"not", "no", "isn't", "isnt", "never", "neither", "nor", "without"}

DEFAULTS = {
    "min_step_words": 3,
    "max_words": 400,
    "echo_overlap": 0.8,
    "templates": SET_STEP_TEMPLATES,
    "stuffing_repeats": 3,
    "stuffing_words": 5,
    "filler_share": 0.5,
    "copy_ngram": 4,
    "copy_share": 0.7,
}


def words(text: str | None) -> list[str]:
    return WORD.findall((text or "").lower())


def echoes(step: list[str], template: list[str], overlap: float) -> bool:
    """The step contains the template, or their word-sequence ratio reaches ``overlap``."""
    if not step:
        return False
    if " ".join(template) in " ".join(step):
        return True
    return SequenceMatcher(None, step, template, autojunk=False).ratio() >= overlap


def paraphrases(step: list[str], prompt: set[str]) -> bool:
    distinct = set(step)
    return (
        len(step) >= 5 and len(distinct) >= 5 and 10 * len(distinct & prompt) >= 7 * len(distinct)
    )


def near(step: list[str], first: set[str], then: set[str], within: int) -> bool:
    return any(
        step[i] in first and step[j] in then
        for i in range(len(step))
        for j in range(i + 1, min(len(step), i + 1 + within))
    )


def injected(step: list[str]) -> bool:
    return (
        "yes" in step
        or ("ignore" in step and ("instructions" in step or "rules" in step))
        or near(step, ORDERS, VERDICTS, 4)
        or near(step, CLAIMS, IMAGES, 3)
    )


def filler(step: str, share: float) -> bool:
    letters = sum(len(w) for w in words(step))
    chars = len(step) - step.count(" ")
    if chars < 20:
        return False
    if letters < share * chars:
        return True
    if chars - letters < 10:
        return False
    foreign = sum(1 for c in step if ord(c) > 127)
    if foreign >= 20 and 4 * foreign >= chars:
        return True
    if 4 * letters >= 3 * chars:
        return False
    symbols = len(SYMBOL.findall(step))
    return symbols >= 10 and 5 * symbols >= chars


def copied(step: list[str], caption: list[str], n: int) -> float:
    if len(step) < n or len(caption) < n:
        return 0.0
    grams = {tuple(caption[i : i + n]) for i in range(len(caption) - n + 1)}
    covered = set()
    for i in range(len(step) - n + 1):
        if tuple(step[i : i + n]) in grams:
            covered.update(range(i, i + n))
    return len(covered) / len(step)


def guards(text: str, label_set="mikels8", caption: str | None = None, **settings) -> dict:
    """``{guard component: 0.0 or -1.0}`` of one response under :class:`HackingGuards`."""
    s = {**DEFAULTS, **settings}
    ls = get_label_set(label_set)
    parsed = get_parser("set").parse(text)
    steps = [words(step) for step in parsed.steps]
    one_word = {k: v for k, v in ls._table.items() if " " not in k}
    emotion = EMOTION_WORDS | set(one_word)
    prompt = INSTRUCTION_WORDS | {w for name in ls.names for w in words(name)}
    templates = [words(t) for t in s["templates"]]
    echo = any(
        echoes(step, template, s["echo_overlap"])
        or (i < len(templates) - 1 and paraphrases(step, prompt))
        for i, (step, template) in enumerate(zip(steps, templates, strict=False))
    )
    stuffed = False
    for step in steps:
        counts = Counter(w for w in step if w in emotion)
        if counts and (
            max(counts.values()) >= s["stuffing_repeats"]
            or sum(counts.values()) >= s["stuffing_words"]
        ):
            stuffed = True
    boxed, several = ls.read(parsed.answer) if parsed.answer is not None else (None, False)
    named = set(ls._found(steps[0] + steps[1]))
    repeated = any(f"repeated_{tag}" in parsed.malformed for tag in ("step1", "step2", "step3"))
    flags = {
        "guard_echo": echo,
        "guard_empty": min(len(step) for step in steps) < s["min_step_words"],
        "guard_multilabel": several,
        "guard_repeat": parsed.n_boxes > 1 or repeated,
        "guard_overlong": len(text.split()) > s["max_words"],
        "guard_stuffing": stuffed,
        "guard_mismatch": boxed is not None and bool(named) and boxed not in named,
        "guard_injection": YES.search(text.lower()) is not None or any(map(injected, steps)),
        "guard_filler": any(filler(step, s["filler_share"]) for step in parsed.steps if step),
        "guard_copy": bool(caption)
        and copied(steps[0], words(caption), s["copy_ngram"]) >= s["copy_share"],
    }
    return {name: -1.0 if flag else 0.0 for name, flag in flags.items()}


def affect(text: str, label_set="mikels8") -> float:
    """The affect reward of one response: step3's stated affect against the boxed label."""
    ls = get_label_set(label_set)
    parsed = get_parser("set").parse(text)
    step3 = words(parsed.steps[2])
    name = ls.read(parsed.answer)[0] if parsed.answer is not None else None
    if not step3 or name is None:
        return 0.0
    polarity, arousal = ls[name].polarity, ls[name].arousal
    said_polarity, strict, loose = set(), set(), set()
    for i, word in enumerate(step3):
        if word not in POLARITIES and word not in AROUSALS:
            continue
        if NEGATORS & set(step3[max(0, i - 2) : i]):
            continue
        if word in POLARITIES:
            said_polarity.add(word)
        else:
            loose.add(word)
            if "arousal" in step3[i + 1 : i + 4]:
                strict.add(word)
    said_arousal = strict if len(strict) == 1 else loose
    stated_polarity = next(iter(said_polarity)) if len(said_polarity) == 1 else None
    stated_arousal = next(iter(said_arousal)) if len(said_arousal) == 1 else None
    if arousal is None:
        return 1.0 if stated_polarity == polarity else 0.0
    return 0.5 * (stated_polarity == polarity) + 0.5 * (stated_arousal == arousal)
