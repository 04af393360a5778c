"""Per-sample records, built once and shared: what a reset needs, ready to hand out.

A record holds the decoded image (for the rubric), its observation array (resized,
read-only) with a few read-only copies handed out in turn (:class:`ImageViews`), the
observed prompt and caption, and the template of the reset info, so that a reset or
step copies no image and builds two small dicts. Sub-environments of a vector
environment share one cache.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from emo_env.envs.spaces import fit_text
from rewards.prompts import build_prompt

__all__ = ["CAPTION_CHARS", "SCORE_COLUMNS", "ImageViews", "SampleCache"]

CAPTION_CHARS = 4096
MAX_CACHE_BYTES = 256 << 20  # image bytes a cache holds before it is emptied
#: The keywords of ``Rubric.score_batch`` a record's ``columns`` row holds, in order.
SCORE_COLUMNS = ("prompts", "labels", "images", "label_set", "caption", "id", "dataset")
_META = ("id", "label", "label_set", "caption", "dataset", "question")
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError)


class ImageViews:
    """``count`` read-only copies of an observation image, handed out in turn.

    Gymnasium asks that no two observations a user holds share data they could change.
    Read-only arrays cannot be changed; handing out ``count`` distinct copies in turn
    also keeps any ``count`` consecutive observations of one image from sharing memory
    (``gymnasium.utils.env_checker.check_env`` compares the reset, the steps of an
    episode and the next reset of the same sample). Each copy is handed out as a view
    of a read-only array, so ``setflags(write=True)`` on it fails.

    Args:
        array: the image (read-only); the first copy is this array itself.
        count: how many copies to hand out in turn.
    """

    __slots__ = ("_views", "array", "first", "take")

    def __init__(self, array: np.ndarray, count: int):
        array.setflags(write=False)
        self.array = array
        copies = [array] + [array.copy() for _ in range(count - 1)]
        for copy in copies:
            copy.setflags(write=False)
        self._views = [copy.view() for copy in copies]
        #: The first copy, always the same (for observations copied into a batch).
        self.first = self._views[0]
        #: The next read-only copy (a call; copies come in turn).
        self.take = itertools.cycle(self._views).__next__

    @property
    def nbytes(self) -> int:
        return self.array.nbytes * len(self._views)


class SampleCache:
    """Records of a dataset's samples for one environment configuration.

    Args:
        dataset: the loaded ``datasets.Dataset``.
        config: the :class:`~emo_env.envs.config.EnvConfig` (image size, template, ...).
        prompt_chars: the observation's prompt limit.
        views: read-only copies of each image handed out in turn (:class:`ImageViews`):
            at least one more than the observations with an image in an episode.
        max_records: records kept (the cache is emptied when full).
        max_bytes: image bytes kept (the cache is emptied when over; a record holds
            ``views`` RGB arrays of ``image_size``, 147 KiB each at 224 x 224).
    """

    def __init__(
        self,
        dataset: Any,
        config: Any,
        prompt_chars: int,
        views: int = 3,
        max_records: int = 512,
        max_bytes: int = MAX_CACHE_BYTES,
    ):
        self.dataset = dataset
        self.config = config
        self.prompt_chars = prompt_chars
        self.views = views
        self.max_records = max_records
        self.max_bytes = max_bytes
        meta = dataset.select_columns([c for c in _META if c in dataset.column_names])
        self.meta = {c: list(meta[c]) for c in meta.column_names}
        self._records: dict[int, dict[str, Any]] = {}
        self._bytes = 0
        self._blank: ImageViews | None = None  # shared by the samples without an image

    def __len__(self) -> int:
        return len(self._records)

    def clear(self) -> None:
        self._records.clear()
        self._bytes = 0

    def get(self, index: int) -> dict[str, Any]:
        """The record of row ``index`` (built on first use)."""
        record = self._records.get(index)
        if record is None:
            record = self._build(index)
            size = 0 if record["views"] is self._blank else record["views"].nbytes
            if len(self._records) >= self.max_records or self._bytes + size > self.max_bytes:
                self.clear()
            self._records[index] = record
            self._bytes += size
        return record

    def _build(self, index: int) -> dict[str, Any]:
        meta = self.meta
        sample_id = meta["id"][index]
        image, views = self._decode(index, sample_id)
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
            "views": views,
            "label": label,
            "label_set": label_set,
            "caption": caption,
            "dataset": dataset,
            "prompt": prompt,
            "observed_caption": fit_text(caption, CAPTION_CHARS),
            "columns": (prompt, label, image, label_set, caption, sample_id, dataset),
            "info": {
                "sample_id": sample_id,
                "label": label,
                "label_set": label_set,
                "dataset": dataset,
                "index": index,
            },
        }

    def _decode(self, index: int, sample_id: str) -> tuple[Any, ImageViews]:
        from PIL import Image

        height, width = self.config.image_size
        try:
            image = self.dataset[index]["image"]
            if image is None:  # a text-only dataset ("captions"): a blank observation image
                if self._blank is None:
                    blank = np.zeros((height, width, 3), dtype=np.uint8)
                    self._blank = ImageViews(blank, self.views)
                return None, self._blank
            image.load()  # decode now: a truncated file fails here, named below
            rgb = image.convert("RGB").resize((width, height), Image.BICUBIC)
        except (*_DECODE_ERRORS, Image.DecompressionBombError) as err:
            from emo_env.data.images import decode_error

            raise decode_error(sample_id, err) from err
        # read-only: shared by every observation of this sample
        return image, ImageViews(np.asarray(rgb, dtype=np.uint8), self.views)
