"""Evaluation asks a trained checkpoint the prompt it was trained on (its emo_r3_run.json).

A tiny local causal LM gets a LoRA adapter "trained" for one step and saved, as the
trainer saves it, with its run file (one-shot prompts, 3-token completions). ``emo-r3
eval --model <that folder>`` must feed the model exactly the text the trainer's held-out
evaluation feeds it: the trainer's prompt column (``agents.trl.data.prompt_dataset``)
through the tokenizer's chat template with the generation prompt, as TRL renders it.
"""

from __future__ import annotations

import json

import pytest
from fixtures.tiny_models import build_tiny_causal_lm

from agents.cli import main
from agents.common.jsonl import read_jsonl
from agents.common.prompts import (
    RUN_FILE,
    PromptSettings,
    find_run_file,
    prompt_messages,
    read_run_settings,
    write_run_settings,
)
from agents.trl.data import prompt_dataset
from emo_env.data import load_dataset
from rewards.errors import InvalidInputError, UnknownNameError

LIMIT = 4


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """An output folder with ``final/``: a LoRA adapter after one step, tokenizer, run file."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    root = tmp_path_factory.mktemp("train")
    base = build_tiny_causal_lm(root / "base")
    tok = AutoTokenizer.from_pretrained(base)
    model = get_peft_model(
        AutoModelForCausalLM.from_pretrained(base),
        LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]),
    )
    batch = tok(["<step1> a storm </step1> \\boxed{fear}"], return_tensors="pt")
    loss = model(**batch, labels=batch["input_ids"]).loss
    loss.backward()
    torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5).step()
    final = root / "run" / "final"
    model.save_pretrained(final)
    tok.save_pretrained(final)
    settings = PromptSettings(one_shot=True, caption_in_prompt=True, label_set="mikels8",
                              preset="emo_r3_offline", max_completion_length=3)  # fmt: skip
    write_run_settings(final, settings, base_model=base, adapter=True)
    return final, tok


def trainer_eval_texts(tok) -> list[str]:
    """What the trainer's held-out evaluation feeds the model for the first LIMIT samples."""
    split = load_dataset("embedded", split="test")
    prompts = prompt_dataset(split, vlm=False, one_shot=True, limit=LIMIT)["prompt"]
    return [tok.apply_chat_template(p, tokenize=False, add_generation_prompt=True) for p in prompts]


def eval_argv(model, out, *extra) -> list[str]:
    return ["eval", "--model", str(model), "--dataset", "embedded", "--split", "test",
            "--limit", str(LIMIT), "--batch-size", "2", "--output-dir", str(out),
            "--no-progress", "--no-plots", *extra]  # fmt: skip


def test_eval_of_a_trained_checkpoint_asks_the_trainers_prompt(trained, tmp_path, capsys):
    final, tok = trained
    assert main(eval_argv(final, tmp_path / "ev")) == 0
    assert (
        f"prompt:  paper style, set, one-shot (from {final / RUN_FILE})" in capsys.readouterr().out
    )
    records = read_jsonl(tmp_path / "ev" / "results.jsonl")
    expected = trainer_eval_texts(tok)
    assert [r["model_input"] for r in records] == expected
    assert expected[0].count("<|im_start|>user") == 2  # the worked example, then the question
    assert "\\boxed{fear}" in expected[0] and "\\boxed{contentment}" in expected[1]
    ids = [tok(t, add_special_tokens=False)["input_ids"] for t in expected]
    assert ids == [
        tok.apply_chat_template(p, add_generation_prompt=True, tokenize=True, return_dict=True)[
            "input_ids"
        ]
        for p in prompt_dataset(load_dataset("embedded", split="test"), vlm=False,
                                one_shot=True, limit=LIMIT)["prompt"]
    ]  # fmt: skip
    run = json.loads((tmp_path / "ev" / "run.json").read_text())
    assert run["prompt"]["one_shot"] is True and run["prompt"]["prompt_style"] == "paper"
    assert run["prompt_source"] == str(final / RUN_FILE)
    assert run["max_new_tokens"] == 3 and run["modality"] == "caption"


def test_flags_override_the_run_file_with_a_note(trained, tmp_path, capsys):
    final, tok = trained
    assert main(eval_argv(final, tmp_path / "ev", "--no-one-shot", "--max-new-tokens", "2")) == 0
    err = capsys.readouterr().err
    assert "note: one_shot=False from the flags overrides the training run" in err
    records = read_jsonl(tmp_path / "ev" / "results.jsonl")
    plain = prompt_dataset(load_dataset("embedded", split="test"), vlm=False, limit=LIMIT)
    assert [r["model_input"] for r in records] == [
        tok.apply_chat_template(p, tokenize=False, add_generation_prompt=True)
        for p in plain["prompt"]
    ]
    run = json.loads((tmp_path / "ev" / "run.json").read_text())
    assert run["prompt"]["one_shot"] is False and run["prompt_source"].endswith("(flags: one_shot)")
    assert run["max_new_tokens"] == 2


def test_responses_mode_takes_the_prompt_settings_of_a_run_file(tmp_path):
    write_run_settings(tmp_path / "train", PromptSettings(template="think"))
    ds = load_dataset("embedded", split="test")
    answers = tmp_path / "a.jsonl"
    answers.write_text("".join(json.dumps({"id": i, "response": "<think>x</think> \\boxed{awe}"})
                               + "\n" for i in ds["id"]))  # fmt: skip
    argv = ["eval", "--responses", str(answers), "--run-file", str(tmp_path / "train"),
            "--output-dir", str(tmp_path / "ev"), "--no-progress", "--no-plots"]  # fmt: skip
    assert main(argv) == 0
    assert json.loads((tmp_path / "ev" / "run.json").read_text())["template"] == "think"
    assert read_jsonl(tmp_path / "ev" / "results.jsonl")[0]["template"] == "think"
    assert main([*argv[:3], "--run-file", str(tmp_path / "nowhere"), *argv[5:]]) == 2


def test_trainer_prompts_and_eval_prompts_are_one_function():
    rows = [{"label": "awe", "label_set": "mikels8", "caption": f"scene {i}"} for i in range(4)]
    column = prompt_dataset(rows, vlm=False, one_shot=True)["prompt"]
    settings = PromptSettings(one_shot=True)
    assert column == [settings.messages("mikels8", f"scene {i}", index=i) for i in range(4)]
    # an image policy gets no one-shot example, as in training
    assert settings.messages("mikels8", None, index=2) == prompt_messages("mikels8", None)


def test_compact_style_and_system_prompt():
    chat = PromptSettings(prompt_style="compact").messages("emotion6", " A dark alley. ")
    assert [m["role"] for m in chat] == ["system", "user"]
    assert chat[0]["content"].startswith("Answer in three steps, <step1> the scene </step1>")
    assert chat[1]["content"] == (
        "Scene: A dark alley.\nOptions: anger, disgust, fear, joy, sadness, surprise."
    )
    custom = PromptSettings(prompt_style="compact", system_prompt="Be brief.")
    assert custom.messages("emotion6", "x")[0] == {"role": "system", "content": "Be brief."}
    paper = PromptSettings(system_prompt="You are careful.").messages("mikels8", "x")
    assert paper[0] == {"role": "system", "content": "You are careful."} and len(paper) == 2
    with pytest.raises(InvalidInputError, match="--modality caption"):
        PromptSettings(prompt_style="compact").messages("mikels8", None)


def test_run_file_is_found_beside_a_checkpoint_and_validated(tmp_path):
    write_run_settings(tmp_path, PromptSettings(one_shot=True), base_model="m", dataset="d")
    stored = json.loads((tmp_path / RUN_FILE).read_text())
    assert stored["base_model"] == "m" and stored["one_shot"] is True
    (tmp_path / "checkpoint-10").mkdir()
    assert find_run_file(tmp_path / "checkpoint-10") == tmp_path / RUN_FILE
    assert find_run_file(tmp_path) == tmp_path / RUN_FILE
    assert find_run_file(tmp_path / "missing" / "deeper") is None
    settings = read_run_settings(tmp_path / RUN_FILE)
    assert settings.one_shot and settings.extra == {"base_model": "m", "dataset": "d"}
    (tmp_path / RUN_FILE).write_text('{"prompt_style": "compakt"}')
    with pytest.raises(UnknownNameError, match="Did you mean 'compact'"):
        read_run_settings(tmp_path / RUN_FILE)
    (tmp_path / RUN_FILE).write_text('{"one_shot": "yes"}')
    with pytest.raises(InvalidInputError, match=r"one_shot .*must be bool; got 'yes'"):
        read_run_settings(tmp_path / RUN_FILE)
    (tmp_path / RUN_FILE).write_text("")
    with pytest.raises(InvalidInputError, match=r"is empty\. Fix or delete it"):
        read_run_settings(tmp_path / RUN_FILE)


def test_an_adapter_folder_loads_on_its_base_merged(trained):
    import torch
    from transformers import AutoModelForCausalLM

    from rewards.models import HFChatGenerator

    final, _ = trained
    merged = HFChatGenerator(str(final), device="cpu").model.state_dict()
    base_path = read_run_settings(final / RUN_FILE).extra["base_model"]
    base = AutoModelForCausalLM.from_pretrained(base_path).state_dict()
    assert not any("lora" in k for k in merged) and merged.keys() == base.keys()
    changed = [k for k in base if not torch.equal(base[k], merged[k])]
    assert changed and all(".q_proj." in k or ".v_proj." in k for k in changed)
