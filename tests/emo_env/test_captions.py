"""The caption benchmark: counts, balance, splits, wording rules, duplicates, loading.

Wording rules, checked on every caption:
- one or two sentences, at most 40 words, ending with . ! or ?;
- no emotion words: no label name or synonym of ANY label set's normaliser (mikels8,
  emotion6, webemo7, webemo25: ``LabelSet.mentions``), no word of :data:`STEMS` (each
  Mikels label's names, synonyms and close relatives by stem, e.g. ``frighten*``,
  ``terrif*``, ``awesome``, ``content*`` the noun included) and no word of
  :data:`OTHER_EMOTIONS`. The own label's words are the issue's rule; the other labels'
  words keep the benchmark about reading scenes rather than keywords.

Near-duplicate thresholds (lower-cased words, punctuation dropped), for every pair of
benchmark captions and against the embedded set's captions and the TRL one-shot
examples: bag-of-words Jaccard < 0.5, word-3-shingle Jaccard < 0.25, and no shared
6-word sequence.
"""

from __future__ import annotations

import doctest
import hashlib
import itertools
import re
from collections import Counter

import datasets
import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import emo_env  # noqa: F401 - registers the environment ids
from agents.trl.data import HIDDEN_IMAGE, ONE_SHOT_EXAMPLES, prompt_dataset
from emo_env.data import DataError, get_sample, load_dataset
from emo_env.data import captions as cap
from emo_env.data import embedded as emb
from rewards.errors import InvalidInputError
from rewards.labels import LABEL_SETS

LABELS = LABEL_SETS["mikels8"].names
STEMS = {
    "amusement": r"amus\w*|fun|funny|funnier|funniest|funnily|humou?r\w*|playful\w*|hilari\w*",
    "anger": r"anger\w*|angr\w*|(?:en|out)?rag(?:e|ed|es|ing)|furi\w*|fury|mad|madly|madder"
    r"|madden\w*|annoy\w*|irrita\w*|exasperat\w*|livid|wrath\w*|hostil\w*",
    "awe": r"awe|awed|awes|awesome\w*|awestruck|wonder\w*|amaz\w*|marvel\w*|majest\w*"
    r"|breathtaking|sublime",
    "contentment": r"content\w*|calm\w*|peace\w*|seren(?:e|ely|ity)|satisf\w*|tranquil\w*|relax\w*",
    "disgust": r"disgust\w*|revuls\w*|revolt\w*|gross\w*|repuls\w*|nause\w*|vile|yuck\w*|icky",
    "excitement": r"excit\w*|thrill\w*|enthusias\w*|exhilarat\w*|ecsta\w*|euphori\w*|eager\w*",
    "fear": r"fear\w*|afraid|scare|scared|scares|scary|scarier|scariest|frighten\w*|fright\w*"
    r"|terror\w*|terrif\w*|horr\w*|anxi\w*|panic\w*|dread\w*|petrified|spook\w*|creepy",
    "sadness": r"sad|sadly|sadder|saddest|sadden\w*|sorrow\w*|grie\w*|unhapp\w*|melanchol\w*"
    r"|depress\w*|mourn\w*|despair\w*|heartbr\w*|lonely|loneliness|gloom\w*|miser\w*"
    r"|traged\w*|tragic\w*",
}
OTHER_EMOTIONS = (
    r"joy\w*|happ(?:y|ier|iest|ily|iness)|delight\w*|surpris\w*|astonish\w*|shock\w*|love|loves"
    r"|loved|lovely|loving|confus\w*|pride|proud\w*|envy|envious|shame\w*|asham\w*"
    r"|relie(?:f|ved)|suffer\w*|neglect\w*|optimis\w*|sympath\w*|zest|lust\w*|grateful"
    r"|gratitude|affection\w*|cheerful\w*|nervous\w*|disappoint\w*|enthrall\w*|glee\w*"
    r"|jealous\w*|guilt\w*|dismay\w*|emotion\w*|feel\w*|felt|mood\w*"
)
_STEM_RE = {label: re.compile(rf"\b(?:{words})\b") for label, words in STEMS.items()}
_OTHER_RE = re.compile(rf"\b(?:{OTHER_EMOTIONS})\b")
_WORD_SETS = ("mikels8", "emotion6", "webemo7", "webemo25")
# sha256 of the sorted test ids, one per line: the split must not move
TEST_IDS_SHA256 = "98848abc7cbd0bf9c4a1cac296db77e167df4245bac69097a059a7f04fb50589"


@pytest.fixture(scope="module")
def rows():
    return list(cap.records())


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _shingles(text: str, k: int) -> set[tuple[str, ...]]:
    words = _tokens(text)
    return {tuple(words[i : i + k]) for i in range(len(words) - k + 1)}


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def test_counts_and_balance(rows):
    per_label = Counter(r["label"] for r in rows)
    assert len(rows) >= 400 and set(per_label) == set(LABELS)
    assert min(per_label.values()) >= 50
    assert len(set(per_label.values())) == 1  # exactly balanced


def test_splits_balanced_disjoint_and_stable(rows):
    by_split = {s: Counter(r["label"] for r in rows if r["split"] == s) for s in ("train", "test")}
    assert {r["split"] for r in rows} == {"train", "test"}
    assert set(by_split["test"].values()) == {15} and len(by_split["test"]) == 8
    assert len(set(by_split["train"].values())) == 1
    train, test = load_dataset("captions", "train"), load_dataset("captions", "test")
    assert set(train["id"]).isdisjoint(test["id"])
    assert len(train) + len(test) == len(rows) and len(test) >= 96
    digest = hashlib.sha256("\n".join(sorted(test["id"])).encode()).hexdigest()
    assert digest == TEST_IDS_SHA256


def test_ids_are_stable_and_name_their_label(rows):
    pattern = re.compile(r"captions/([a-z]+)/(\d{3})")
    numbers: dict[str, list[int]] = {}
    for row in rows:
        match = pattern.fullmatch(row["id"])
        assert match and match.group(1) == row["label"], row["id"]
        numbers.setdefault(row["label"], []).append(int(match.group(2)))
    for label, got in numbers.items():
        assert got == list(range(1, len(got) + 1)), label  # 001, 002, ... in file order


def test_length_and_sentences(rows):
    for row in rows:
        text = row["caption"]
        sentences = re.findall(r"[.!?](?=\s|$)", text)
        assert 1 <= len(sentences) <= 2 and text.endswith((".", "!", "?")), row["id"]
        assert len(text.split()) <= 40, row["id"]
        assert text == text.strip() and "  " not in text, row["id"]


def test_no_own_label_words(rows):
    mikels = LABEL_SETS["mikels8"]
    for row in rows:
        text, label = row["caption"], row["label"]
        assert label not in mikels.mentions(text), (row["id"], mikels.mentions(text))
        found = _STEM_RE[label].findall(text.lower())
        assert not found, (row["id"], found)


def test_no_other_emotion_words(rows):
    for row in rows:
        low = row["caption"].lower()
        named = {s: LABEL_SETS[s].mentions(row["caption"]) for s in _WORD_SETS}
        assert not any(named.values()), (row["id"], named)
        stems = {lab: p.findall(low) for lab, p in _STEM_RE.items() if p.findall(low)}
        assert not stems, (row["id"], stems)
        assert not _OTHER_RE.findall(low), (row["id"], _OTHER_RE.findall(low))


def test_the_word_checks_catch_what_they_should():
    mikels = LABEL_SETS["mikels8"]
    assert mikels.mentions("A furious man shouts.") == ["anger"]
    assert _STEM_RE["fear"].findall("a terrifying, frightening night") == [
        "terrifying",
        "frightening",
    ]
    assert _STEM_RE["awe"].findall("an awesome view") == ["awesome"]
    assert _STEM_RE["contentment"].findall("the contents of a box") == ["contents"]
    assert _STEM_RE["sadness"].findall("a saddle by a grieving widow") == ["grieving"]
    assert not _STEM_RE["contentment"].findall("the Serengeti plain")
    assert _OTHER_RE.findall("a happy, surprised boy") == ["happy", "surprised"]


def test_no_near_duplicates(rows):
    texts = [r["caption"] for r in rows]
    others = [c for c, _ in ONE_SHOT_EXAMPLES] + [r["caption"] for r in emb.records()]
    words = [set(_tokens(t)) for t in texts + others]
    three = [_shingles(t, 3) for t in texts + others]
    six = [_shingles(t, 6) for t in texts + others]
    n = len(texts)
    pairs = itertools.chain(
        itertools.combinations(range(n), 2),
        itertools.product(range(n), range(n, n + len(others))),
    )
    for i, j in pairs:
        assert _jaccard(words[i], words[j]) < 0.5, (texts[i], (texts + others)[j])
        assert _jaccard(three[i], three[j]) < 0.25, (texts[i], (texts + others)[j])
        assert not six[i] & six[j], (texts[i], (texts + others)[j], six[i] & six[j])


def test_loader_round_trip(tmp_path):
    everything = load_dataset("captions", "all")
    assert everything.column_names == ["id", "image", "label", "label_set", "caption", "dataset"]
    assert isinstance(everything.features["image"], datasets.Image)
    assert len(set(everything["id"])) == len(everything)
    assert set(everything["label"]) == set(LABELS) and set(everything["label_set"]) == {"mikels8"}
    assert set(everything["dataset"]) == {"captions"} and set(everything["image"]) == {None}
    row = get_sample(everything, "captions/fear/017")
    stored = next(r for r in cap.records() if r["id"] == "captions/fear/017")
    assert row["label"] == "fear" and row["caption"] == stored["caption"]
    polar = load_dataset("captions", "test", label_set="sentiment2")
    assert set(polar["label"]) == {"positive", "negative"}
    with pytest.raises(DataError, match="Splits present: test, train"):
        load_dataset("captions", "val")
    test = load_dataset("captions", "test")
    test.save_to_disk(str(tmp_path / "saved"))  # a saved text-only copy loads again
    again = load_dataset(str(tmp_path / "saved"), "all")
    assert list(again["id"]) == list(test["id"]) and set(again["image"]) == {None}


def test_env_on_captions_passes_check_env_and_scores_exactly():
    env = gym.make("EmoReason-v0", dataset="captions", split="test", image_size=32)
    check_env(env.unwrapped, skip_render_check=True)
    obs, info = env.reset(seed=0, options={"sample_id": "captions/awe/002"})
    caption = get_sample(load_dataset("captions", "test"), "captions/awe/002")["caption"]
    assert info["label"] == "awe" and info["dataset"] == "captions"
    assert obs["image"].shape == (32, 32, 3) and not obs["image"].any()  # blank image
    assert obs["caption"] == caption and f"Image description: {caption}" in obs["prompt"]
    steps = "<step1>a</step1><step2>b</step2><step3>c</step3> "
    _, reward, terminated, _, info = env.step(steps + "\\boxed{awe}")
    assert (reward, terminated, info["correct"]) == (1.0, True, True)  # emo_r3_paper, no judge
    env.reset(options={"sample_id": "captions/awe/002"})
    _, reward, _, _, info = env.step(steps + "\\boxed{fear}")
    assert round(reward, 6) == 0.2 and not info["correct"]  # 0.1 format + 0.1 reflective


def test_trl_prompts_read_the_caption():
    test = load_dataset("captions", "test")
    ds = prompt_dataset(test, vlm=False)
    assert len(ds) == len(test) and ds[HIDDEN_IMAGE][:3] == [None, None, None]
    for row in ds.select(range(0, len(ds), 17)):
        assert f"Image description: {row['caption']}" in row["prompt"][-1]["content"]
    shots = prompt_dataset(test, vlm=False, one_shot=True, limit=3)
    assert [m["role"] for m in shots[0]["prompt"]] == ["user", "assistant", "user"]
    with pytest.raises(InvalidInputError, match="120 of 120 rows have no image"):
        prompt_dataset(test, vlm=True)


def test_openrlhf_prompts_are_text_only(tmp_path):
    from agents.openrlhf.data import write_prompt_dataset

    path = write_prompt_dataset(tmp_path, "captions", "test", vision=False)
    lines = path.read_text().splitlines()
    first = load_dataset("captions", "test")[0]
    assert len(lines) == 120 and f"Image description: {first['caption']}" in lines[0]
    with pytest.raises(InvalidInputError, match=r"has no image .* vision=False"):
        write_prompt_dataset(tmp_path / "v", "captions", "test", vision=True)


def test_module_docstring_example_runs():
    result = doctest.testmod(cap, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
