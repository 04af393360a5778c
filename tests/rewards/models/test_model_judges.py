"""Judges: in-process generation (tiny VLM, tiny LM, SmolLM2), live policy, HTTP, engines."""

from __future__ import annotations

import pickle

import pytest
import torch

from rewards.errors import InvalidInputError, JudgeError, ModelLoadError
from rewards.judges import JudgeRequest, coherence_prompt, consistency_prompt
from rewards.models import EngineJudge, HFChatGenerator, HFJudge, PolicyJudge, smollm2_path
from rewards.models.generation import with_image
from rewards.reflective import ReflectiveReward

RESPONSE = (
    "<step1>A man shouts at another man, fists raised.</step1>"
    "<step2>Viewers would feel angry.</step2><step3>negative</step3> \\boxed{anger}"
)
CHATS = [
    [{"role": "user", "content": "Can the following text describe the image? yes"}],
    [{"role": "user", "content": "Which emotion?"}],
    [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say no."}],
]


def test_with_image_inserts_one_image_part():
    out = with_image([{"role": "user", "content": "hi"}])
    assert out == [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "hi"}]}]
    assert with_image(out) is out
    with pytest.raises(InvalidInputError, match="no user message"):
        with_image([{"role": "system", "content": "x"}])


def test_vlm_generation_is_batch_invariant(qwen2vl_dir, images):
    one = HFChatGenerator(qwen2vl_dir, batch_size=1)
    many = HFChatGenerator(qwen2vl_dir, batch_size=3)
    imgs = [images[0], None, images[2]]
    a = one.generate(CHATS, imgs, max_new_tokens=5)
    b = many.generate(CHATS, imgs, max_new_tokens=5)
    assert a == b and len(a) == 3 and all(isinstance(x, str) for x in a)
    assert many.is_multimodal
    assert many.processor.tokenizer.padding_side == "left"


def test_sampling_is_seeded_and_differs_from_greedy(causal_lm_dir):
    gen = HFChatGenerator(causal_lm_dir)
    torch.manual_seed(0)
    first = gen.generate(CHATS, max_new_tokens=6, temperature=0.6, top_p=0.95)
    torch.manual_seed(0)
    assert gen.generate(CHATS, max_new_tokens=6, temperature=0.6, top_p=0.95) == first
    assert not gen.is_multimodal
    clone = pickle.loads(pickle.dumps(gen))
    assert clone._model is None


def test_generator_errors(tmp_path, causal_lm_dir):
    with pytest.raises(ModelLoadError, match="nothing-here"):
        HFChatGenerator(str(tmp_path / "nothing-here")).generate(CHATS)
    with pytest.raises(InvalidInputError, match="images has 1 entries"):
        HFChatGenerator(causal_lm_dir).generate(CHATS, images=[None])
    with pytest.raises(InvalidInputError, match="tokenizer or processor"):
        HFChatGenerator(torch.nn.Linear(1, 1))


def test_policy_judge_on_vlm_consistency_questions(qwen2vl_dir, images):
    from transformers import AutoModelForImageTextToText, AutoProcessor

    model = AutoModelForImageTextToText.from_pretrained(qwen2vl_dir)
    processor = AutoProcessor.from_pretrained(qwen2vl_dir)
    model.train()
    weights = model.lm_head.weight.detach().clone()
    judge = PolicyJudge(model, processor, max_new_tokens=4)
    assert judge.sampling == {"temperature": 0.6, "top_p": 0.95, "max_new_tokens": 4}
    rer = ReflectiveReward(judge, scoring="reference")
    parts = rer.score_components(None, [RESPONSE] * 2, label=["anger"] * 2, image=images[:2])
    assert set(parts["consistency"]) <= {0.0, 0.5, 1.0}
    assert set(parts["coherence"]) <= {0.0, 0.5, 1.0}
    assert judge.calls == 1 and rer.stats["requests"] == 4
    assert model.training  # training mode restored
    assert torch.equal(model.lm_head.weight, weights)
    assert all(p.grad is None for p in model.parameters())
    with pytest.raises(InvalidInputError, match="live model"):
        PolicyJudge(qwen2vl_dir, None)


def test_judge_sends_image_only_with_consistency(qwen2vl_dir, images):
    seen = []

    def engine(prompts, imgs, sampling):
        seen.append((prompts, imgs, sampling))
        return ["yes"] * len(prompts)

    judge = EngineJudge(engine)
    requests = [
        JudgeRequest("consistency", consistency_prompt("A dog."), images[0]),
        JudgeRequest("coherence", coherence_prompt("<step1>x</step1>", "mikels8"), images[0]),
    ]
    assert judge(requests) == ["yes", "yes"]
    prompts, imgs, sampling = seen[0]
    # shown with its image, the question follows the reference's newline after the image
    assert prompts[0] == [{"role": "user", "content": "\n" + consistency_prompt("A dog.")}]
    assert prompts[1] == [
        {"role": "user", "content": coherence_prompt("<step1>x</step1>", "mikels8")}
    ]
    assert imgs == [images[0], None]
    assert sampling == {"temperature": 0.6, "top_p": 0.95, "max_tokens": 16}
    plain = EngineJudge(lambda p, i, s: [x.upper() for x in p], chat=False, send_images=False)
    assert plain(requests[:1]) == [consistency_prompt("A dog.").upper()]
    with pytest.raises(JudgeError, match="1 answers for 2 prompts"):
        EngineJudge(lambda p, i, s: ["x"])(requests)


@pytest.fixture(scope="module")
def smollm2():
    return smollm2_path()


def test_smollm2_checkpoint_is_cached(smollm2, tmp_path):
    from transformers import AutoConfig

    assert smollm2_path() == smollm2
    config = AutoConfig.from_pretrained(smollm2)
    assert config.model_type == "llama" and not hasattr(config, "quantization_config")


def test_hf_judge_with_smollm2_on_coherence_questions(smollm2):
    judge = HFJudge(smollm2, max_new_tokens=4, batch_size=4)
    rer = ReflectiveReward(judge, scoring="robust", components=("coherence",))
    values = rer.score_components(None, [RESPONSE, "no structure"], label=["anger", "awe"])
    assert values["coherence"][1] == 0.0  # robust scoring: no passage, not asked
    assert values["coherence"][0] in (0.0, 1.0)
    assert rer.stats == {"requests": 1, "missing": 0}
    assert judge.calls == 1 and judge.generator.tokenizer.padding_side == "right"
