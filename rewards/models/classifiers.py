"""Coherence by classifiers: an NLI cross-encoder or a text-classification emotion model.

* :func:`nli_coherence`: premise = the reasoning, hypothesis =
  ``"This text expresses {label}."`` for every label of the set; the entailment logits
  are soft-maxed across labels (zero-shot, single label; ``multi_label=True`` instead
  scores each label by entailment vs contradiction alone).
* :func:`classifier_coherence`: any Hugging Face sequence-classification model (hub
  id or folder); its class probabilities are mapped onto the label set through
  ``label_map`` (default: each class name read through the label set's synonyms;
  classes naming no label, such as "neutral", keep their mass, so the target's
  probability is not inflated).

Example:
    >>> from rewards.models import nli_coherence
    >>> reward = nli_coherence("cross-encoder/nli-deberta-v3-small")  # loads lazily
    >>> reward.__name__
    'coherence'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rewards.errors import InvalidInputError, ModelLoadError
from rewards.labels import LabelSet, get_label_set
from rewards.models._coherence import CoherenceConfig, CoherenceReward
from rewards.models._common import require, resolve_device
from rewards.models._config import check_positive_int, make_config

__all__ = [
    "ClassifierCoherence",
    "ClassifierConfig",
    "NLICoherence",
    "NLIConfig",
    "classifier_coherence",
    "nli_coherence",
]

HYPOTHESIS = "This text expresses {label}."


def _label_index(id2label: dict, wanted: str, model: str) -> int:
    for index, name in id2label.items():
        if wanted in str(name).lower():
            return int(index)
    raise ModelLoadError(
        f"NLI model {model!r} has no {wanted!r} class (id2label={id2label}); pass "
        f"entailment_label= / contradiction_label= naming its classes."
    )


@dataclass(frozen=True, kw_only=True)
class NLIConfig(CoherenceConfig):
    """Settings of :class:`NLICoherence` (and the fields of :class:`CoherenceConfig`).

    Attributes:
        model: a ``sentence_transformers.CrossEncoder`` NLI model (hub id or folder).
        hypothesis: hypothesis template with ``{label}``.
        multi_label: False: softmax of entailment logits across labels; True: per
            label, softmax of (contradiction, entailment).
        entailment_label, contradiction_label: substrings naming those classes in the
            model's ``id2label``.
        device: torch device (default: CUDA when available).
        max_length: longest (premise, hypothesis) pair in tokens.
    """

    model: str
    batch_size: int = 32
    hypothesis: str = HYPOTHESIS
    multi_label: bool = False
    entailment_label: str = "entail"
    contradiction_label: str = "contradict"
    device: str | None = None
    max_length: int = 512

    def __post_init__(self) -> None:
        super().__post_init__()
        if "{label}" not in self.hypothesis:
            raise InvalidInputError("hypothesis must contain '{label}'.")
        check_positive_int("max_length", self.max_length)


class NLICoherence(CoherenceReward):
    """Zero-shot coherence with an NLI cross-encoder; build with :func:`nli_coherence`."""

    def __init__(self, config: NLIConfig | None = None, /, **options: Any):
        config = make_config(NLIConfig, config, options, "NLICoherence")
        super().__init__(config)
        self.model, self.hypothesis = config.model, config.hypothesis
        self.multi_label = bool(config.multi_label)
        self.entailment_label = config.entailment_label.lower()
        self.contradiction_label = config.contradiction_label.lower()
        self.device, self.max_length = config.device, config.max_length

    def _load(self) -> dict[str, Any]:
        st = require("sentence_transformers", "nlp", "NLI cross-encoders", "sentence-transformers")
        try:
            encoder = st.CrossEncoder(
                self.model, device=resolve_device(self.device), max_length=self.max_length
            )
        except Exception as err:
            raise ModelLoadError(
                f"Could not load NLI cross-encoder {self.model!r}: {type(err).__name__}: {err}"
            ) from err
        id2label = encoder.model.config.id2label
        return {
            "encoder": encoder,
            "entail": _label_index(id2label, self.entailment_label, self.model),
            "contra": _label_index(id2label, self.contradiction_label, self.model),
        }

    def predict(self, texts: list[str], label_set: str | LabelSet = "mikels8") -> list[list[float]]:
        torch = require("torch", "nlp")
        state = self.loaded
        names = get_label_set(label_set).names
        if not texts:
            return []
        pairs = [(t, self.hypothesis.format(label=name)) for t in texts for name in names]
        logits = state["encoder"].predict(
            pairs, batch_size=self.batch_size, convert_to_tensor=True, show_progress_bar=False
        )
        logits = logits.float().reshape(len(texts), len(names), -1)
        entail = logits[..., state["entail"]]
        if self.multi_label:
            two = torch.stack([logits[..., state["contra"]], entail], dim=-1)
            return torch.softmax(two, dim=-1)[..., 1].tolist()
        return torch.softmax(entail, dim=-1).tolist()


def nli_coherence(model: str, **options: Any) -> NLICoherence:
    """Coherence as NLI entailment of "This text expresses <label>." by the reasoning.

    Args:
        model: a ``sentence_transformers.CrossEncoder`` NLI model (hub id or folder).
        **options: any other field of :class:`NLIConfig`, by keyword: ``hypothesis``,
            ``multi_label``, ``entailment_label``, ``contradiction_label``, ``target``,
            ``passage``, ``missing_value``, ``label_set``, ``batch_size``, ``device``,
            ``max_length``, ``name``.

    Returns:
        An :class:`NLICoherence` reward; values in [0, 1].

    Example:
        >>> nli_coherence("some/nli-model", multi_label=True).multi_label
        True
    """
    return NLICoherence(model=model, **options)


@dataclass(frozen=True, kw_only=True)
class ClassifierConfig(CoherenceConfig):
    """Settings of :class:`ClassifierCoherence` (and the fields of :class:`CoherenceConfig`).

    Attributes:
        model: hub id or folder of an ``AutoModelForSequenceClassification``.
        label_map: ``{model class: label}``; default maps class names through the
            label set's synonyms (e.g. "joy" -> "joy", "scared" -> "fear").
        renormalize: divide by the mass of the mapped classes (ignore e.g. "neutral").
        device, dtype: default CUDA with bf16 (fp16 without bf16 support), else CPU fp32.
        max_length: longest input in tokens (longer passages are truncated).
    """

    model: str
    batch_size: int = 32
    label_map: dict[str, str] | None = None
    renormalize: bool = False
    device: str | None = None
    dtype: Any = None
    max_length: int = 512

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive_int("max_length", self.max_length)


class ClassifierCoherence(CoherenceReward):
    """Coherence by a text-classification model; build with :func:`classifier_coherence`."""

    def __init__(self, config: ClassifierConfig | None = None, /, **options: Any):
        config = make_config(ClassifierConfig, config, options, "ClassifierCoherence")
        super().__init__(config)
        self.model = config.model
        self.label_map = dict(config.label_map) if config.label_map else None
        self.renormalize = bool(config.renormalize)
        self.device, self.dtype, self.max_length = config.device, config.dtype, config.max_length

    def _load(self) -> dict[str, Any]:
        transformers = require("transformers", "nlp", "text-classification coherence")
        from rewards.models._common import resolve_dtype

        device = resolve_device(self.device)
        try:
            tokenizer = transformers.AutoTokenizer.from_pretrained(self.model)
            net = transformers.AutoModelForSequenceClassification.from_pretrained(
                self.model, dtype=resolve_dtype(self.dtype, device)
            )
        except Exception as err:
            raise ModelLoadError(
                f"Could not load text classifier {self.model!r}: {type(err).__name__}: {err}"
            ) from err
        classes = [str(net.config.id2label[i]) for i in range(net.config.num_labels)]
        return {"tokenizer": tokenizer, "model": net.to(device).eval(), "classes": classes}

    def class_map(self, label_set: str | LabelSet) -> list[str | None]:
        """The label of ``label_set`` each model class counts for (None: none)."""
        label_set = get_label_set(label_set)
        classes = self.loaded["classes"]
        if self.label_map is not None:
            for target in self.label_map.values():
                label_set.check(target)
            out = [self.label_map.get(c) for c in classes]
        else:
            out = [label_set.normalize(c) for c in classes]
        if not any(out):
            raise InvalidInputError(
                f"None of the classifier's classes {classes} maps to a label of "
                f"{label_set.id!r}; pass label_map={{class: label}}."
            )
        return out

    def predict(self, texts: list[str], label_set: str | LabelSet = "mikels8") -> list[list[float]]:
        torch = require("torch", "nlp")
        label_set = get_label_set(label_set)
        mapping = self.class_map(label_set)
        state = self.loaded
        net, out = state["model"], []
        for start in range(0, len(texts), self.batch_size):
            batch = state["tokenizer"](
                texts[start : start + self.batch_size], padding=True, truncation=True,
                max_length=self.max_length, return_tensors="pt",
            ).to(net.device)  # fmt: skip
            with torch.inference_mode():
                probs = torch.softmax(net(**batch).logits.float(), dim=-1).tolist()
            for row in probs:
                dist = [0.0] * len(label_set)
                for p, label in zip(row, mapping, strict=True):
                    if label is not None:
                        dist[label_set.index(label)] += p
                total = sum(dist)
                out.append([d / total for d in dist] if self.renormalize and total else dist)
        return out


def classifier_coherence(model: str, **options: Any) -> ClassifierCoherence:
    """Coherence as a text-emotion classifier's probability of the target label.

    Args:
        model: hub id or folder of an ``AutoModelForSequenceClassification``.
        **options: any other field of :class:`ClassifierConfig`, by keyword:
            ``label_map``, ``renormalize``, ``target``, ``passage``, ``missing_value``,
            ``label_set``, ``batch_size``, ``device``, ``dtype``, ``max_length``, ``name``.

    Returns:
        A :class:`ClassifierCoherence` reward; values in [0, 1].

    Example:
        >>> classifier_coherence("some/emotion-model", label_map={"joy": "amusement"}).model
        'some/emotion-model'
    """
    return ClassifierCoherence(model=model, **options)
