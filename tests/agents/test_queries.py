"""Locating the response in an OpenRLHF query: expanded media placeholders, end markers."""

from __future__ import annotations

import pytest

from agents.common.queries import response_from_query

QWEN = "<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>Q?<|im_end|>\n<|im_start|>assistant\n"


def expand(prompt: str, token: str, n: int) -> str:
    return prompt.replace(token, token * n)


@pytest.mark.parametrize(
    ("query", "prompt", "expected"),
    [
        # Qwen2-VL: one <|image_pad|> in the prompt, one per merged patch in the query
        (expand(QWEN, "<|image_pad|>", 64) + "A<|im_end|>", QWEN, ("A", True)),
        # two images, two runs of different lengths
        (
            "<|image_pad|>" * 3 + "x" + "<|image_pad|>" * 9 + "Q: " + "A",
            "<|image_pad|>x<|image_pad|>Q: ",
            ("A", True),
        ),
        # a video placeholder
        ("<|video_pad|>" * 5 + "Q: A", "<|video_pad|>Q: ", ("A", True)),
        # Gemma 3: <start_of_image> becomes "\n\n<start_of_image>" + soft tokens + "<end_of_image>\n\n"
        (
            "<start_of_turn>user\n\n\n<start_of_image>" + "<image_soft_token>" * 8
            + "<end_of_image>\n\nQ?<end_of_turn>\n<start_of_turn>model\nA<end_of_turn>",
            "<start_of_turn>user\n<start_of_image>Q?<end_of_turn>\n<start_of_turn>model\n",
            ("A", True),
        ),
        # the response may itself repeat the generation prompt or hold media tokens
        (
            expand(QWEN, "<|image_pad|>", 4) + "A <|im_start|>assistant\n<|image_pad|>",
            QWEN,
            ("A <|im_start|>assistant\n<|image_pad|>", True),
        ),
        # text-only prompts: prefix, BOS, not found
        ("<s>P: answer", "P: ", ("answer", True)),
        ("other answer", "P: ", ("other answer", False)),
        # an image prompt whose tail is missing from the query is not found
        ("<|image_pad|>" * 4 + "A", "<|image_pad|>Q: ", ("<|image_pad|>" * 4 + "A", False)),
    ],
)  # fmt: skip
def test_prompt_located(query, prompt, expected):
    assert response_from_query(query, prompt) == expected


@pytest.mark.parametrize(
    ("query", "response"),
    [
        ("P: answer </s>\n<|endoftext|>  ", "answer"),
        ("P: answer<|im_end|><|im_end|>\n", "answer"),
        ("P: a</s>b<eos>", "a</s>b"),  # only trailing markers go
        ("P: <|eot_id|>", ""),
    ],
)
def test_end_markers_stripped(query, response):
    assert response_from_query(query, "P: ") == (response, True)


def test_long_runs_of_end_markers_and_pads_are_handled_in_one_pass():
    """8 MB of markers: stripping one at a time copied the text each time (minutes)."""
    assert response_from_query("Q: x" + "</s>" * 2_000_000, "Q: ") == ("x", True)
    query = "<|image_pad|>" * 1_000_000 + "Q: x" + " \n<|im_end|>" * 500_000
    assert response_from_query(query, "<|image_pad|>Q: ") == ("x", True)
    assert response_from_query("</s>" * 2_000_000 + "x", "P")[0] == "</s>" * 2_000_000 + "x"
