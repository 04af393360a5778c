"""The question shown to the policy, in the SET format, the authors' own or the baseline's.

Templates:

``"set"``
    this toolkit's wording of Structured Emotional Thinking (the paper's three steps).
``"reference"``
    the authors' own prompt template, byte for byte: the EMO-R3 reference code renders
    its Jinja template ``{{ content | trim }}`` + a blank line + the SET instructions,
    where ``content`` is the question. Used by the reference preset's runs.
``"think"``
    the plain GRPO baseline (``<think>`` then ``\\boxed{}``).

Example:
    >>> from rewards.prompts import build_prompt
    >>> print(build_prompt("emotion6").splitlines()[0])
    Which emotion does this image evoke? Options: anger, disgust, fear, joy, sadness, surprise.
    >>> print(build_prompt("emotion6", "reference").splitlines()[2])
    You First think the emotional meaning step by step, and then provide the final answer.
"""

from __future__ import annotations

from rewards.errors import InvalidInputError, UnknownNameError
from rewards.labels import LabelSet, get_label_set

__all__ = [
    "REFERENCE_INSTRUCTION",
    "TEMPLATES",
    "TEMPLATE_FORMATS",
    "build_prompt",
    "question",
    "render_reference",
    "template_format",
]

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
# The authors' template after its "{{ content | trim }}" line and the blank line below
# it (examples/format_prompt/emor3.jinja of their repository; the file is read, stripped
# and rendered with jinja2, so its trailing newline is dropped). Wording, capitals and
# the "You First" are theirs.
REFERENCE_INSTRUCTION = (
    "You First think the emotional meaning step by step, and then provide the final "
    "answer.\n"
    "\n"
    "The reasoning process MUST follow the structure below:\n"
    "<step1>Identify what in the scene could trigger emotion (action, face, environment)."
    "</step1>\n"
    "<step2>Describe how a human would feel about it.</step2>\n"
    "<step3>Conclude if the emotion is positive or negative, and if it's high or low "
    "arousal.</step3>\n"
    "\n"
    "The final answer MUST BE put in \\boxed{}."
)
TEMPLATES = {
    "set": SET_INSTRUCTION,
    "reference": REFERENCE_INSTRUCTION,
    "think": THINK_INSTRUCTION,
}
# The answer format (parser name) each template asks for.
TEMPLATE_FORMATS = {"set": "set", "reference": "set", "think": "think"}


def template_format(template: str) -> str:
    """The answer format (``"set"`` or ``"think"``) that ``template`` asks for."""
    if template not in TEMPLATE_FORMATS:
        raise UnknownNameError("prompt template", template, TEMPLATES)
    return TEMPLATE_FORMATS[template]


def question(label_set: str | LabelSet) -> str:
    """``"Which emotion does this image evoke? Options: a, b, c."``"""
    options = get_label_set(label_set).options_text()
    return f"Which emotion does this image evoke? Options: {options}."


def render_reference(content: str) -> str:
    """The authors' template rendered for ``content``, as their code renders it.

    ``Template(text.strip()).render(content=content)`` with jinja2's defaults: the
    ``trim`` filter is ``str.strip()``, and nothing else is added around the content.
    """
    return content.strip() + "\n\n" + REFERENCE_INSTRUCTION


def build_prompt(
    label_set: str | LabelSet = "mikels8",
    template: str = "set",
    caption: str | None = None,
    question_text: str | None = None,
) -> str:
    """The full user prompt; with ``caption``, a text-only policy reads the image's caption.

    Args:
        label_set: label set whose labels are the options.
        template: ``"set"`` (Structured Emotional Thinking), ``"reference"`` (the
            authors' template, byte for byte) or ``"think"`` (GRPO baseline).
        caption: a description of the image for policies that cannot see it.
        question_text: the dataset's own question, used instead of
            :func:`question` (e.g. the ``problem`` of the authors' EmoSet subset).
    """
    if template not in TEMPLATES:
        raise UnknownNameError("prompt template", template, TEMPLATES)
    if question_text is not None and not isinstance(question_text, str):
        raise InvalidInputError(f"question_text must be a str; got {question_text!r}.")
    parts = []
    if caption:
        parts.append(f"Image description: {caption.strip()}")
    parts.append(question_text or question(label_set))
    if template == "reference":
        return render_reference("\n".join(parts))
    return "\n".join([*parts, TEMPLATES[template]])
