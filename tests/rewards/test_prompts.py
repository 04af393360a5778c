"""Prompt templates: the authors' SET template byte for byte, and the others' shape."""

from __future__ import annotations

import jinja2
import pytest

from rewards.errors import InvalidInputError, UnknownNameError
from rewards.prompts import (
    REFERENCE_INSTRUCTION,
    TEMPLATES,
    build_prompt,
    question,
    render_reference,
    template_format,
)

# Transcribed from the authors' repository, SeerRay-Lab/emo-r3 at commit
# 238b27c2b62d64ced1005050412a62e46c1201c8, examples/format_prompt/emor3.jinja (the file
# examples/qwen2_5_vl_3b_emor3.sh passes as data.format_prompt; it ends with one "\n").
EMOR3_JINJA = (
    "{{ content | trim }}\n"
    "\n"
    "You First think the emotional meaning step by step, and then provide the final answer.\n"
    "\n"
    "The reasoning process MUST follow the structure below:\n"
    "<step1>Identify what in the scene could trigger emotion (action, face, environment)."
    "</step1>\n"
    "<step2>Describe how a human would feel about it.</step2>\n"
    "<step3>Conclude if the emotion is positive or negative, and if it's high or low arousal."
    "</step3>\n"
    "\n"
    "The final answer MUST BE put in \\boxed{}.\n"
)

# The prompt for the EmoSet (Mikels) question, as the reference renders it.
EXPECTED_MIKELS = (
    "Which emotion does this image evoke? Options: amusement, anger, awe, contentment, "
    "disgust, excitement, fear, sadness.\n"
    "\n"
    "You First think the emotional meaning step by step, and then provide the final answer.\n"
    "\n"
    "The reasoning process MUST follow the structure below:\n"
    "<step1>Identify what in the scene could trigger emotion (action, face, environment)."
    "</step1>\n"
    "<step2>Describe how a human would feel about it.</step2>\n"
    "<step3>Conclude if the emotion is positive or negative, and if it's high or low arousal."
    "</step3>\n"
    "\n"
    "The final answer MUST BE put in \\boxed{}."
)


def reference_render(content: str) -> str:
    """verl/utils/dataset.py ``_build_messages``: ``Template(text.strip()).render(...)``."""
    return jinja2.Template(EMOR3_JINJA.strip()).render(content=content)


def test_reference_template_byte_for_byte():
    assert build_prompt("mikels8", "reference") == EXPECTED_MIKELS
    assert reference_render(question("mikels8")) == EXPECTED_MIKELS
    assert EXPECTED_MIKELS.endswith("\\boxed{}.") and "\n\n\n" not in EXPECTED_MIKELS


@pytest.mark.parametrize(
    "content",
    [
        "Which emotion does this image evoke? Options: anger, disgust, fear, joy.",
        "  <image>What do you feel?\n\n",  # trimmed by the template, marker kept as text
        "Line one\nline two {{ not jinja }} ünïcödé 😀",
        "",
    ],
)
def test_render_reference_matches_jinja(content):
    assert render_reference(content) == reference_render(content)


def test_build_prompt_with_the_datasets_question_and_caption():
    asked = "<image>Which emotion does this image evoke? Choose one."
    assert build_prompt("mikels8", "reference", question_text=asked) == reference_render(asked)
    with_caption = build_prompt("emotion6", "reference", caption=" a dark room ")
    assert with_caption == reference_render(
        "Image description: a dark room\n" + question("emotion6")
    )
    assert build_prompt("mikels8", "set", question_text="Q?").startswith("Q?\nThink about")
    with pytest.raises(InvalidInputError, match="question_text"):
        build_prompt("mikels8", "set", question_text=3)


def test_templates_and_their_formats():
    assert sorted(TEMPLATES) == ["reference", "set", "think"]
    assert [template_format(t) for t in ("set", "reference", "think")] == ["set", "set", "think"]
    assert REFERENCE_INSTRUCTION.startswith("You First think")
    assert build_prompt("mikels8", "think").endswith("put in \\boxed{}.")
    with pytest.raises(UnknownNameError, match="reference"):
        build_prompt("mikels8", "referense")
    with pytest.raises(UnknownNameError):
        template_format("nope")
