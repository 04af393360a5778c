"""Vision-language rollouts through OpenRLHF's own code: the query holds the expanded image.

The prompt string is built by OpenRLHF's prompt-dataset code (``preprocess_data`` with
the processor's chat template), the rollout by its ``SingleTurnAgentExecutor`` (the
processor expands the one ``<|image_pad|>`` into one token per merged patch), and the
reward comes from the emo-r3 reward file and the reward server.
"""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from fixtures.tiny_models import build_tiny_qwen2vl
from openrlhf.datasets.prompts_dataset import preprocess_data
from openrlhf.utils.agent import SingleTurnAgentExecutor
from openrlhf_standins import CannedEngine, SamplingParams

import agents.openrlhf.reward_func as reward_module
from agents.common.labels import encode_label
from agents.serve import ServerConfig, ServerThread, create_app

GOOD = (
    "<step1>A storm hits a tiny boat.</step1><step2>Scared.</step2>"
    "<step3>Negative, high arousal.</step3> \\boxed{fear}"
)
QUESTION = "Which emotion does this image evoke?"


@pytest.fixture(scope="module")
def processor(tmp_path_factory):
    from transformers import AutoProcessor

    return AutoProcessor.from_pretrained(build_tiny_qwen2vl(tmp_path_factory.mktemp("vl")))


@pytest.fixture(scope="module")
def image_path(tmp_path_factory):
    from PIL import Image

    path = tmp_path_factory.mktemp("img") / "storm.png"
    Image.new("RGB", (80, 64), (30, 60, 90)).save(path)
    return str(path)


@pytest.fixture(autouse=True)
def fresh_reward_file(monkeypatch):
    monkeypatch.setattr(reward_module, "_SCORER", None)
    monkeypatch.setenv("EMO_R3_PRESET", "emo_r3_reference")
    logging.getLogger("openrlhf.utils.agent").setLevel(logging.WARNING)


def dataset_prompt(processor, vision: bool) -> str:
    """The prompt string OpenRLHF's PromptDataset builds (``--data.apply_chat_template``)."""
    row = {"prompt": ("<image>" if vision else "") + QUESTION, "label": encode_label("fear")}
    prompt, _ = preprocess_data(row, None, "prompt", "label", processor.apply_chat_template)
    return prompt


def rollout(executor, processor, prompt, images):
    engine = CannedEngine(
        processor.tokenizer, lambda _: GOOD, eos_id=processor.tokenizer.eos_token_id
    )
    return asyncio.run(
        executor.execute(
            prompt, encode_label("fear"), SamplingParams(max_tokens=None), 512, processor,
            engine, images=images,
        )
    )  # fmt: skip


def test_the_query_really_holds_the_expanded_image(processor, image_path):
    prompt = dataset_prompt(processor, vision=True)
    assert prompt.count("<|image_pad|>") == 1
    out = rollout(SingleTurnAgentExecutor(), processor, prompt, [image_path])
    query = processor.decode(out["observation_tokens"], skip_special_tokens=False)
    assert query.count("<|image_pad|>") > 1 and not query.startswith(prompt)
    assert out["mm_train_inputs"] is not None  # the image did reach the processor


@pytest.mark.parametrize("vision", [True, False], ids=["image", "text-only"])
def test_reward_file_scores_format_one(processor, image_path, vision):
    executor = SingleTurnAgentExecutor(remote_rm_url=reward_module.__file__)
    prompt = dataset_prompt(processor, vision)
    out = rollout(executor, processor, prompt, [image_path] if vision else None)
    assert out["extra_logs"]["format"].tolist() == [1.0]
    assert out["extra_logs"]["accuracy"].tolist() == [1.0]
    assert out["reward"].tolist() == pytest.approx([1.1])  # reference preset, no judge
    assert reward_module.get_scorer().stats["prompt_not_found"] == 0


@pytest.mark.parametrize("vision", [True, False], ids=["image", "text-only"])
def test_reward_server_scores_format_one(processor, image_path, vision):
    config = ServerConfig(port=0, preset="emo_r3_reference")
    prompt = dataset_prompt(processor, vision)
    images = [image_path] if vision else None
    with ServerThread(config) as server:  # OpenRLHF's aiohttp request, real loopback HTTP
        out = rollout(SingleTurnAgentExecutor(server.url), processor, prompt, images)
    assert out["extra_logs"]["format"] == [1.0]
    assert out["reward"] == pytest.approx([1.1])

    # The same request through the in-process ASGI transport.
    query = processor.decode(out["observation_tokens"], skip_special_tokens=False)
    app = create_app(config)

    async def post():
        transport = httpx.ASGITransport(app=app)
        payload = {"query": [query], "prompts": [prompt], "labels": [encode_label("fear")]}
        async with httpx.AsyncClient(transport=transport, base_url="http://rm") as client:
            try:
                return (await client.post("/get_reward", json=payload)).json()
            finally:
                await app.state.batcher.close()

    reply = asyncio.run(post())
    assert reply["extra_logs"]["format"] == [1.0]
    assert reply["rewards"] == pytest.approx([1.1])
