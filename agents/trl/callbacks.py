"""A ``transformers.TrainerCallback`` that records GRPO metrics, rollouts and the curve.

Per logged step it writes one JSON record to ``metrics.jsonl``::

    {"step", "split": "train" | "eval", "reward", "reward_std", "components": {...},
     "accuracy", "format_rate", "consistency", "coherence", "kl", "completion_length",
     "loss", "learning_rate", "step_seconds", "reward_seconds", "reward_share"}

scored sample rollouts to ``rollouts.jsonl``, prints a per-step table row
(:mod:`agents.trl.table`), and draws ``reward_curve.png`` when training ends
(:func:`agents.common.plotting.plot_training_curves`, train lines smoothed over 5 steps).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from agents.common.jsonl import JsonlWriter
from agents.common.plotting import plot_training_curves
from agents.trl.scoring import RubricRewards
from agents.trl.table import format_header, format_row

__all__ = ["GRPORecorder", "TimeLimit", "record_from_logs"]


def record_from_logs(
    logs: dict[str, Any], names: list[str], step: int, prefix: str = ""
) -> dict[str, Any] | None:
    """A metrics record from TRL's GRPO log dict (``prefix="eval_"`` for evaluation logs)."""
    if f"{prefix}reward" not in logs:
        return None
    comps = {n: logs.get(f"{prefix}rewards/{n}/mean") for n in names}
    return {
        "step": step,
        "split": "eval" if prefix else "train",
        "reward": logs[f"{prefix}reward"],
        "reward_std": logs.get(f"{prefix}reward_std"),
        "components": comps,
        "accuracy": comps.get("accuracy"),
        "format_rate": comps.get("format"),
        "consistency": comps.get("consistency"),
        "coherence": comps.get("coherence"),
        "kl": logs.get(f"{prefix}kl"),
        "completion_length": logs.get(f"{prefix}completions/mean_length"),
        "clipped_ratio": logs.get(f"{prefix}completions/clipped_ratio"),
        "loss": logs.get(f"{prefix}loss"),
        "learning_rate": logs.get("learning_rate"),
        "grad_norm": logs.get("grad_norm"),
    }


class GRPORecorder(TrainerCallback):
    """Records metrics, sample rollouts, a per-step table and the reward curve.

    Args:
        rewards: the shared rubric rewards (for component names, timing and rollouts).
        output_dir: where ``metrics.jsonl``, ``rollouts.jsonl`` and the PNG go.
        print_table: print a per-step table row.
        rollouts_per_step: scored sample rollouts written per log.
        title: title of the reward-curve figure.
        append: append to existing files (resumed runs).
    """

    def __init__(
        self,
        rewards: RubricRewards,
        output_dir: str | Path,
        *,
        print_table: bool = True,
        rollouts_per_step: int = 4,
        title: str = "GRPO training",
        append: bool = False,
    ):
        self.rewards = rewards
        self.output_dir = Path(output_dir)
        self.metrics_path = self.output_dir / "metrics.jsonl"
        self.rollouts_path = self.output_dir / "rollouts.jsonl"
        self.curve_path = self.output_dir / "reward_curve.png"
        self.metrics = JsonlWriter(self.metrics_path, append=append)
        self.rollouts = JsonlWriter(self.rollouts_path, append=append)
        self.print_table = print_table
        self.rollouts_per_step = rollouts_per_step
        self.title = title
        self.records: list[dict[str, Any]] = []
        self._t0 = 0.0
        self._step_seconds: float | None = None
        self._reward_seconds = 0.0
        self._printed_header = False

    def on_step_begin(self, args, state, control, **kwargs):
        self.rewards.take_seconds()
        self._t0 = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        self._step_seconds = time.perf_counter() - self._t0
        self._reward_seconds = self.rewards.take_seconds()

    def on_log(self, args, state, control, logs=None, **kwargs):
        logs = logs or {}
        history = state.log_history[-1] if state.log_history else {}
        if history.get("step") == state.global_step and "reward" in history:
            logs = history  # TRL's own record of the step (learning rate included)
        record = record_from_logs(logs, self.rewards.names, state.global_step)
        if record is not None and self._step_seconds is not None:
            record["step_seconds"] = self._step_seconds
            record["reward_seconds"] = self._reward_seconds
            record["reward_share"] = self._reward_seconds / max(self._step_seconds, 1e-9)
        if record is None:
            record = record_from_logs(logs, self.rewards.names, state.global_step, "eval_")
        if record is None:
            return
        self.log_record(record)

    def log_record(self, record: dict[str, Any], samples: list[dict] | None = None) -> None:
        """Write a record, its sample rollouts and a table row.

        Args:
            record: the metrics record.
            samples: scored rollouts to write (``completion``, ``label``, ``reward``,
                ``components``); default: the last batch the rewards scored.
        """
        self.records.append(record)
        self.metrics.write(record)
        if samples is None:
            self._write_rollouts(record["step"], record["split"])
        else:
            for sample in samples[: self.rollouts_per_step]:
                self.rollouts.write({"step": record["step"], "split": record["split"], **sample})
        if self.print_table:
            self._print(record)

    def _write_rollouts(self, step: int, split: str) -> None:
        batch = self.rewards.last_batch
        if not batch or not self.rollouts_per_step:
            return
        for i in range(min(self.rollouts_per_step, len(batch["completions"]))):
            self.rollouts.write(
                {
                    "step": step,
                    "split": split,
                    "prompt": batch["prompts"][i],
                    "completion": batch["completions"][i],
                    "label": batch["labels"][i],
                    "reward": batch["totals"][i],
                    "components": {n: v[i] for n, v in batch["components"].items()},
                }
            )

    def _print(self, record: dict[str, Any]) -> None:
        from tqdm.auto import tqdm

        if not self._printed_header:
            tqdm.write(format_header() + "  split")
            self._printed_header = True
        tqdm.write(format_row(record) + f"  {record['split']}")

    def on_train_end(self, args, state, control, **kwargs):
        self.plot()

    def plot(self) -> Path | None:
        """Draw the reward curve from what was logged so far (None if nothing was).

        Held-out points are the evaluations from the start of GRPO on (the optional
        evaluation of the untouched policy, before the warm start, is left out).
        """
        records = [r for r in self.records if r.get("phase") != "before warm start"]
        if not records:
            return None
        return plot_training_curves(records, self.curve_path, self.title, smooth=5)

    def finish(self) -> Path | None:
        """Flush files and draw the reward curve (if anything was logged)."""
        self.metrics.close()
        self.rollouts.close()
        return self.plot()


class TimeLimit(TrainerCallback):
    """Stop training cleanly so that the whole run ends within ``minutes`` of wall time.

    The clock starts at :meth:`start` (the driver calls it when the run begins: warm start
    and first evaluation included) or else when training begins. Training stops after
    the step at which less than ``reserve_seconds`` (the time the final evaluation is
    expected to take) is left. ``save``: also write a checkpoint then.
    """

    def __init__(self, minutes: float, *, save: bool = False):
        self.seconds = minutes * 60.0
        self.save = save
        self.reserve_seconds = 0.0
        self._start: float | None = None

    def start(self) -> None:
        """Start the clock now."""
        self._start = time.perf_counter()

    def on_train_begin(self, args, state, control, **kwargs):
        if self._start is None:
            self.start()

    def on_step_end(self, args, state, control, **kwargs):
        if self._start is None:
            return control
        left = self.seconds - (time.perf_counter() - self._start)
        if left <= self.reserve_seconds:
            control.should_training_stop = True
            control.should_save = control.should_save or self.save
        return control
