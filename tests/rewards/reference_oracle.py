"""A literal, line-by-line transcription of the reference scorer as the paper's authors
implement it.

Used only as an independent oracle: the package builds the same scorer from parts
(parser, rules, reflective reward, rubric); these tests check both agree exactly.
"""

import re

CONS_Q = "Can the following text describe the image?Please answer with yes or no."
FORMAT = re.compile(
    r"<step1>.*</step1>.*<step2>.*</step2>.*<step3>.*</step3>.*\\boxed\{.*\}.*", re.DOTALL
)


def last_box(text):
    pos = text.rfind("\\boxed{")
    if pos == -1:
        return "None"
    rest = text[pos + 7 :]
    level = 0
    for idx, ch in enumerate(rest):
        if ch == "{":
            level += 1
        elif ch == "}":
            level -= 1
        if level == -1:
            return rest[:idx].strip()
    return "None"


def prompts(response, labels):
    m = re.search(r"<step1>.*?(?=<step2>)", response, re.DOTALL)
    cons = CONS_Q + m.group(0).strip() if m else "Answer 'None'"
    m = re.search(r"<step1>.*?</step2>", response, re.DOTALL)
    if m:
        coh = (
            m.group(0).strip()
            + "\nWhich emotion best describes the text above?\n"
            + "Answer the question using one emotional category (one word only): "
            + ", ".join(labels)
            + "."
        )
    else:
        coh = "Answer 'None'"
    return cons, coh


def score(response, label, cons_answer, coh_answer):
    r = re.sub(r"\s*(<|>|/)\s*", r"\1", response)
    fmt = 1.0 if FORMAT.fullmatch(r) else 0.0
    acc = 1.0 if last_box(r).lower() == label.lower() else 0.0
    if cons_answer is None:  # noqa: SIM114 (kept literal on purpose)
        cons = 1.0
    elif "yes" in cons_answer.lower():
        cons = 1.0
    elif "no" in cons_answer.lower():
        cons = 0.0
    else:
        cons = 0.5
    if coh_answer is None:
        coh = 1.0
    elif coh_answer == "" or coh_answer.lower() == "none":
        coh = 0.5
    elif coh_answer.lower() == label:
        coh = 1.0
    else:
        coh = 0.0
    total = 0.8 * acc + 0.1 * (coh + cons) + 0.1 * fmt
    return {"accuracy": acc, "format": fmt, "consistency": cons, "coherence": coh, "total": total}


THINK_FORMAT = re.compile(r"<think>.*</think>.*\\boxed\{.*\}.*", re.DOTALL)


def score_think(response, label):
    """The paper's plain GRPO baseline in the same literal style (the anchor of
    ``grpo_baseline``): the reference compaction, last box and exact match, with the
    ``<think>...</think>`` pattern and R = 0.9 acc + 0.1 format."""
    r = re.sub(r"\s*(<|>|/)\s*", r"\1", response)
    fmt = 1.0 if THINK_FORMAT.fullmatch(r) else 0.0
    acc = 1.0 if last_box(r).lower() == label.lower() else 0.0
    return {"accuracy": acc, "format": fmt, "total": 0.9 * acc + 0.1 * fmt}
