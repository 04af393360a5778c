"""Images of reward requests: resolve a label's image reference safely, and decide
whether a rubric reads images at all.

A reference is either a path, which must lie inside one of the configured image roots
(after resolving symlinks and ``..``; anything outside is refused before it is opened),
or a dataset sample id, looked up through ``emo_env.data``.
:func:`rubric_needs_images` is the one check of whether images must be loaded.

Example:
    >>> import tempfile
    >>> from agents.common.images import ImageAccessError, ImageResolver
    >>> from agents.common.labels import LabelInfo
    >>> resolver = ImageResolver(roots=[tempfile.gettempdir()])
    >>> try:
    ...     resolver.check(LabelInfo("fear", image="/etc/passwd"))
    ... except ImageAccessError as err:
    ...     print("refused")
    refused
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.common.labels import LabelInfo
from rewards.errors import EmoError, InvalidInputError, MissingDependencyError, closest
from rewards.reflective import ReflectiveReward
from rewards.rubric import Rubric

__all__ = ["ImageAccessError", "ImageRef", "ImageResolver", "needs_images", "rubric_needs_images"]


def needs_images(component: Any) -> bool:
    """Whether one rubric component reads the ``image`` column.

    A component says so with a ``needs_images`` attribute (CLIP rewards: True, caption
    rewards: False). A :class:`~rewards.reflective.ReflectiveReward` reads images when
    it asks the consistency question to a judge, unless the judge declares
    ``needs_images = False`` (it gets its answers elsewhere). Anything else: False.
    """
    flag = getattr(component, "needs_images", None)
    if flag is not None:
        return bool(flag)
    if isinstance(component, ReflectiveReward):
        judge = component.judge
        return (
            judge is not None
            and "consistency" in component.components
            and getattr(judge, "needs_images", True) is not False
        )
    return False


def rubric_needs_images(rubric: Rubric) -> bool:
    """Whether any component of ``rubric`` reads images (see :func:`needs_images`)."""
    return any(needs_images(f) for f in rubric.funcs)


class ImageAccessError(InvalidInputError):
    """An image path lies outside every configured image root (it is never read)."""


@dataclass(frozen=True, slots=True)
class ImageRef:
    """A checked reference: a resolved file path, or a dataset sample."""

    path: Path | None = None
    sample_id: str | None = None
    dataset: str | None = None


class ImageResolver:
    """Checks and loads the images that label fields point at.

    Args:
        roots: folders image paths may lie in; with none, every path is refused.
        dataset: dataset searched for sample ids when a label names none (an
            ``emo_env.data.load_dataset`` source, default ``"embedded"``).
        split: split(s) searched for sample ids (all of them by default).
    """

    def __init__(
        self,
        roots: Sequence[str | os.PathLike] = (),
        dataset: str = "embedded",
        split: Sequence[str] = ("all",),
    ):
        self.roots = tuple(Path(r).resolve() for r in roots)
        for root in self.roots:
            if not root.is_dir():
                raise InvalidInputError(f"Image root {str(root)!r} is not a folder.")
        self.dataset = dataset
        self.splits = tuple(split)
        self._samples: dict[tuple[str, str], tuple[Any, int]] = {}
        self._indexed: set[str] = set()
        self._lock = threading.Lock()

    def check(self, info: LabelInfo) -> ImageRef | None:
        """Validate a label's image reference without reading any file.

        Raises:
            ImageAccessError: the path resolves outside every image root.
            InvalidInputError: the file does not exist inside the roots.
        """
        if info.image is not None:
            return ImageRef(path=self._checked_path(info.image))
        if info.sample_id is not None:
            dataset = info.dataset or self.dataset
            self._locate(info.sample_id, dataset)
            return ImageRef(sample_id=info.sample_id, dataset=dataset)
        return None

    def _checked_path(self, ref: str) -> Path:
        if "\x00" in ref:
            raise ImageAccessError("Image path contains a NUL byte.")
        if not self.roots:
            raise ImageAccessError(
                f"Image path {ref!r} refused: the server has no image roots configured "
                "(start it with --image-root DIR, or refer to images by sample_id)."
            )
        raw = Path(ref)
        candidates = [raw] if raw.is_absolute() else [root / raw for root in self.roots]
        for candidate in candidates:
            resolved = Path(os.path.realpath(candidate))
            if not any(resolved.is_relative_to(root) for root in self.roots):
                continue
            if not resolved.is_file():
                raise InvalidInputError(f"Image {ref!r} does not exist inside the image roots.")
            return resolved
        raise ImageAccessError(f"Image path {ref!r} is outside the configured image roots.")

    def load(self, ref: ImageRef | None) -> Any:
        """The PIL image of a checked reference (None for None)."""
        if ref is None:
            return None
        if ref.path is not None:
            try:
                from PIL import Image
            except ImportError as err:
                raise MissingDependencyError("pillow", "serve", "loading images") from err
            with Image.open(ref.path) as img:
                return img.convert("RGB")
        return self.sample(ref.sample_id, ref.dataset)["image"]

    def sample(self, sample_id: str, dataset: str | None = None) -> dict[str, Any]:
        """The dataset row with id ``sample_id`` (loaded once per dataset)."""
        rows, index = self._locate(sample_id, dataset or self.dataset)
        return rows[index]

    def _locate(self, sample_id: str, dataset: str) -> tuple[Any, int]:
        key = (dataset, str(sample_id))
        with self._lock:
            if dataset not in self._indexed:
                self._index(dataset)
            if key not in self._samples:
                near = closest(str(sample_id), [i for d, i in self._samples if d == dataset])
                hint = f" Did you mean {near!r}?" if near else ""
                raise InvalidInputError(
                    f"No sample with id {sample_id!r} in dataset {dataset!r}.{hint}"
                )
            return self._samples[key]

    def _index(self, dataset: str) -> None:
        try:
            from emo_env import data
        except ImportError as err:
            raise MissingDependencyError("emo_env data", "env", "sample-id images") from err
        for split in self.splits:
            try:
                rows = data.load_dataset(dataset, split=split, verify_images=False)
            except EmoError:
                continue
            for index, sample_id in enumerate(rows["id"]):  # the id column only: no decoding
                self._samples[(dataset, str(sample_id))] = (rows, index)
        self._indexed.add(dataset)
