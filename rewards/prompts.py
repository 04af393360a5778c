"""The question shown to the policy, in the SET format or the GRPO baseline's.

Example:
    >>> from rewards.prompts import build_prompt
    >>> print(build_prompt("emotion6").splitlines()[0])
    Which emotion does this image evoke? Options: anger, disgust, fear, joy, sadness, surprise.
"""

from __future__ import annotations

from rewards.errors import UnknownNameError
from rewards.labels import LabelSet, get_label_set

__all__ = ["TEMPLATES", "TEMPLATE_FORMATS", "build_prompt", "question", "template_format"]

SET_INSTRUCTION = (
    "Think about the emotional meaning of the image step by step. Your reasoning MUST "
    "follow this three-step structure:\n"
    "<step1> what in the scene could trigger emotion (action, face, environment) </step1>\n"
    "<step2> how a human would feel about it </step2>\n"
    "<step3> positive or negative? high or low arousal? </step3>\n"
    "The final answer MUST be one emotion from the options, put in \\boxed{}."
)
THINK_INSTRUCTION = (
    "Think about the emotional meaning of the image step by step inside <think> </think> "
    "tags. The final answer MUST be one emotion from the options, put in \\boxed{}."
)
TEMPLATES = {"set": SET_INSTRUCTION, "think": THINK_INSTRUCTION}
# The answer format (parser name) each template asks for.
TEMPLATE_FORMATS = {"set": "set", "think": "think"}


def template_format(template: str) -> str:
    """The answer format (``"set"`` or ``"think"``) that ``template`` asks for."""
    if template not in TEMPLATE_FORMATS:
        raise UnknownNameError("prompt template", template, TEMPLATES)
    return TEMPLATE_FORMATS[template]


def question(label_set: str | LabelSet) -> str:
    """``"Which emotion does this image evoke? Options: a, b, c."``"""
    options = get_label_set(label_set).options_text()
    return f"Which emotion does this image evoke? Options: {options}."


def build_prompt(
    label_set: str | LabelSet = "mikels8", template: str = "set", caption: str | None = None
) -> str:
    """The full user prompt; with ``caption``, a text-only policy reads the image's caption.

    Args:
        label_set: label set whose labels are the options.
        template: ``"set"`` (Structured Emotional Thinking) or ``"think"`` (GRPO baseline).
        caption: a description of the image for policies that cannot see it.
    """
    if template not in TEMPLATES:
        raise UnknownNameError("prompt template", template, TEMPLATES)
    parts = []
    if caption:
        parts.append(f"Image description: {caption.strip()}")
    parts += [question(label_set), TEMPLATES[template]]
    return "\n".join(parts)
