"""Prepare an OpenRLHF GRPO run: the prompt data, the settings and the launch command.

What ``emo-r3 train --backend openrlhf`` and ``python -m agents.openrlhf.launcher`` do:

1. write the prompt dataset the command points at (:mod:`agents.openrlhf.data`) under
   ``<output_dir>/data`` (unless ``--prompt-data`` names one);
2. carry the preset, the judge and the preset's options to the agent or reward file
   as ``EMO_R3_*`` variables (:mod:`agents.openrlhf.settings`): exported by
   ``<output_dir>/openrlhf_command.sh`` for a local launch, in the ``ray job submit``
   runtime env with ``--ray-address``;
3. write the command (:mod:`agents.openrlhf.launcher`, the paper's settings unless
   overridden) to ``openrlhf_command.sh`` and everything to ``openrlhf_run.json``;
4. run it when a CUDA GPU is present; otherwise stop with exit status 3 and say so.

Image flags are passed only for a vision-language policy: detected from the
checkpoint's ``config.json`` for a local directory, from a ``VL`` in a hub id's name,
else ``--vision`` / ``--text-only`` must say it.

Example:
    >>> import tempfile
    >>> from agents.openrlhf.run import prepare_run
    >>> run = prepare_run(tempfile.mkdtemp(), dataset="embedded", split="test", vision=False)
    >>> run.settings.preset, run.command[run.command.index("--rollout.n_samples_per_prompt") + 1]
    ('emo_r3_paper', '8')
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.openrlhf.launcher import LaunchConfig, build_command, installed_version
from agents.openrlhf.settings import Settings
from rewards import presets
from rewards.errors import InvalidInputError

__all__ = ["PAPER_MODEL", "PreparedRun", "detect_vision", "launch", "prepare_run"]

#: The paper's policy.
PAPER_MODEL = "Qwen/Qwen2.5-VL-3B-Instruct"
JUDGES = ("policy", "none", "preset")
_VL_NAME = re.compile(r"(?i)(^|[-_/.])vl([-_/.]|$)|vision|llava|idefics|paligemma")
# config.json keys and architecture names of vision-language checkpoints
_VL_KEYS = ("vision_config", "vision_tower", "mm_vision_tower", "image_token_id")


@dataclass(frozen=True)
class PreparedRun:
    """What :func:`prepare_run` wrote and will launch."""

    command: list[str]
    env: dict[str, str]
    settings: Settings
    config: LaunchConfig
    script: Path
    record: Path


def detect_vision(model: str) -> bool | None:
    """Whether ``model`` is a vision-language policy; None when it cannot be told.

    A local checkpoint directory is read (``config.json`` with a vision tower, or a
    processor config naming an image processor); a hub id counts as a VLM when its
    name has a ``VL`` part (``Qwen/Qwen2.5-VL-3B-Instruct``) or names a VLM family.
    """
    path = Path(model)
    if path.is_dir():
        config = _read_json(path / "config.json")
        if any(k in config for k in _VL_KEYS):
            return True
        processor = _read_json(path / "preprocessor_config.json")
        return bool(processor.get("image_processor_type")) or bool(
            _read_json(path / "processor_config.json").get("image_processor")
        )
    return True if _VL_NAME.search(model) else None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _judge_args(preset: str, judge: str | None, reward: str) -> dict[str, Any]:
    """The ``judge`` preset option that carries ``judge`` to the agent (or none)."""
    if judge is not None and judge not in JUDGES:
        raise InvalidInputError(f"judge must be one of {JUDGES}; got {judge!r}.")
    asks = presets.takes_judge(preset)
    if judge is None:  # the paper: the policy answers wherever the preset asks questions
        judge = "policy" if asks and reward == "agent" else "preset"
    if judge == "policy":
        if reward != "agent":
            raise InvalidInputError(
                f"judge 'policy' needs the agent (reward='agent'): the {reward!r} reward path "
                "cannot reach the policy. Use judge 'none' or 'preset' there."
            )
        if not asks:
            raise InvalidInputError(
                f"Preset {preset!r} asks no reflective question, so there is nothing for the "
                f"policy to judge; presets that do: {', '.join(presets.judge_presets())}."
            )
    return {"judge": judge}


def prepare_run(
    output_dir: str | os.PathLike,
    *,
    model: str = PAPER_MODEL,
    dataset: str = "embedded",
    split: str = "train",
    prompt_data: str | None = None,
    preset: str | None = None,
    judge: str | None = None,
    preset_args: dict[str, Any] | None = None,
    template: str | None = None,
    vision: bool | None = None,
    label_set: str | None = None,
    mode: str = "reason",
    env_id: str | None = None,
    env_options: dict[str, Any] | None = None,
    **launch_options: Any,
) -> PreparedRun:
    """Write the prompt data, the command script and the run record; nothing is launched.

    Args:
        output_dir: where ``data/``, ``openrlhf_command.sh`` and ``openrlhf_run.json`` go.
        model: the policy (hub id or local checkpoint).
        dataset: an ``emo_env.data.load_dataset`` source written as prompt data.
        split: the split written.
        prompt_data: an existing OpenRLHF prompt dataset instead (nothing is written).
        preset: reward preset (default: ``rewards.presets.default_preset("train_vlm")``).
        judge: ``"policy"`` (the agent asks the policy; default where the preset asks
            reflective questions), ``"none"`` (components count 1) or ``"preset"``.
        preset_args: options of :func:`rewards.presets.build`.
        template: prompt template (default: ``"reference"`` for the reference preset,
            ``"think"`` for the GRPO baseline, else ``"set"``).
        vision: the policy is a VLM (None: :func:`detect_vision`).
        label_set: label set to map the dataset's labels onto.
        mode: agent mode (``reason``: EmoReason-v0, or ``reflect``: EmoReflect-v0).
        env_id: the Gymnasium environment the agent runs instead (any registered id).
        env_options: its ``gym.make`` options.
        **launch_options: :class:`~agents.openrlhf.launcher.LaunchConfig` fields.

    Raises:
        InvalidInputError: unknown presets or options, a judge the reward path cannot
            use, or a model whose modality cannot be told.
    """
    out = Path(output_dir)
    preset = preset or presets.default_preset("train_vlm")
    presets.spec(preset)  # an unknown preset raises UnknownNameError (closest name)
    reward = launch_options.get("reward", "agent")
    args = {**(preset_args or {}), **_judge_args(preset, judge, reward)}
    if vision is None:
        vision = detect_vision(model)
        if vision is None:
            raise InvalidInputError(
                f"Cannot tell whether {model!r} is a vision-language model (not a local "
                "checkpoint, no 'VL' in its name): pass --vision or --text-only."
            )
    if template is None:
        template = {"emo_r3_reference": "reference", presets.THINK_PRESET: "think"}.get(
            preset, "set"
        )
    presets.build(preset, label_set=label_set, **{**args, "judge": None})  # bad options
    if env_id is not None:
        from agents.openrlhf.envs import check_env_id

        check_env_id(env_id)  # a typo fails here, not on the GPU workers
    ckpt = out / "checkpoints"
    config = LaunchConfig(
        **{
            "pretrain": model,
            "prompt_data": prompt_data or str(out / "data"),  # checked before data is written
            "vision": vision,
            "save_path": str(ckpt),
            "ckpt_path": str(ckpt / "ckpt"),
            **launch_options,
        }
    )
    build_command(config)  # every launch setting checked before anything is written
    roots: tuple[str, ...] = ()
    if prompt_data is None:
        from agents.openrlhf.data import write_prompt_dataset

        data_dir = out / "data"
        path = write_prompt_dataset(
            data_dir, dataset, split, vision=vision, template=template, label_set=label_set
        )
        prompt_data, roots = str(path.resolve()), (str((data_dir / "images").resolve()),)
        label_set = label_set or _first_label_set(path)
    settings = Settings(
        preset=preset,
        preset_args=args,
        label_set=label_set or "mikels8",
        image_roots=roots,
        dataset=dataset,
        mode=mode,
        env_id=env_id,
        env_options=dict(env_options or {}),
        # the reference samples reflective answers up to the full response length
        judge_max_tokens=config.max_new_tokens,
    )
    config = dataclasses.replace(config, prompt_data=prompt_data, settings=settings)
    command = [str(c) for c in build_command(config)]
    env = settings.to_env()
    out.mkdir(parents=True, exist_ok=True)
    script = out / "openrlhf_command.sh"
    exports = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items())
    script.write_text("#!/bin/sh\nset -e\n" + exports + shlex.join(command) + "\n")
    script.chmod(0o755)
    record = out / "openrlhf_run.json"
    record.write_text(
        json.dumps(
            {
                "command": command,
                "env": env,
                "model": model,
                "vision": vision,
                "prompt_data": prompt_data,
                "template": template,
                "openrlhf_version": installed_version(),
            },
            indent=2,
        )
    )
    return PreparedRun(command, env, settings, config, script, record)


def _first_label_set(path: Path) -> str | None:
    from agents.common.labels import decode_label

    with path.open() as fh:
        line = fh.readline()
    return decode_label(json.loads(line)["label"]).label_set if line.strip() else None


def launch(run: PreparedRun) -> int:
    """Run the command when a CUDA GPU is present; otherwise say so and return 3."""
    try:
        import torch

        gpu = torch.cuda.is_available()
    except ImportError:
        gpu = False
    if not gpu:
        print(
            "No CUDA GPU on this machine: OpenRLHF's Ray trainer needs GPUs and vLLM, so the "
            f"run stops here. The prompt data and command are written: run {run.script} "
            "on a GPU node (emo-r3 installed there).",
            file=sys.stderr,
        )
        return 3
    return subprocess.call(run.command, env={**os.environ, **run.env})
