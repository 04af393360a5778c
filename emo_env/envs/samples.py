"""Per-sample records, built once and shared: what a reset needs, ready to hand out.

A record holds the decoded image (for the rubric), its observation array (resized,
read-only), the observed prompt and caption, and the templates of the reset observation
and info, so that a reset or step only copies two small dicts. Sub-environments of a
vector environment share one cache.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from emo_env.envs.spaces import fit_text
from rewards.prompts import build_prompt

__all__ = ["CAPTION_CHARS", "SampleCache"]

CAPTION_CHARS = 4096
_META = ("id", "label", "label_set", "caption", "dataset", "question")
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError)


class SampleCache:
    """Records of a dataset's samples for one environment configuration.

    Args:
        dataset: the loaded ``datasets.Dataset``.
        config: the :class:`~emo_env.envs.config.EnvConfig` (image size, template, ...).
        prompt_chars: the observation's prompt limit.
        max_records: records kept (the cache is emptied when full; a record holds one
            ``image_size`` RGB array, 147 KiB at 224 x 224).
    """

    def __init__(self, dataset: Any, config: Any, prompt_chars: int, max_records: int = 512):
        self.dataset = dataset
        self.config = config
        self.prompt_chars = prompt_chars
        self.max_records = max_records
        meta = dataset.select_columns([c for c in _META if c in dataset.column_names])
        self.meta = {c: list(meta[c]) for c in meta.column_names}
        self._records: dict[int, dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self._records)

    def clear(self) -> None:
        self._records.clear()

    def get(self, index: int) -> dict[str, Any]:
        """The record of row ``index`` (built on first use)."""
        record = self._records.get(index)
        if record is None:
            if len(self._records) >= self.max_records:
                self._records.clear()
            record = self._records[index] = self._build(index)
        return record

    def _build(self, index: int) -> dict[str, Any]:
        meta = self.meta
        sample_id = meta["id"][index]
        image, array = self._decode(index, sample_id)
        label, label_set = meta["label"][index], meta["label_set"][index]
        caption = (meta["caption"][index] if "caption" in meta else "") or ""
        dataset = (meta["dataset"][index] if "dataset" in meta else "") or ""
        asked = meta["question"][index] if "question" in meta else None
        # a sample without an image (text-only data such as "captions") is asked with its
        # caption even when caption_in_prompt is off: there is nothing else to see
        shown = caption if self.config.caption_in_prompt or image is None else None
        prompt = build_prompt(label_set, self.config.template, shown, asked)
        prompt = fit_text(prompt, self.prompt_chars)
        return {
            "index": index,
            "id": sample_id,
            "image": image,
            "array": array,
            "label": label,
            "label_set": label_set,
            "caption": caption,
            "dataset": dataset,
            "prompt": prompt,
            "obs": {"image": array, "prompt": prompt, "caption": fit_text(caption, CAPTION_CHARS)},
            "info": {
                "sample_id": sample_id,
                "label": label,
                "label_set": label_set,
                "dataset": dataset,
                "index": index,
            },
        }

    def _decode(self, index: int, sample_id: str) -> tuple[Any, np.ndarray]:
        from PIL import Image

        height, width = self.config.image_size
        try:
            image = self.dataset[index]["image"]
            if image is None:  # a text-only dataset ("captions"): a blank observation image
                blank = np.zeros((height, width, 3), dtype=np.uint8)
                blank.setflags(write=False)
                return None, blank
            image.load()  # decode now: a truncated file fails here, named below
            rgb = image.convert("RGB").resize((width, height), Image.BICUBIC)
        except (*_DECODE_ERRORS, Image.DecompressionBombError) as err:
            from emo_env.data.images import decode_error

            raise decode_error(sample_id, err) from err
        array = np.asarray(rgb, dtype=np.uint8)
        array.setflags(write=False)  # shared by every observation of this sample
        return image, array
