"""``emo-r3 eval``: evaluate a policy on a dataset split, or score a JSONL of responses.

Examples::

    emo-r3 eval --model smollm2 --dataset embedded --split test --output-dir runs/smol
    emo-r3 eval --server http://127.0.0.1:8000/v1 --server-model Qwen/Qwen2.5-VL-3B-Instruct \\
        --dataset emoset:/data/EmoSet --output-dir runs/emoset
    emo-r3 eval --responses answers.jsonl --dataset embedded --output-dir runs/scored
    emo-r3 eval --training-metrics runs/train/metrics.jsonl --output-dir runs/train

The run folder gets results.jsonl (one scored sample a line, written as it goes, so a
rerun resumes), summary.json and PNG plots (docs/evaluation.md). A checkpoint saved by
``emo-r3 train`` is asked the prompts it was trained on: its ``emo_r3_run.json`` (in the
model folder or its parent, or ``--run-file``) gives the template, one-shot example,
prompt style and completion length; ``--template``, ``--one-shot/--no-one-shot`` and
``--prompt-style`` override it (with a note). run.json records the prompt used.
The preset defaults to ``emo_r3_reference`` (``grpo_baseline`` for the think
template); ``--preset-arg KEY=JSON`` passes its options (e.g. ``clip_model=/path``).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from agents.cli.options import add_preset_arg, parse_preset_args
from agents.common.prompts import (
    PROMPT_STYLES,
    RUN_FILE,
    PromptSettings,
    find_run_file,
    read_run_settings,
)
from rewards import presets
from rewards.errors import InvalidInputError
from rewards.prompts import TEMPLATES

__all__ = ["DEFAULT_MAX_NEW_TOKENS", "add_arguments", "format_summary", "prompt_settings", "run"]

DEFAULT_MAX_NEW_TOKENS = 256


def add_arguments(parser: argparse.ArgumentParser) -> None:
    src = parser.add_argument_group("what to evaluate (pick one)")
    src.add_argument("--model", help="hub id, local folder, or 'smollm2' (offline SmolLM2-135M)")
    src.add_argument("--server", help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1")
    src.add_argument("--responses", help="JSONL of existing responses: {id, response} per line")
    src.add_argument("--training-metrics", help="training metrics JSONL to plot as curves")
    src.add_argument(
        "--run-file",
        help=f"a training run's {RUN_FILE} (or its folder) whose prompt settings to use "
        "(default: the one beside --model, if any)",
    )
    data = parser.add_argument_group("data")
    data.add_argument("--dataset", default="embedded", help="emo_env dataset source")
    data.add_argument("--split", default="test")
    data.add_argument("--label-set", help="label set id, when the source needs one")
    data.add_argument("--limit", type=int, help="only the first N samples")
    gen = parser.add_argument_group("generation")
    gen.add_argument("--server-model", help="model name on the server")
    gen.add_argument("--api-key")
    gen.add_argument("--timeout", type=float, default=60.0, help="server timeout (s)")
    gen.add_argument("--modality", choices=("auto", "image", "caption"), default="auto")
    gen.add_argument(
        "--template", choices=tuple(TEMPLATES), help="default: the training run's, else set"
    )
    gen.add_argument(
        "--one-shot",
        action=argparse.BooleanOptionalAction,
        help="a worked example before each question (default: the training run's, else no)",
    )
    gen.add_argument(
        "--prompt-style", choices=PROMPT_STYLES, help="default: the training run's, else paper"
    )
    gen.add_argument(
        "--max-new-tokens",
        type=int,
        help=f"default: the training run's completion length, else {DEFAULT_MAX_NEW_TOKENS}",
    )
    gen.add_argument("--temperature", type=float, default=0.0, help="0 = greedy")
    gen.add_argument("--top-p", type=float, default=1.0)
    gen.add_argument("--batch-size", type=int, default=8)
    gen.add_argument("--device", help="cpu, cuda, cuda:1, ...")
    gen.add_argument("--dtype", help="float32, bfloat16, float16")
    gen.add_argument(
        "--cpu-threads",
        type=int,
        help="torch CPU threads (1 is much faster on a busy shared machine)",
    )
    score = parser.add_argument_group("scoring and output")
    score.add_argument("--preset", help="scoring preset (default by template)")
    add_preset_arg(score)
    score.add_argument(
        "--judge",
        choices=("none", "self"),
        default="none",
        help="'self': the evaluated model answers the reflective questions",
    )
    score.add_argument("--output-dir", required=True)
    score.add_argument("--no-resume", action="store_true", help="start over")
    score.add_argument("--no-plots", action="store_true")
    score.add_argument("--no-progress", action="store_true")


def prompt_settings(args: argparse.Namespace) -> PromptSettings:
    """The prompt to ask: a training run's recorded settings (``--run-file``, or the
    :data:`~agents.common.prompts.RUN_FILE` beside ``--model``), with flags overriding."""
    run_file = None
    if args.run_file:
        run_file = find_run_file(args.run_file)
        if run_file is None:
            raise InvalidInputError(
                f"--run-file {args.run_file!r}: no {RUN_FILE} there; give the file or the "
                "folder of a training run (or its saved model)."
            )
    elif args.model:
        run_file = find_run_file(args.model)
    base = read_run_settings(run_file) if run_file else PromptSettings()
    flags = {"template": args.template, "one_shot": args.one_shot,
             "prompt_style": args.prompt_style}  # fmt: skip
    flags = {k: v for k, v in flags.items() if v is not None}
    if not run_file:
        return replace(base, **flags)
    changed = sorted(k for k, v in flags.items() if getattr(base, k) != v)
    if changed:
        print(
            f"note: {', '.join(f'{k}={flags[k]!r}' for k in changed)} from the flags "
            f"overrides the training run ({run_file}); the scores will not match its "
            "held-out evaluation.",
            file=sys.stderr,
        )
    source = f"{run_file} (flags: {', '.join(changed)})" if changed else str(run_file)
    return replace(base, **flags, source=source)


def _backend(args: argparse.Namespace):
    from agents.evaluation.generate import HFBackend, ServerBackend

    if args.model:
        if args.cpu_threads:
            import torch

            torch.set_num_threads(args.cpu_threads)
        sampling = {
            "max_new_tokens": args.max_new_tokens,
            "do_sample": args.temperature > 0,
        }
        if args.temperature > 0:
            sampling.update(temperature=args.temperature, top_p=args.top_p)
        return HFBackend(
            args.model,
            modality=args.modality,
            device=args.device,
            dtype=args.dtype,
            batch_size=args.batch_size,
            **sampling,
        )
    if not args.server_model:
        raise InvalidInputError("--server needs --server-model (the served model's name).")
    backend = ServerBackend(
        args.server,
        args.server_model,
        modality="image" if args.modality == "auto" else args.modality,
        api_key=args.api_key,
        timeout=args.timeout,
        max_tokens=args.max_new_tokens,
        temperature=args.temperature,
        top_p=args.top_p,
    )
    backend.check()
    return backend


def format_summary(summary: dict) -> str:
    """A short human-readable summary of a run."""

    def pct(value):
        return "n/a" if value is None else f"{100 * value:.2f}%"

    lines = [
        f"samples            {summary['n']}  (failed: {summary.get('failed', 0)})",
        f"accuracy (exact)   {pct(summary['accuracy'])}",
        f"accuracy (normal.) {pct(summary.get('accuracy_normalized'))}",
        f"format rate        {pct(summary['format_rate'])}",
        f"consistency rate   {pct(summary.get('consistency_rate'))}",
        f"coherence rate     {pct(summary.get('coherence_rate'))}",
        f"affect agreement   {pct(summary.get('affect_agreement'))}",
        f"guard hit rate     {pct(summary.get('guard_hit_rate'))}  {summary.get('guard_hits')}",
    ]
    for name, part in summary.get("by_dataset", {}).items():
        lines.append(f"  {name or '(no dataset)':<16} n={part['n']:<5} acc={pct(part['accuracy'])}")
    return "\n".join(lines)


def _describe(prompt: PromptSettings) -> str:
    shot = "one-shot" if prompt.one_shot else "no example"
    return f"{prompt.prompt_style} style, {prompt.template}, {shot} (from {prompt.source})"


def run(args: argparse.Namespace) -> int:
    sources = [s for s in (args.model, args.server, args.responses) if s]
    out = Path(args.output_dir)
    if args.training_metrics:
        from agents.common.plotting import plot_training_curves

        path = plot_training_curves(args.training_metrics, out / "training_curves.png")
        print(f"wrote {path}")
        if not sources:
            return 0
    if len(sources) != 1:
        raise InvalidInputError(
            "Pick exactly one of --model, --server or --responses (or only --training-metrics)."
        )
    from agents.evaluation.lock import RunLock

    # taken before the data and the model load, so a second run is refused at once
    with RunLock(out):
        return _evaluate(args, out)


def _evaluate(args: argparse.Namespace, out: Path) -> int:
    from agents.evaluation.harness import evaluate, load_responses, load_samples

    prompt = prompt_settings(args)
    args = argparse.Namespace(**vars(args))  # resolved below from the training run
    if args.max_new_tokens is None:
        args.max_new_tokens = prompt.max_completion_length or DEFAULT_MAX_NEW_TOKENS
    if args.modality == "auto" and prompt.caption_in_prompt is not None:
        args.modality = "caption" if prompt.caption_in_prompt else "image"
    elif args.modality == "auto" and prompt.prompt_style == "compact":
        args.modality = "caption"
    kwargs = {"label_set": args.label_set} if args.label_set else {}
    dataset = load_samples(args.dataset, args.split, **kwargs)
    backend = None if args.responses else _backend(args)
    responses = load_responses(args.responses) if args.responses else None
    if args.judge == "self" and backend is None:
        raise InvalidInputError("--judge self needs --model or --server (a model to ask).")
    judge = presets.resolve_judge(args.judge, policy=backend.judge if backend else None)
    settings = {
        "dataset": args.dataset,
        "split": args.split,
        "source": args.model or args.server or str(args.responses),
        "judge": args.judge,
        "max_new_tokens": args.max_new_tokens,
        "temperature": args.temperature,
    }
    result = evaluate(
        dataset,
        backend,
        responses=responses,
        output_dir=out,
        prompt=prompt,
        preset=args.preset,
        preset_args=parse_preset_args(args.preset_arg),
        judge=judge,
        batch_size=args.batch_size,
        limit=args.limit,
        resume=not args.no_resume,
        plots=not args.no_plots,
        progress=not args.no_progress,
        settings=settings,
    )
    print(format_summary(result.summary))
    print(f"prompt:  {_describe(prompt)}")
    print(f"results: {out / 'results.jsonl'}\nsummary: {out / 'summary.json'}")
    for path in result.plots:
        print(f"plot:    {path}")
    if result.failed:
        print(
            f"{len(result.failed)} samples got no response (first: "
            f"{json.dumps(result.failed[:3])}); run again to retry them."
        )
    return 0
