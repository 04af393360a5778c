"""EasyR1 reward function: ``worker.reward.reward_function=<this file>:compute_score``.

EasyR1's reward manager loads this file, reads ``REWARD_NAME`` and ``REWARD_TYPE``
(``"batch"``: one call per rollout batch), and calls ``compute_score(reward_inputs,
**worker.reward.reward_function_kwargs)``. Each input holds ``response`` (the decoded
response), ``response_length`` (tokens) and ``ground_truth`` (the dataset's answer: a
label name, or a JSON label field of :mod:`agents.common.labels`). The authors' fork
adds ``rethink_result`` (the policy's answer to the coherence question) and
``rethink_result_image`` (its answer to the consistency question), each None when the
reflection did not run; they become the judge's verdicts (None: no verdict, which the
reference counts 1). An ``images`` entry (the fork passes one) is read only by presets
that score images (``emo_r3_clip``). Each output dict holds ``overall`` (the reward)
and every rubric component, all floats (EasyR1 averages every key into its metrics).

Options (``worker.reward.reward_function_kwargs``, else ``EMO_R3_*`` variables):
``preset`` (default ``emo_r3_reference``, the authors' own scorer, which this file
reproduces exactly), ``preset_args`` (options of :func:`rewards.presets.build`),
``label_set`` (of bare labels; default ``EMO_R3_LABEL_SET`` or ``mikels8``).

Example:
    >>> from agents.easyr1.reward import compute_score
    >>> r = "<step1>A storm</step1><step2>scared</step2><step3>negative</step3>\\\\boxed{fear}"
    >>> out = compute_score([{"response": r, "response_length": 20, "ground_truth": "fear",
    ...                       "rethink_result": "fear", "rethink_result_image": "No."}])
    >>> out[0]["overall"], out[0]["consistency"], out[0]["coherence"]
    (1.0, 0.0, 1.0)
"""

from __future__ import annotations

import json
import os
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

from agents.common.envvars import preset_args_from_env
from agents.common.images import rubric_needs_images
from agents.common.labels import decode_label
from rewards import presets
from rewards.errors import InvalidInputError
from rewards.reflective import ReflectiveReward
from rewards.rubric import Rubric

__all__ = ["DEFAULT_PRESET", "REWARD_NAME", "REWARD_TYPE", "GivenAnswers", "compute_score"]

REWARD_NAME = "emo_r3"
REWARD_TYPE = "batch"
DEFAULT_PRESET = "emo_r3_reference"
#: The fork's fields: answer to the coherence question, answer to the consistency one.
ANSWER_FIELDS = {"coherence": "rethink_result", "consistency": "rethink_result_image"}
_OPTIONS = ("preset", "preset_args", "label_set")
_RUBRICS: dict[str, Rubric] = {}
_LOCK = threading.Lock()


class GivenAnswers:
    """A judge returning answers given beforehand, queued per (kind, question).

    Requests arrive in sample order, so identical questions of different samples get
    their own answers in turn; a question never given an answer gets None.
    """

    __name__ = "rethink_results"

    def __init__(self) -> None:
        self._queue: dict[tuple[str, str], deque] = {}

    def load(self, kind: str, prompt: str, answer: str | None) -> None:
        self._queue.setdefault((kind, prompt), deque()).append(answer)

    def clear(self) -> None:
        self._queue.clear()

    def __call__(self, requests) -> list[str | None]:
        out = []
        for request in requests:
            queue = self._queue.get((request.kind, request.prompt))
            out.append(queue.popleft() if queue else None)
        return out


def _settings(kwargs: Mapping[str, Any]) -> tuple[str, dict[str, Any], str]:
    unknown = sorted(set(kwargs) - set(_OPTIONS))
    if unknown:
        raise InvalidInputError(
            f"Unknown reward_function_kwargs {unknown}; this reward takes {', '.join(_OPTIONS)}."
        )
    preset = kwargs.get("preset") or os.environ.get("EMO_R3_PRESET") or DEFAULT_PRESET
    args = kwargs.get("preset_args")
    args = preset_args_from_env() if args is None else args
    if not isinstance(args, Mapping):
        raise InvalidInputError(f"preset_args must be a mapping; got {type(args).__name__}.")
    label_set = kwargs.get("label_set") or os.environ.get("EMO_R3_LABEL_SET") or "mikels8"
    return preset, dict(args), label_set


def _rubric(preset: str, args: dict[str, Any]) -> tuple[Rubric, GivenAnswers | None]:
    """The preset's rubric, with a :class:`GivenAnswers` judge when it asks questions."""
    key = json.dumps([preset, args], sort_keys=True, default=repr)
    with _LOCK:
        if key not in _RUBRICS:
            asks = presets.takes_judge(preset) and "judge" not in args
            judge = GivenAnswers() if asks else None
            _RUBRICS[key] = presets.build(preset, **{"judge": judge, **args})
        rubric = _RUBRICS[key]
    judges = [f.judge for f in rubric.funcs if isinstance(f, ReflectiveReward)]
    return rubric, next((j for j in judges if isinstance(j, GivenAnswers)), None)


def compute_score(reward_inputs: Sequence[Mapping[str, Any]], **kwargs: Any) -> list[dict]:
    """Score a rollout batch the EasyR1 way (see module docs).

    Raises:
        InvalidInputError: not a list of dicts with ``response`` and ``ground_truth``,
            bad labels, or unknown options.
    """
    if isinstance(reward_inputs, Mapping) or not isinstance(reward_inputs, Sequence):
        raise InvalidInputError(
            "compute_score takes the whole batch (a list of dicts): set REWARD_TYPE 'batch' "
            "(this file does) and use EasyR1's batch reward manager."
        )
    preset, args, default_set = _settings(kwargs)
    texts, labels, sets, captions, images = [], [], [], [], []
    for i, item in enumerate(reward_inputs):
        if not isinstance(item, Mapping) or not isinstance(item.get("response"), str):
            raise InvalidInputError(f"reward_inputs[{i}] must be a dict with a str 'response'.")
        if "ground_truth" not in item:
            raise InvalidInputError(f"reward_inputs[{i}] has no 'ground_truth'.")
        info = decode_label(item["ground_truth"], default_set)
        texts.append(item["response"])
        labels.append(info.label)
        sets.append(info.label_set)
        captions.append(info.caption or "")
        images.append(_first_image(item.get("images")))
    rubric, judge = _rubric(preset, args)
    if not rubric_needs_images(rubric):
        images = [None] * len(texts)
    with _LOCK:  # the judge's queue is shared by the rubric: one batch at a time
        if judge is not None:
            _load_answers(rubric, judge, reward_inputs, texts, labels, sets)
        try:
            results = rubric.score_batch(
                texts,
                labels=labels,
                images=images if any(x is not None for x in images) else None,
                label_set=sets,
                caption=captions,
            )
        finally:
            if judge is not None:
                judge.clear()
    out = []
    for result in results:
        parts = {k: 0.0 if v is None else float(v) for k, v in result.components.items()}
        out.append({"overall": float(result.total), **parts})
    return out


def _first_image(value: Any) -> Any:
    """The sample's image: the first of a list (the fork passes ``images``), or None."""
    if isinstance(value, Mapping):  # EasyR1's multi_modal_data form {"images": [...]}
        value = value.get("images")
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value


def _load_answers(rubric, judge, inputs, texts, labels, sets) -> None:
    """Queue each sample's rethink answers under the questions the rubric will ask."""
    for f in rubric.funcs:
        if not isinstance(f, ReflectiveReward) or f.judge is not judge:
            continue
        for i, text in enumerate(texts):
            kwargs = {"label": [labels[i]], "label_set": [sets[i]], "image": [None]}
            for request in f.requests([text], kwargs):
                answer = inputs[i].get(ANSWER_FIELDS[request.kind])
                if answer is not None and not isinstance(answer, str):
                    answer = str(answer)
                judge.load(request.kind, request.prompt, answer)
