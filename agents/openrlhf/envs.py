"""The Gymnasium environments an OpenRLHF agent runs: made, pooled, reset on a sample.

Each rollout gets an environment instance of its own for its whole episode; instances
are kept and reused by later rollouts of the same process (``gym.make`` once per
concurrent rollout, not once per rollout). Environment calls run on a worker thread
pool, never on the event loop.

**Options.** ``gym.make(env_id, **Settings.env_options)``. For any environment, the
option ``"judge": "policy"`` is replaced by an
:class:`~agents.openrlhf.judge.RolloutJudge` (the policy answers the environment's
reflective questions). For the emo environments (``emo_env`` entry points) the agent
also fills what the run's settings say, unless the options already do: the dataset
(``Settings.dataset``, split ``all`` so every ``sample_id`` resolves, loaded once and
shared), ``caption_in_prompt`` for a text-only policy, the rubric of
``Settings.preset`` with its options (``Settings.preset_args``) and its judge (the
policy through the engine by default; an ``AnswerJudge`` for ``EmoReflect-v0``, whose
questions are turns), and the preset's prompt template.

**Reset.** ``Settings.reset`` says how OpenRLHF's sample (prompt, label field,
images) becomes ``reset`` options: ``sample_id`` (``{"sample_id": id}`` from the JSON
label field, the default for emo environments; the field's label must be the
sample's), ``sample`` (``{"prompt": ..., "label": ..., "images": ...}``, the default
for other environments), ``none`` (the environment draws its own sample).
"""

from __future__ import annotations

import asyncio
import functools
import importlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from agents.common.labels import decode_label
from agents.openrlhf.judge import RolloutJudge
from agents.openrlhf.settings import Settings
from rewards import presets
from rewards.errors import InvalidInputError

__all__ = ["EnvPool", "Slot", "check_env_id", "default_template", "reset_options"]

_THREADS = 256  # env steps may wait on the engine (the judge): many may be in flight


def default_template(preset: str) -> str:
    """The prompt template a preset's runs use (the authors' own for the reference)."""
    return {"emo_r3_reference": "reference", presets.THINK_PRESET: "think"}.get(preset, "set")


@dataclass
class Slot:
    """A pooled environment and the judge it was made with (None: it asks none)."""

    env: Any
    judge: RolloutJudge | None
    emo: bool


def _entry(env_id: str) -> tuple[str, Any]:
    """The registered id (a ``module:`` prefix imported first) and its entry point.

    Raises:
        InvalidInputError: the module cannot be imported or the id is not registered
            (Gymnasium's message, with its suggestions, is kept).
    """
    import gymnasium as gym
    from gymnasium.envs.registration import load_env_creator

    name = env_id
    try:
        if ":" in name:
            module, name = name.split(":", 1)
            importlib.import_module(module)
        entry = gym.spec(name).entry_point
    except (ImportError, gym.error.Error) as err:
        raise InvalidInputError(
            f"Environment {env_id!r} cannot be made: {err} (EMO_R3_ENV_ID / --env-id: a "
            "registered Gymnasium id, or module:Id to import the module that registers it)."
        ) from None
    return name, load_env_creator(entry) if isinstance(entry, str) else entry


def check_env_id(env_id: str) -> str:
    """``env_id`` if Gymnasium can make it here (see :func:`_entry`)."""
    _entry(env_id)
    return env_id


class EnvPool:
    """Environment instances for the rollouts of one process (see module docs)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.env_id, creator = _entry(settings.env_id)
        self.emo = getattr(creator, "__module__", "").startswith("emo_env.")
        from emo_env.envs.reflect import EmoReflectEnv

        self.answers_itself = isinstance(creator, type) and issubclass(creator, EmoReflectEnv)
        self._idle: list[Slot] = []
        self._datasets: dict[tuple, Any] = {}
        self._executor = ThreadPoolExecutor(_THREADS, thread_name_prefix="emo_r3_env")
        if self.emo and "rubric" not in settings.env_options:
            self.rubric(RolloutJudge({}))  # bad presets, options and judges fail here, early

    async def run(self, fn, *args, **kwargs) -> Any:
        """``fn(*args, **kwargs)`` on the pool's worker threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    async def acquire(self, text_only: bool) -> Slot:
        """An idle environment, or a new one."""
        return self._idle.pop() if self._idle else await self.run(self.make, text_only)

    def release(self, slot: Slot) -> None:
        if slot.judge is not None:
            slot.judge.bind(None)
        self._idle.append(slot)

    def make(self, text_only: bool) -> Slot:
        """A new environment with its own judge (``gym.make`` with the options above)."""
        import gymnasium as gym

        s = self.settings
        options = dict(s.env_options)
        judge = RolloutJudge(
            {"temperature": s.judge_temperature, "top_p": s.judge_top_p,
             "max_tokens": s.judge_max_tokens}
        )  # fmt: skip
        asks = options.get("judge") == "policy"
        if asks:
            options["judge"] = judge
        if self.emo:
            asks = self._emo_options(options, judge, text_only) or asks
        return Slot(gym.make(s.env_id, **options), judge if asks else None, self.emo)

    def _emo_options(self, options: dict[str, Any], judge: RolloutJudge, text_only: bool) -> bool:
        """Fill the emo environment's options from the settings; whether it asks ``judge``."""
        options.setdefault("split", "all")
        options.setdefault("caption_in_prompt", text_only)
        if isinstance(options.setdefault("dataset", self.settings.dataset), str):
            options["dataset"] = self._dataset(options)
        options.setdefault("template", default_template(self.settings.preset))
        if "rubric" in options:
            return False
        if self.answers_itself:
            options.setdefault("max_response_tokens", self.settings.judge_max_tokens)
        options["rubric"], asks = self.rubric(judge)
        return asks

    def rubric(self, judge: RolloutJudge) -> tuple[Any, bool]:
        """The emo rubric of the settings' preset and whether it asks ``judge``.

        Raises:
            InvalidInputError: a judge for a preset that asks no question, bad options.
        """
        s = self.settings
        args = {"label_set": s.label_set, **s.preset_args}
        default = "policy" if s.self_reflect and presets.takes_judge(s.preset) else None
        wanted = args.pop("judge", default)
        if self.answers_itself:  # EmoReflect: the policy's answers are turns, not a judge
            from emo_env.envs.reflection import AnswerJudge

            return presets.build(s.preset, judge=AnswerJudge(), **args), False
        resolved = presets.resolve_judge(wanted, policy=lambda: judge)
        return presets.build(s.preset, judge=resolved, **args), resolved is judge

    def _dataset(self, options: dict[str, Any]) -> Any:
        """The emo dataset, loaded once per process and shared by the instances."""
        key = (options["dataset"], options["split"], options.get("label_set"),
               options.get("image_root"))  # fmt: skip
        if key not in self._datasets:
            from emo_env.data import load_dataset

            self._datasets[key] = load_dataset(*key)
        return self._datasets[key]


def reset_options(mode: str, emo: bool, prompt: str, label: Any, images: Any, settings: Settings):
    """The ``reset`` options for OpenRLHF's sample (see module docs)."""
    if mode == "auto":
        mode = "sample_id" if emo else "sample"
    if mode == "none":
        return None
    if mode == "sample":
        return {"prompt": prompt, "label": label, "images": images}
    info = decode_label(label, settings.label_set)
    if info.sample_id is None:
        raise InvalidInputError(
            f"The label field {str(label)[:80]!r} names no sample_id, so the environment "
            "cannot be reset on this sample: write the prompt data with "
            "agents.openrlhf.data.write_prompt_dataset (its labels name their sample), or set "
            "EMO_R3_ENV_RESET=sample for an environment that takes the sample itself."
        )
    return {"sample_id": info.sample_id}
