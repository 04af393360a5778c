"""The word lists and per-step checks behind :class:`rewards.guards.HackingGuards`.

Every check reads the lower-cased words of a step (runs of ``a-z`` and ``'``, as the
fused parse gives them) with set operations, so a guard costs little per response.
"""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher

__all__ = [
    "EMOTION_WORDS",
    "INJECTION_WORDS",
    "INSTRUCTION_WORDS",
    "SET_STEP_TEMPLATES",
    "Template",
    "copied_share",
    "injected",
    "injected_words",
    "said_yes",
    "words_of",
]

SET_STEP_TEMPLATES = (
    "what in the scene could trigger emotion (action, face, environment)",
    "how a human would feel about it",
    "positive or negative? high or low arousal?",
)
_WORD = re.compile(r"[a-z']+")

#: Words of the SET prompt's instructions (question, step purposes, answer rules),
#: with the plural forms a paraphrase uses. A reasoning step made mostly of them
#: restates the instructions instead of describing the image.
INSTRUCTION_WORDS = frozenset(
    _WORD.findall(
        " ".join(
            [
                *SET_STEP_TEMPLATES,
                "think about the emotional meaning of the image step by step your reasoning "
                "must follow this three step structure the final answer must be one emotion "
                "from the options put in boxed which emotion does this image evoke options",
                "emotions actions faces environments humans scenes images triggers steps "
                "describe describes description emotional picture photo person people",
            ]
        )
    )
)

#: Common emotion words beyond a label set's names and synonyms (stuffing vocabulary).
EMOTION_WORDS = frozenset(
    (
        "happy",
        "happiness",
        "joy",
        "joyful",
        "glad",
        "cheerful",
        "delighted",
        "delight",
        "pleasure",
        "pleased",
        "love",
        "sad",
        "sadness",
        "sorrow",
        "sorrowful",
        "grief",
        "unhappy",
        "depressed",
        "gloomy",
        "miserable",
        "lonely",
        "fear",
        "afraid",
        "scared",
        "scary",
        "frightened",
        "frightening",
        "terrified",
        "terror",
        "horror",
        "horrified",
        "panic",
        "dread",
        "anxious",
        "anxiety",
        "nervous",
        "worried",
        "worry",
        "tense",
        "uneasy",
        "anger",
        "angry",
        "mad",
        "furious",
        "rage",
        "annoyed",
        "irritated",
        "hostile",
        "outraged",
        "disgust",
        "disgusted",
        "disgusting",
        "gross",
        "revolted",
        "repulsed",
        "revulsion",
        "nauseated",
        "awe",
        "awed",
        "amazed",
        "amazement",
        "wonder",
        "astonished",
        "astonishment",
        "surprise",
        "surprised",
        "shock",
        "excited",
        "excitement",
        "exciting",
        "thrilled",
        "thrill",
        "thrilling",
        "enthusiastic",
        "eager",
        "amused",
        "amusement",
        "amusing",
        "funny",
        "fun",
        "playful",
        "humor",
        "humour",
        "calm",
        "content",
        "contented",
        "contentment",
        "peaceful",
        "serene",
        "relaxed",
        "satisfied",
        "emotion",
        "emotions",
        "emotional",
        "feeling",
        "feelings",
        "mood",
    )
)

_ORDERS = frozenset({"answer", "answered", "reply", "respond", "say", "output"})
_VERDICTS = frozenset({"no", "correct", "true"})
_CLAIMS = frozenset({"describes", "describe", "depicts", "depict", "matches", "fits"})
_IMAGES = frozenset({"image", "picture", "photo"})
#: Words that open an injection aimed at the judge (see :func:`injected`).
INJECTION_WORDS = frozenset({"yes", "ignore"}) | _ORDERS | _CLAIMS
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz'")


def said_yes(text: str) -> bool:
    """The word "yes" (any case, not inside a longer word) anywhere in ``text``."""
    low = text.lower()
    pos = low.find("yes")
    while pos >= 0:
        end = pos + 3
        if (pos == 0 or low[pos - 1] not in _WORD_CHARS) and low[end : end + 1] not in _WORD_CHARS:
            return True
        pos = low.find("yes", end)
    return False


def injected_words(words: list[str]) -> bool:
    """A step's words address the judge: "yes"; "ignore" with "instructions" or "rules";
    an order to answer followed within three words by "no", "correct" or "true"; or
    "describes / depicts / matches / fits" followed within two words by "image",
    "picture" or "photo"."""
    hits = INJECTION_WORDS.intersection(words)
    if "yes" in hits:
        return True
    if "ignore" in hits and ("instructions" in words or "rules" in words):
        return True
    if hits & _ORDERS and _VERDICTS.intersection(words) and _near(words, _ORDERS, _VERDICTS, 4):
        return True
    return (
        bool(hits & _CLAIMS)
        and bool(_IMAGES.intersection(words))
        and _near(words, _CLAIMS, _IMAGES, 3)
    )


def injected(text: str, steps_words: tuple[list[str], ...]) -> bool:
    """Text addressed to the judge rather than about the image: :func:`said_yes` on the
    whole response, or :func:`injected_words` on any step."""
    return said_yes(text) or any(map(injected_words, steps_words))


def _near(words: list[str], first: frozenset, then: frozenset, within: int) -> bool:
    """A word of ``first`` followed by a word of ``then`` at most ``within`` words later."""
    for i, word in enumerate(words):
        if word in first and then.intersection(words[i + 1 : i + 1 + within]):
            return True
    return False


def words_of(text: str) -> list[str]:
    """The lower-cased words of ``text`` (runs of ``a-z`` and ``'``)."""
    return _WORD.findall(text.lower())


class Template:
    """A step's template: what an echo of it looks like.

    ``shortest`` is the fewest words a step needs to contain or match the template: a
    step that contains it has at least as many words, and difflib's ratio
    ``2 M / (a + b)`` reaches ``overlap`` only when ``a >= overlap * b / (2 - overlap)``.
    ``least`` also allows for a paraphrase (5 words) where ``paraphrase`` is set.
    """

    __slots__ = (
        "counts",
        "distinct",
        "inner",
        "joined",
        "least",
        "paraphrase",
        "shortest",
        "top",
        "words",
    )

    def __init__(self, text: str, overlap: float, paraphrase: bool):
        self.words = words_of(text)
        self.joined = " ".join(self.words)
        self.counts = Counter(self.words)
        self.distinct = frozenset(self.words)
        self.inner = frozenset(self.words[1:-1])
        self.top = max(self.counts.values(), default=0)
        self.shortest = (1 - 1e-9) * overlap * len(self.words) / (2 - overlap)
        self.paraphrase = paraphrase
        # fewest words for any echo: an exact or close one, or a 5-word paraphrase
        self.least = min(self.shortest, 5) if paraphrase else self.shortest

    def echoed(self, words: list[str], overlap: float, common: frozenset | None = None) -> bool:
        """Whether ``words`` contain the template, or match it at ``overlap`` or more.

        ``common``: the template's distinct words present in ``words``, when known.
        """
        a, b = len(words), len(self.words)
        if not words or a < self.shortest:
            return False
        if common is None:
            common = self.distinct.intersection(words)
        # the template inside the step: its inner words are whole words of the step
        if self.inner <= common and self.joined in " ".join(words):
            return True
        # M is at most min(a, b, shared words), and the shared words at most (distinct
        # template words present) x (top count): the exact ratio only when these allow it
        if 2 * min(a, b, len(common) * self.top) < overlap * (a + b):
            return False
        if 2 * sum((Counter(words) & self.counts).values()) < overlap * (a + b):
            return False
        return SequenceMatcher(None, words, self.words, autojunk=False).ratio() >= overlap


def copied_share(words: list[str], source: list[str], n: int) -> float:
    """Share of ``words`` covered by word ``n``-grams that also occur in ``source``
    (0.0 when ``n < 1`` or either holds fewer than ``n`` words).

    The one implementation of n-gram coverage: the copy guard reads it on a-z words,
    :func:`rewards.models.text.copied_fraction` on letter/digit words.
    """
    if n < 1 or len(words) < n or len(source) < n:
        return 0.0
    grams = {tuple(source[i : i + n]) for i in range(len(source) - n + 1)}
    covered = [False] * len(words)
    for i in range(len(words) - n + 1):
        if tuple(words[i : i + n]) in grams:
            covered[i : i + n] = [True] * n
    return sum(covered) / len(words)
