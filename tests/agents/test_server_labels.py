"""The JSON label field (agents.common.labels) and response extraction (agents.common.queries)."""

from __future__ import annotations

import pytest

from agents.common.labels import LabelInfo, decode_label, encode_label, encode_row
from agents.common.queries import response_from_query
from agents.common.scorer import RewardScorer
from rewards import presets
from rewards.errors import EmoError, InvalidInputError


def test_round_trip_and_forms():
    text = encode_label("Joy", "emotion6", sample_id="s1", dataset="d", caption="c")
    assert decode_label(text) == LabelInfo("Joy", "emotion6", None, "s1", "d", "c")
    assert decode_label("  awe ") == LabelInfo("awe", "mikels8")
    assert decode_label({"label": "joy"}, "emotion6").label_set == "emotion6"
    assert decode_label('{"label": "fear", "label_set": null}').label_set == "mikels8"


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ('{"label": "fear", "img": "x"}', "Unknown label field"),
        ('{"label": "fear", "image": 3}', "'image' must be a string"),
        ('{"image": "x"}', "needs a 'label' key"),
        ("[1]", None),  # not an object, read as a bare label: no such label
        ('{"label": ', "not valid JSON"),
        (7, "must be a string"),
        ('{"label": "joy"}', "Unknown label of 'mikels8' 'joy'"),  # not a Mikels label
        ('{"label": "fear", "label_set": "mikels"}', "Did you mean 'mikels8'"),
    ],
)
def test_bad_labels(value, match):
    with pytest.raises(EmoError, match=match):
        decode_label(value)


def test_encode_row():
    row = {
        "id": "embedded/rocket",
        "label": "excitement",
        "label_set": "mikels8",
        "caption": "a launch",
        "dataset": "embedded",
    }
    assert decode_label(encode_row(row)).sample_id == "embedded/rocket"
    assert decode_label(encode_row(row, "none")).sample_id is None
    with pytest.raises(InvalidInputError):
        encode_row(row, "path")


@pytest.mark.parametrize(
    ("query", "prompt", "response", "found"),
    [
        ("P: answer", "P: ", "answer", True),
        ("P: answer<|im_end|>", "P: ", "answer", True),
        ("P: answer</s>\n<|endoftext|>", "P: ", "answer", True),
        ("<s>P: answer", "P: ", "answer", True),  # decoded with a BOS the prompt lacks
        ("other answer", "P: ", "other answer", False),
    ],
)
def test_response_from_query(query, prompt, response, found):
    assert response_from_query(query, prompt) == (response, found)


@pytest.mark.parametrize("name", presets.names())
def test_every_preset_can_back_the_server(name):
    scorer = RewardScorer(name)  # models load lazily: nothing heavy happens here
    assert scorer.load_images == (name == "emo_r3_clip")  # only CLIP reads images
    assert scorer.low < scorer.high
