"""Evaluate a policy on a dataset split: generate (or read) responses, score, summarise.

:func:`evaluate` walks the split in batches, asks the backend for responses (or takes
them from a JSONL of existing responses), scores each batch and appends the records to
``results.jsonl`` at once, so an interrupted run resumes where it stopped: samples with
a record are skipped. At the end it writes ``summary.json`` (see
:mod:`agents.evaluation.metrics`) and, unless told not to, the PNG plots.

Files of a run folder: ``run.json`` (the settings; a resumed run must match them),
``results.jsonl``, ``summary.json``, ``confusion_<label_set>.png``,
``per_label_accuracy_<label_set>.png``, and ``eval.lock``: a run holds the folder's lock
(:mod:`agents.evaluation.lock`) from start to end, so a second run on the same folder is
refused at once with a message naming the first; the lock dies with its process, so a
killed run is resumed by simply running again.

Example:
    >>> import tempfile
    >>> from agents.evaluation.harness import evaluate
    >>> samples = [{"id": "1", "label": "awe", "label_set": "mikels8", "dataset": "demo"}]
    >>> answers = {"1": "<step1>a</step1><step2>b</step2><step3>c</step3> \\\\boxed{awe}"}
    >>> out = evaluate(samples, responses=answers, output_dir=tempfile.mkdtemp(),
    ...                plots=False, progress=False)
    >>> out.summary["accuracy"], out.summary["format_rate"]
    (1.0, 1.0)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.common.atomic import write_json
from agents.common.jsonl import read_jsonl
from agents.common.prompts import PromptSettings
from agents.evaluation.batches import BatchJob
from agents.evaluation.lock import RunLock
from agents.evaluation.metrics import compute_metrics
from agents.evaluation.runs import ResultsFile, check_settings
from agents.evaluation.scoring import build_rubric
from rewards import presets
from rewards.errors import InvalidInputError

__all__ = ["EvalResult", "evaluate", "load_responses", "load_samples"]


@dataclass
class EvalResult:
    """What :func:`evaluate` produced."""

    summary: dict[str, Any]
    records: list[dict[str, Any]]
    output_dir: Path
    failed: list[str] = field(default_factory=list)
    plots: list[Path] = field(default_factory=list)


def load_samples(source: str = "embedded", split: str = "test", **kwargs: Any):
    """The dataset split through ``emo_env.data.load_dataset`` (errors pass through)."""
    try:
        from emo_env.data import load_dataset
    except ImportError as err:
        from rewards.errors import MissingDependencyError

        raise MissingDependencyError(err.name or "datasets", "env", "loading datasets") from err
    return load_dataset(source=source, split=split, **kwargs)


def load_responses(path: str | Path) -> dict[str, str]:
    """``{id: response}`` from a JSONL whose lines hold ``id`` and ``response``."""
    out: dict[str, str] = {}
    for i, line in enumerate(read_jsonl(path, what="responses file"), 1):
        if "id" not in line or not isinstance(line.get("response"), str):
            raise InvalidInputError(
                f"{str(path)!r} line {i}: each line needs an 'id' and a 'response' string."
            )
        out[str(line["id"])] = line["response"]
    return out


def _ids(dataset: Any) -> list[str]:
    if isinstance(dataset, Sequence):
        return [str(row["id"]) for row in dataset]
    if "id" not in getattr(dataset, "column_names", ()):
        raise InvalidInputError("The dataset has no 'id' column; every sample needs one.")
    return [str(v) for v in dataset["id"]]


def evaluate(
    dataset: Any,
    backend: Callable | None = None,
    *,
    responses: Mapping[str, str] | None = None,
    output_dir: str | Path,
    template: str | None = None,
    prompt: PromptSettings | None = None,
    preset: Any = None,
    preset_args: Mapping[str, Any] | None = None,
    judge: Any = None,
    batch_size: int = 8,
    limit: int | None = None,
    resume: bool = True,
    plots: bool = True,
    progress: bool = True,
    on_batch: Callable[[int, list[dict[str, Any]]], None] | None = None,
    settings: dict[str, Any] | None = None,
) -> EvalResult:
    """Evaluate on ``dataset`` and write the run folder.

    Args:
        dataset: a ``datasets.Dataset`` (columns id, image, label, label_set, caption,
            dataset) or a list of such dicts.
        backend: ``backend(messages_batch, images) -> list[str | None]`` with a
            ``modality`` attribute (:class:`~agents.evaluation.generate.HFBackend`,
            :class:`~agents.evaluation.generate.ServerBackend`).
        responses: ``{id: response}`` to score instead of generating.
        output_dir: the run folder.
        template: ``"set"`` or ``"think"`` (default: ``prompt``'s, else ``"set"``).
        prompt: how the questions are asked (a training run's settings, read with
            :func:`agents.common.prompts.read_run_settings`, so a checkpoint is asked
            its training prompt); None: the plain question in ``template``. Recorded in
            ``run.json``.
        preset: scoring preset name or Rubric (default: ``emo_r3_reference`` for SET,
            ``grpo_baseline`` for think).
        preset_args: options of the preset (:func:`rewards.presets.build`).
        judge: reflective judge for the preset (None: reflective rates not measured).
        batch_size: samples per generation and scoring batch.
        limit: only the first ``limit`` samples of the split.
        resume: skip samples that already have a record (False: start over).
        plots: write PNG plots.
        progress: show a tqdm progress bar.
        on_batch: called after each written batch with (batch index, records).
        settings: extra settings recorded in ``run.json`` and checked on resume.
    """
    if (backend is None) == (responses is None):
        raise InvalidInputError("Pass exactly one of backend= (generate) or responses= (score).")
    if batch_size < 1:
        raise InvalidInputError(f"batch_size must be >= 1; got {batch_size}.")
    if prompt is None:
        prompt = PromptSettings(template=template or "set")
    elif template is not None and template != prompt.template:
        raise InvalidInputError(
            f"template={template!r} differs from the prompt settings' {prompt.template!r} "
            f"(from {prompt.source}); pass one of them."
        )
    template = prompt.template
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    ids = _ids(dataset)[:limit] if limit is not None else _ids(dataset)
    if not ids:
        raise InvalidInputError("The dataset split is empty: nothing to evaluate.")
    if len(set(ids)) != len(ids):
        raise InvalidInputError("Sample ids repeat in the dataset; they must be unique.")
    if responses is not None:
        unknown = [i for i in ids if i not in responses]
        if len(unknown) == len(ids):
            raise InvalidInputError(
                "None of the dataset's ids has a response in the responses file; check "
                "that the file's 'id' values are the dataset's."
            )
    with RunLock(out):  # one run per folder; the OS frees it if this process dies
        # (inside the lock: an HFBackend loads its model to learn its modality)
        modality = getattr(backend, "modality", "image") if backend is not None else "none"
        run_settings = {
            "template": template,
            "preset": preset if isinstance(preset, str) or preset is None else repr(preset),
            "modality": modality,
            "prompt": {k: v for k, v in prompt.as_dict().items() if k != "template"},
            **({"preset_args": dict(preset_args)} if preset_args else {}),
            **(settings or {}),
        }
        if preset is None:
            preset = presets.default_preset("eval", template)
        expected = {"template": template, **({"preset": preset} if isinstance(preset, str) else {})}
        check_settings(
            out / "run.json",
            run_settings,
            resume=resume,
            results=out / "results.jsonl",
            expected=expected,
            recorded={"prompt_source": prompt.source},
        )
        # built once: model presets load their model once
        rubric = build_rubric(preset, judge, **(preset_args or {}))
        with ResultsFile(out / "results.jsonl", resume=resume) as results:
            job = BatchJob(dataset, ids, backend, responses, prompt, modality, rubric)
            failed = job.run(results, batch_size, progress=progress, on_batch=on_batch)
            order = {key: i for i, key in enumerate(ids)}
            records = sorted(
                (r for r in results.records if r["id"] in order), key=lambda r: order[r["id"]]
            )
        if not records:
            raise InvalidInputError(
                f"No sample was scored: all {len(failed)} pending samples got no response "
                "(see the messages above); fix the backend and run again to resume."
            )
        summary = compute_metrics(records)
        summary["failed"] = len(failed)
        write_json(out / "summary.json", summary)
        written = []
        if plots:
            from agents.evaluation.plots import plot_summary

            written = plot_summary(summary, out)
    return EvalResult(summary, records, out, failed, written)
