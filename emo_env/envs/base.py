"""The shared machinery of the emo environments: data, sampling, observations, scoring.

A step is split in three so that a vector environment can score many sub-environments'
responses in ONE rubric call: :meth:`EmoEnvBase._begin_step` validates the action and
returns a :class:`Pending` step, :meth:`EmoEnvBase._score` scores a list of them at once,
and :meth:`EmoEnvBase._finish_step` turns a score into the step's result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from emo_env.envs.config import EnvConfig
from emo_env.envs.samples import CAPTION_CHARS, SCORE_COLUMNS, SampleCache
from emo_env.envs.spaces import fit_text, prose_space
from rewards.errors import EmoError, InvalidInputError, UnknownNameError
from rewards.parsing import ParseCapture, get_parser
from rewards.prompts import template_format

__all__ = ["EmoEnvBase", "EpisodeStateError", "Pending", "check_render_mode"]

PROMPT_CHARS = 16384


def check_render_mode(render_mode: Any, owner: str) -> None:
    """Accept ``render_mode=None`` (Gymnasium passes it to every constructor); refuse others."""
    if render_mode is not None:
        raise InvalidInputError(
            f"{owner} has no render modes (metadata['render_modes'] is []); got "
            f"render_mode={render_mode!r}. Pass render_mode=None or leave it out: the image "
            "is in every observation as obs['image']."
        )


class EpisodeStateError(EmoError, RuntimeError):
    """``step`` called before ``reset`` or after the episode ended."""


@dataclass(slots=True)
class Pending:
    """A validated action waiting for its score."""

    text: str
    sample: dict[str, Any]
    truncated_action: bool = False
    score: bool = True  # False: a transition that needs no rubric call
    answers: dict[str, str] | None = None  # EmoReflect's
    questions: dict[str, str] | None = None
    answer_truncated: bool = False
    summary: tuple | None = None  # Parser.summary of the text, set when scored


class EmoEnvBase(gym.Env):
    """Base class: one sample per episode, drawn in a seeded random order."""

    metadata: ClassVar[dict[str, Any]] = {"render_modes": []}
    single_turn: ClassVar[bool] = False

    def __init__(
        self, config: EnvConfig | None = None, render_mode: str | None = None, **options: Any
    ):
        check_render_mode(render_mode, type(self).__name__)
        config = self._config(config, options)
        self._setup(config, config.load_dataset(), None)

    @classmethod
    def _config(cls, config: EnvConfig | None, options: dict[str, Any]) -> EnvConfig:
        valid = {f.name for f in dataclasses.fields(EnvConfig) if f.init}
        for key in options:
            if key not in valid:
                raise UnknownNameError(f"{cls.__name__} option", key, valid)
        if config is not None:
            if not options:
                return config
            if config._template_auto and "template" not in options:
                options = {**options, "template": None}  # chosen again for the new rubric
            return dataclasses.replace(config, **options)
        return EnvConfig(**options)

    @classmethod
    def _from_parts(cls, config: EnvConfig, dataset: Any, rubric: Any) -> EmoEnvBase:
        """A sub-environment sharing an already loaded dataset and rubric (vector use)."""
        env = cls.__new__(cls)
        env._setup(config, dataset, rubric)
        return env

    def _setup(self, config: EnvConfig, dataset: Any, rubric: Any) -> None:
        self.render_mode = None
        self.config = config
        self.dataset = dataset
        self.rubric = rubric if rubric is not None else self._make_rubric()
        height, width = config.image_size
        self._prompt_chars = self._prompt_limit(config)
        self._max_chars = config.max_action_chars
        self.observation_space = spaces.Dict(self._obs_spaces(height, width))
        self.action_space = prose_space(config.max_action_chars)
        self._order: np.ndarray | None = None
        self._pos = -1
        self._sample: dict[str, Any] | None = None
        self._running = False
        self._n = len(dataset)
        self._samples = SampleCache(dataset, config, self._prompt_chars, self._image_views())
        self._rotate = True  # False in a vector env: its batches are copies
        self._parser = get_parser(template_format(config.template))

    def _make_rubric(self) -> Any:
        return self.config.build_rubric()

    def _image_views(self) -> int:
        """Read-only copies of each image handed out in turn: one more than the
        observations with the sample's image in an episode (reset and final: 2)."""
        return 3

    def _prompt_limit(self, config: EnvConfig) -> int:
        """Most characters of an observed prompt (longer prompts are cut to it)."""
        return PROMPT_CHARS

    def _obs_spaces(self, height: int, width: int) -> dict[str, Any]:
        return {
            "image": spaces.Box(0, 255, (height, width, 3), np.uint8),
            "prompt": prose_space(self._prompt_chars),
            "caption": prose_space(CAPTION_CHARS),
        }

    # --- episodes ------------------------------------------------------------------

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        """Start an episode on the next sample of the seeded order.

        Options: ``{"sample_id": id}`` or ``{"index": i}`` pick a sample explicitly.
        """
        if seed is not None or self._order is None:
            super().reset(seed=seed)  # (a no-op without a seed)
            self._order, self._pos = self.np_random.permutation(self._n).tolist(), 0
            index = self._order[0]
        else:
            index = self._advance()
        if options is not None:  # {"index": i} checked here, anything else by _pick
            index = options.get("index") if type(options) is dict and len(options) == 1 else None
            if type(index) is not int or not 0 <= index < self._n:
                index = self._pick(options, self._n)
        self._sample = record = self._samples.get(index)  # self._enter(index), inlined
        self._running = True
        self._on_reset()
        return self._observation(), self._reset_info(record)

    def _advance(self) -> int:
        """The next row of the seeded order (a new permutation each epoch)."""
        pos = self._pos = self._pos + 1
        if pos >= self._n:
            self._order, self._pos = self.np_random.permutation(self._n).tolist(), 0
            return self._order[0]
        return self._order[pos]

    def _autoreset(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """``reset()`` without seed or options, as the vector env's autoreset calls it."""
        return self._start(self._advance())

    def _start(self, index: int) -> tuple[dict[str, Any], dict[str, Any]]:
        record = self._enter(index)
        return self._observation(), self._reset_info(record)

    def _enter(self, index: int) -> dict[str, Any]:
        """Start an episode on row ``index``; returns its record."""
        self._sample = record = self._samples.get(index)
        self._running = True
        self._on_reset()
        return record

    def _reset_info(self, record: dict[str, Any]) -> dict[str, Any]:
        return record["info"].copy()

    def _pick(self, options: Any, n: int) -> int:
        if not isinstance(options, Mapping):
            raise InvalidInputError(
                "reset options must be a dict such as {'sample_id': id} or {'index': i}; got "
                f"{type(options).__name__} {str(options)[:80]}."
            )
        unknown = {str(k) for k in options} - {"sample_id", "index"}
        if unknown:
            raise UnknownNameError("reset option", sorted(unknown)[0], ("sample_id", "index"))
        if "sample_id" in options and "index" in options:
            raise InvalidInputError("Give one of the reset options sample_id and index, not both.")
        if "sample_id" in options:
            from emo_env.data import sample_index

            sample_id = options["sample_id"]
            if not isinstance(sample_id, str):
                raise InvalidInputError(
                    f"reset option sample_id must be a str (a sample id of the dataset); got "
                    f"{type(sample_id).__name__} {str(sample_id)[:80]}."
                )
            index = sample_index(self.dataset).get(sample_id)
            if index is None:
                from emo_env.data import get_sample

                get_sample(self.dataset, options["sample_id"])  # raises with a suggestion
            return index
        if "index" in options:
            index = options["index"]
            if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
                raise InvalidInputError(f"reset option index must be an int; got {index!r}.")
            if not 0 <= index < n:
                raise InvalidInputError(f"reset option index {index} is outside [0, {n}).")
            return int(index)
        return int(self._order[self._pos])

    def _on_reset(self) -> None:
        """Hook for subclasses (per-episode state)."""

    def _observation(self, prompt: str | None = None) -> dict[str, Any]:
        """The sample's observation, a new dict. Its image is a read-only array that no
        user can change, and the next of the sample's read-only copies
        (:class:`~emo_env.envs.samples.ImageViews`), so that consecutive observations
        never share memory (Gymnasium's rule; ``check_env`` passes) and no step copies
        an image."""
        record = self._sample
        views = record["views"]
        return {
            "image": views.take() if self._rotate else views.first,
            "prompt": record["prompt"] if prompt is None else fit_text(prompt, self._prompt_chars),
            "caption": record["observed_caption"],
        }

    # --- steps ---------------------------------------------------------------------

    def step(self, action: Any):
        """Score ``action`` (the response text); see the class docs for ``info``."""
        pending = self._begin_step(action)
        return self._finish_step(pending, self._score([pending])[0])

    def _check_running(self) -> None:
        if self._sample is None:
            raise EpisodeStateError("Call reset() before step().")
        if not self._running:
            raise EpisodeStateError(
                "The episode has ended (terminated=True); call reset() before step() again."
            )

    def _response(self, action: Any) -> tuple[str, bool]:
        if not isinstance(action, str):
            raise InvalidInputError(
                f"The action must be the response text (str); got {type(action).__name__}. "
                "Decode token ids with the tokenizer before stepping."
            )
        limit = self.config.max_action_chars
        return (action[:limit], True) if len(action) > limit else (action, False)

    def _begin_step(self, action: Any) -> Pending:
        raise NotImplementedError

    def _finish_step(self, pending: Pending, result: Any):
        raise NotImplementedError

    def _score(self, pendings: list[Pending]) -> list[Any]:
        """Score every pending step that needs it in ONE rubric call; set each one's
        ``summary`` (from the rubric's own parse when it made one, see
        :class:`~rewards.parsing.ParseCapture`).

        The rubric gets the responses, the prompts, and the dataset columns as TRL passes
        them (``labels``, ``images``, ``label_set``, ``caption``, ``id``, ``dataset``),
        each a new list, from each record's row of them (:data:`SCORE_COLUMNS`).
        """
        if len(pendings) == 1 and pendings[0].score:  # a single env's step: spelt out
            pending = pendings[0]
            prompt, label, image, label_set, caption, sample_id, dataset = pending.sample["columns"]
            texts = [pending.text]
            with ParseCapture(self._parser) as capture:
                results = self.rubric.score_batch(
                    texts,
                    prompts=[prompt],
                    labels=[label],
                    images=[image],
                    label_set=[label_set],
                    caption=[caption],
                    id=[sample_id],
                    dataset=[dataset],
                )
            pending.summary = capture.summaries(texts)[0]
            return results
        todo = [p for p in pendings if p.score]
        if not todo:
            return [None] * len(pendings)
        columns = zip(*[p.sample["columns"] for p in todo], strict=True)
        texts = [p.text for p in todo]
        with ParseCapture(self._parser) as capture:
            results = self.rubric.score_batch(
                texts, **dict(zip(SCORE_COLUMNS, map(list, columns), strict=True))
            )
        for pending, summary in zip(todo, capture.summaries(texts), strict=True):
            pending.summary = summary
        if len(todo) == len(pendings):
            return results
        found = iter(results)
        return [next(found) if p.score else None for p in pendings]

    def close(self) -> None:
        self._samples.clear()
        super().close()
