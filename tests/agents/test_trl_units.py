"""Fast unit tests of the TRL driver's pieces (no training)."""

from __future__ import annotations

import json
import pickle

import pytest

from agents.common.jsonl import JsonlWriter, read_jsonl
from agents.common.plotting import plot_training_curves as plot_reward_curve
from agents.trl.callbacks import TimeLimit, record_from_logs
from agents.trl.config import TrainConfig
from agents.trl.data import HIDDEN_IMAGE, prompt_dataset
from agents.trl.scoring import RubricRewards
from agents.trl.table import format_header, format_row
from rewards import presets
from rewards.errors import InvalidInputError
from rewards.judges import CallableJudge

GOOD = "<step1>a storm at sea</step1><step2>people feel afraid</step2><step3>negative</step3> \\boxed{fear}"
WRONG = "<step1>a storm at sea</step1><step2>people feel afraid</step2><step3>negative</step3> \\boxed{awe}"
BAD = "just fear"


def _rows(n=3):
    return [
        {
            "id": f"x{i}",
            "label": "fear",
            "label_set": "mikels8",
            "caption": f"cap {i}",
            "image": None,
        }
        for i in range(n)
    ]


def test_rubric_rewards_one_pass_per_batch_and_exact_values():
    calls = []

    def judge_fn(request):
        calls.append(request.kind)
        return "yes" if request.kind == "consistency" else "fear"

    shared = RubricRewards(presets.get("emo_r3_paper", judge=CallableJudge(judge_fn)))
    funcs = shared.functions()
    assert [f.__name__ for f in funcs] == ["accuracy", "format", "consistency", "coherence"]
    assert shared.weights() == pytest.approx([0.8, 0.1, 0.05, 0.05])
    completions = [GOOD, WRONG, BAD]
    kwargs = {"label": ["fear"] * 3, "label_set": ["mikels8"] * 3, "trainer_state": object()}
    values = [f(prompts=["q"] * 3, completions=completions, **kwargs) for f in funcs]
    assert values == [[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]
    assert shared.stats["rubric_calls"] == 1
    assert len(calls) == 4  # two questions for each of the two responses with passages
    totals = [
        sum(w * v[i] for w, v in zip(shared.weights(), values, strict=True)) for i in range(3)
    ]
    assert totals == pytest.approx([1.0, 0.2, 0.0])
    assert shared.last_batch["totals"] == pytest.approx([1.0, 0.2, 0.0])
    # a new batch (a new list object) is scored again
    funcs[0](prompts=["q"], completions=[GOOD], label=["awe"])
    assert shared.stats["rubric_calls"] == 2


def test_hidden_image_column_reaches_rewards_as_image():
    seen = []

    def judge_fn(request):
        seen.append(request.image)
        return "yes"

    shared = RubricRewards(presets.get("emo_r3_reference", judge=CallableJudge(judge_fn)))
    shared.functions()[0](
        prompts=["q"], completions=[GOOD], label=["fear"], **{HIDDEN_IMAGE: ["IMG"]}
    )
    assert "IMG" in seen


def test_component_rewards_pickle():
    shared = RubricRewards(presets.get("emo_r3_robust"))
    funcs = pickle.loads(pickle.dumps(shared.functions()))
    assert funcs[0](prompts=["q"], completions=[GOOD], label=["fear"]) == [1.0]
    assert funcs[0].shared is funcs[1].shared


def test_prompt_dataset_text_and_vlm():
    ds = prompt_dataset(_rows(), vlm=False)
    content = ds[0]["prompt"][0]["content"]
    assert content.startswith("Image description: cap 0\nWhich emotion does this image evoke?")
    assert HIDDEN_IMAGE in ds.column_names and "image" not in ds.column_names
    vds = prompt_dataset([{**r, "image": "i.png"} for r in _rows()], vlm=True, limit=2)
    assert len(vds) == 2 and "Image description" not in vds[0]["prompt"][0]["content"]
    assert "image" in vds.column_names


def test_prompt_dataset_one_shot_rotates_examples():
    ds = prompt_dataset(_rows(4), vlm=False, one_shot=True)
    first, fourth = ds[0]["prompt"], ds[3]["prompt"]
    assert [m["role"] for m in first] == ["user", "assistant", "user"]
    assert first[1]["content"].endswith("\\boxed{fear}")
    assert ds[1]["prompt"][1]["content"].endswith("\\boxed{contentment}")
    assert first[1] == fourth[1]  # three examples, in turn
    assert first[2]["content"].startswith("Image description: cap 0")
    with pytest.raises(InvalidInputError, match="text-only SET prompts only"):
        prompt_dataset([{**r, "image": "i.png"} for r in _rows()], vlm=True, one_shot=True)


def test_prompt_dataset_errors():
    with pytest.raises(InvalidInputError, match="missing \\['caption'\\]"):
        prompt_dataset([{"label": "fear", "label_set": "mikels8"}], vlm=False)
    with pytest.raises(InvalidInputError, match="Dataset or a list"):
        prompt_dataset("embedded", vlm=False)


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("num_generations", 1, "at least 2"),
        ("max_steps", 0, "positive integer"),
        ("judge", "gpt", "judge must be one of"),
        ("learning_rate", 0.0, "learning_rate"),
        ("eval_samples", -1, "eval_samples"),
        ("finetune", "qlora", "finetune must be one of"),
        ("prompt_style", "short", "prompt_style"),
        ("one_shot", True, "compact prompt is for SET"),
        ("warm_start_steps", -1, "warm_start_steps"),
        ("eval_temperature", -0.5, "eval_temperature"),
        ("device", "tpu", "device must be"),
        ("lora_rank", 0, "lora_rank"),
        ("scale_rewards", "std", "scale_rewards must be one of"),
    ],
)
def test_train_config_validation(field, value, match):
    with pytest.raises(InvalidInputError, match=match):
        TrainConfig(**{field: value})


def test_record_from_logs():
    logs = {
        "reward": 0.5,
        "reward_std": 0.1,
        "rewards/accuracy/mean": 0.25,
        "rewards/format/mean": 0.75,
        "kl": 0.002,
        "completions/mean_length": 40.0,
        "loss": 0.01,
    }
    r = record_from_logs(logs, ["accuracy", "format"], 7)
    assert r["step"] == 7 and r["split"] == "train"
    assert (r["accuracy"], r["format_rate"], r["kl"], r["completion_length"]) == (
        0.25,
        0.75,
        0.002,
        40.0,
    )
    assert r["components"] == {"accuracy": 0.25, "format": 0.75}
    assert record_from_logs({"loss": 1.0}, ["accuracy"], 1) is None
    ev = record_from_logs(
        {"eval_reward": 0.3, "eval_rewards/accuracy/mean": 0.5}, ["accuracy"], 2, "eval_"
    )
    assert ev["split"] == "eval" and ev["accuracy"] == 0.5


def test_metrics_files(tmp_path):
    path = tmp_path / "m.jsonl"
    with JsonlWriter(path) as log:
        log.write({"step": 1, "split": "train", "reward": 0.1, "accuracy": float("nan")})
        log.write({"step": 2, "split": "train", "reward": 0.3, "accuracy": 0.5})
        log.write({"step": 2, "split": "eval", "reward": 0.2, "accuracy": 0.25})
    records = read_jsonl(path)
    assert records[0]["accuracy"] is None and records[1]["reward"] == 0.3
    assert json.loads(path.read_text().splitlines()[2])["split"] == "eval"
    png = plot_reward_curve(path, tmp_path / "c.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(InvalidInputError, match="No such metrics file"):
        read_jsonl(tmp_path / "missing.jsonl")
    with pytest.raises(InvalidInputError, match="must be a dict"):
        JsonlWriter(tmp_path / "x.jsonl").write([1])


def test_table_row():
    header = format_header()
    row = format_row({"step": 3, "reward": 0.5, "accuracy": 0.25, "reward_share": 0.031})
    assert header.split()[:3] == ["step", "reward", "acc"]
    assert row.split()[:3] == ["3", "0.500", "0.250"]
    assert row.split()[-1] == "3.1%" and "-" in row.split()
    assert len(row) == len(header)


def test_time_limit_stops_training():
    from transformers import TrainerControl, TrainerState

    control, state = TrainerControl(), TrainerState()
    limit = TimeLimit(minutes=0.0)
    limit.on_train_begin(None, state, control)
    limit.on_step_end(None, state, control)
    assert control.should_training_stop and not control.should_save  # no checkpoint asked
    saving, control3 = TimeLimit(minutes=0.0, save=True), TrainerControl()
    saving.on_train_begin(None, state, control3)
    saving.on_step_end(None, state, control3)
    assert control3.should_training_stop and control3.should_save
    relaxed, control2 = TimeLimit(minutes=60.0), TrainerControl()
    relaxed.on_train_begin(None, state, control2)
    relaxed.on_step_end(None, state, control2)
    assert not control2.should_training_stop


def test_time_limit_keeps_room_for_the_final_evaluation():
    from transformers import TrainerControl, TrainerState

    state = TrainerState()
    limit = TimeLimit(minutes=1.0)
    limit.start()
    control = TrainerControl()
    limit.on_train_begin(None, state, control)  # does not restart the clock
    limit.on_step_end(None, state, control)
    assert not control.should_training_stop  # ~60 s left, nothing reserved
    limit.reserve_seconds = 61.0  # the final evaluation would not fit any more
    limit.on_step_end(None, state, control)
    assert control.should_training_stop


def test_auto_threads_leaves_busy_cores_alone(tmp_path, monkeypatch):
    import os

    from agents.trl import policy as policy_module

    cores = len(os.sched_getaffinity(0))
    stat = tmp_path / "stat"
    monkeypatch.setattr(policy_module, "_PROC_STAT", str(stat))
    stat.write_text("cpu  1 2 3\nprocs_running 1\nprocs_blocked 0\n")  # only this process
    assert policy_module.auto_threads() == cores
    stat.write_text(f"procs_running {cores + 5}\n")  # every core busy elsewhere
    assert policy_module.auto_threads() == 1
    monkeypatch.setattr(policy_module, "_PROC_STAT", str(tmp_path / "missing"))
    assert policy_module.auto_threads() == cores
