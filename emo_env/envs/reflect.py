"""``EmoReflect-v0``: the Reflective Emotional Reward as environment dynamics.

With ``reflection="separate"`` (the default, the reference's procedure) an episode has
three turns:

0. the image and the SET question; the action is the response (reward 0);
1. a FRESH prompt (no chat history): the image, then the consistency question about
   the response's ``<step1>`` passage; the action is the answer (reward 0);
2. a FRESH text-only prompt (blank image, ``has_image`` 0): the coherence question
   about ``<step1>``..``</step2>``; the action is the answer. The rubric scores the
   turn-0 response with the two answers as its judge's verdicts (reference, paper or
   robust verdict parsing, as the preset says); that total is the reward and ends the
   episode.

The info of every observation says how to answer it: ``fresh_context`` (start a new
conversation: do not include the chat so far), ``trainable`` (False for the reflective
answers: they are verdicts; only the turn-0 response is trained on) and ``sampling``
(None: the rollout's own; reflective turns: temperature 0.6, top-p 0.95, one sample,
``max_tokens`` = ``max_response_tokens``, the reference's settings).

``reflection="combined"`` asks both questions in ONE follow-up turn of the same chat
(:func:`~emo_env.envs.reflection.reflection_message`, answers as
``<answer1>..</answer1><answer2>..</answer2>``, a mapping or a pair): cheaper, but the
policy answers coherence with the image and its own reasoning in view.

Example:
    >>> import gymnasium as gym
    >>> import emo_env
    >>> env = gym.make("EmoReflect-v0")
    >>> obs, info = env.reset(seed=0)
    >>> label = info["label"]
    >>> obs, r0, done, _, info = env.step(
    ...     f"<step1>a scene</step1><step2>people feel {label}</step2>"
    ...     f"<step3>strong</step3> \\\\boxed{{{label}}}")
    >>> obs["turn"], obs["has_image"], info["fresh_context"], info["trainable"]
    (1, 1, True, False)
    >>> print(obs["prompt"].strip())
    Can the following text describe the image?Please answer with yes or no.<step1>a scene</step1>
    >>> obs, r1, done, _, info = env.step("Yes.")
    >>> obs["turn"], obs["has_image"], info["sampling"]["temperature"]
    (2, 0, 0.6)
    >>> obs, r2, done, _, info = env.step(label)
    >>> r0, r1, r2, done
    (0.0, 0.0, 1.0, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from emo_env.envs.base import PROMPT_CHARS, EmoEnvBase, Pending
from emo_env.envs.reason import step_info
from emo_env.envs.reflection import (
    KINDS,
    AnswerJudge,
    observed_question,
    parse_reflection,
    reflection_message,
    sampling,
)
from emo_env.envs.samples import ImageViews
from emo_env.envs.spaces import fit_text
from rewards.errors import InvalidInputError
from rewards.judges import NO_PASSAGE_PROMPT
from rewards.prompts import template_format
from rewards.reflective import ReflectiveReward

__all__ = ["AnswerJudge", "EmoReflectEnv", "parse_reflection", "reflection_message"]

QUESTION_CHARS = 4096  # room for the question text around a quoted response


class EmoReflectEnv(EmoEnvBase):
    """A SET response, then the agent answers its own reflective questions (module docs).

    Observation: as ``EmoReason-v0`` plus ``turn`` (0, 1, 2; combined: 0, 1) and
    ``has_image`` (0 when the observation's question is asked without the image; its
    ``image`` is then all zeros). ``info`` of reset and of every non-final step:
    ``fresh_context``, ``trainable``, ``sampling`` (how to answer the observation),
    ``asking`` (``"response"``, ``"consistency"``, ``"coherence"`` or ``"both"``) and,
    after the response, ``questions`` (each question as the reward asks it). The final
    step's ``info`` holds everything ``EmoReason-v0`` gives plus ``answers`` and
    ``questions``. Options: see :class:`~emo_env.envs.config.EnvConfig` (``rubric`` must
    be a preset name taking ``judge=``, or a Rubric whose
    :class:`~rewards.reflective.ReflectiveReward` has an :class:`AnswerJudge`;
    ``judge=`` is refused: the agent is the judge).
    """

    def _make_rubric(self) -> Any:
        config = self.config
        if template_format(config.template) != "set":
            raise InvalidInputError(
                "EmoReflect-v0 needs a SET template ('set' or 'reference'): the reflective "
                "questions quote <step1> and <step2> of the response."
            )
        if config.judge is not None:
            raise InvalidInputError(
                "EmoReflect-v0 takes no judge: the agent answers its own reflective questions."
            )
        return config.build_rubric(judge=AnswerJudge())

    def _setup(self, config, dataset, rubric) -> None:
        super()._setup(config, dataset, rubric)
        found = [f for f in self.rubric.funcs if isinstance(f, ReflectiveReward)]
        if not found or not isinstance(found[0].judge, AnswerJudge):
            raise InvalidInputError(
                f"EmoReflect-v0 needs a rubric with a ReflectiveReward judged by an AnswerJudge; "
                f"{self.rubric!r} has none. Pass a preset name such as 'emo_r3_paper'."
            )
        self._reflective: ReflectiveReward = found[0]
        self._judge: AnswerJudge = found[0].judge
        self._separate = config.reflection == "separate"
        # the questions this rubric asks, in the reference's order (coherence first there
        # too, but both are fresh prompts: the order does not change an answer)
        self._kinds = tuple(k for k in KINDS if k in self._reflective.components)
        self._sampling = sampling(config.max_response_tokens)
        height, width = config.image_size
        self._blank = ImageViews(np.zeros((height, width, 3), dtype=np.uint8), 3)

    def _image_views(self) -> int:
        # reset, the consistency turn (separate) or the combined turn, and the final
        # observation of a combined episode show the image: one more than those
        return 3 if self.config.reflection == "separate" else 4

    def _prompt_limit(self, config) -> int:
        # the reflective questions quote up to a whole response: room for it, never cut
        return max(PROMPT_CHARS, config.max_action_chars + QUESTION_CHARS)

    def _obs_spaces(self, height: int, width: int) -> dict[str, Any]:
        turns = 1 + (len(KINDS) if self.config.reflection == "separate" else 1)
        return {
            **super()._obs_spaces(height, width),
            "turn": spaces.Discrete(turns),
            "has_image": spaces.Discrete(2),
        }

    # --- episodes ------------------------------------------------------------------

    def _on_reset(self) -> None:
        self._turn = 0
        self._first: Pending | None = None
        self._answers: dict[str, str] = {}
        self._answer_cut = False

    def _reset_info(self, record: dict[str, Any]) -> dict[str, Any]:
        info = super()._reset_info(record)
        info.update(asking="response", fresh_context=True, trainable=True, sampling=None)
        return info

    def _observation(self, prompt: str | None = None, with_image: bool = True):
        record = self._sample
        views = record["views"] if with_image else self._blank
        return {
            "image": views.take() if self._rotate else views.first,
            "prompt": record["prompt"] if prompt is None else fit_text(prompt, self._prompt_chars),
            "caption": record["observed_caption"],
            "turn": getattr(self, "_turn", 0),
            "has_image": int(with_image),
        }

    def _questions(self, text: str) -> dict[str, str]:
        sample = self._sample
        kwargs = {
            "label": [sample["label"]],
            "image": [sample["image"]],
            "label_set": [sample["label_set"]],
        }
        asked = {r.kind: r.prompt for r in self._reflective.requests([text], kwargs)}
        return {kind: asked.get(kind, NO_PASSAGE_PROMPT) for kind in KINDS}

    # --- steps ---------------------------------------------------------------------

    def _begin_step(self, action: Any) -> Pending:
        self._check_running()
        if self._turn == 0:
            text, cut = self._response(action)
            return Pending(text, self._sample, cut, score=False, questions=self._questions(text))
        first = self._first
        if self._separate:
            kind = self._kinds[self._turn - 1]
            answer, cut = self._answer(action, kind)
            answers = {**self._answers, kind: answer}
            last = self._turn == len(self._kinds)
        else:
            answers, cut, last = parse_reflection(action), False, True
        return Pending(
            first.text, first.sample, first.truncated_action, last, answers, first.questions, cut
        )

    def _answer(self, action: Any, kind: str) -> tuple[str, bool]:
        if not isinstance(action, str):
            raise InvalidInputError(
                f"The action answering the {kind} question must be the answer text (str); "
                f"got {type(action).__name__}."
            )
        limit = self.config.max_action_chars
        return (action[:limit], True) if len(action) > limit else (action, False)

    def _score(self, pendings: list[Pending]) -> list[Any]:
        for p in pendings:
            if p.score:
                for kind in self._kinds:
                    self._judge.load(kind, p.questions[kind], p.answers.get(kind, ""))
        try:
            return super()._score(pendings)
        finally:
            self._judge.clear()

    def _finish_step(self, pending: Pending, result: Any):
        taken = self._turn
        if not pending.score:
            if taken == 0:
                self._first = pending
            else:
                self._answer_cut = self._answer_cut or pending.answer_truncated
            self._answers = pending.answers or {}
            self._turn = taken + 1
            obs, asking = self._next_observation(pending.questions)
            info = {
                "sample_id": pending.sample["id"],
                "turn": taken,
                "questions": dict(pending.questions),
                "action_truncated": pending.answer_truncated if taken else pending.truncated_action,
                "asking": asking,
                "fresh_context": self._separate,
                "trainable": False,
                "sampling": dict(self._sampling),
            }
            return obs, 0.0, False, False, info
        self._running = False
        info = step_info(self, pending, result)
        info.update(turn=taken, answers=dict(pending.answers), questions=dict(pending.questions))
        if pending.answer_truncated or self._answer_cut:
            info["answer_truncated"] = True  # an answer was cut to max_action_chars
        obs = self._observation(self._last_prompt, self._last_with_image)
        return obs, info["reward"], True, False, info

    def _next_observation(self, questions: dict[str, str]) -> tuple[dict[str, Any], str]:
        if not self._separate:
            prompt, with_image, asking = reflection_message(questions), True, "both"
        else:
            asking = self._kinds[self._turn - 1]
            prompt = observed_question(asking, questions[asking])
            with_image = asking == "consistency"
        self._last_prompt, self._last_with_image = prompt, with_image
        return self._observation(prompt, with_image), asking
