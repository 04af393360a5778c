"""Images of reward requests: resolve a label's image reference safely, and decide
whether a rubric reads images at all.

A reference is either a path, which must lie inside one of the configured image roots
(after resolving symlinks and ``..``; anything outside is refused before it is opened),
or a dataset sample id of a dataset configured at start (:mod:`agents.common.datasets`).
An image file is decoded only if its header gives at most ``max_image_pixels`` pixels;
a file that is not a complete image is refused with :class:`ImageDataError`.
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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.common.datasets import NeedsIO, SampleIndex
from agents.common.labels import LabelInfo
from rewards.errors import InvalidInputError, MissingDependencyError
from rewards.reflective import ReflectiveReward
from rewards.rubric import Rubric

__all__ = [
    "DEFAULT_MAX_IMAGE_PIXELS",
    "ImageAccessError",
    "ImageDataError",
    "ImageRef",
    "ImageResolver",
    "needs_images",
    "rubric_needs_images",
]


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


#: Default cap on the pixels of one decoded image file (25 MP; a 12000x12000 PNG is 144 MP).
DEFAULT_MAX_IMAGE_PIXELS = 25_000_000


class ImageAccessError(InvalidInputError):
    """An image path lies outside every configured image root (it is never read)."""


class ImageDataError(InvalidInputError):
    """An image file inside the roots is not a decodable image, or is over the pixel cap."""


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
        dataset: dataset source(s) whose samples labels may name by ``sample_id`` (an
            ``emo_env.data.load_dataset`` source, default ``"embedded"``); the first is
            the default of labels naming none. See :mod:`agents.common.datasets`.
        split: split(s) searched for sample ids (all of them by default).
        max_image_pixels: largest image file decoded (width x height); larger ones are
            refused from their header, before any pixel is decoded.
    """

    def __init__(
        self,
        roots: Sequence[str | os.PathLike] = (),
        dataset: str | Sequence[str] = "embedded",
        split: Sequence[str] = ("all",),
        *,
        max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS,
    ):
        self.roots = tuple(Path(r).resolve() for r in roots)
        for root in self.roots:
            if not root.is_dir():
                raise InvalidInputError(f"Image root {str(root)!r} is not a folder.")
        if isinstance(max_image_pixels, bool) or not isinstance(max_image_pixels, int):
            raise InvalidInputError(f"max_image_pixels must be an int; got {max_image_pixels!r}.")
        if max_image_pixels < 1:
            raise InvalidInputError(f"max_image_pixels must be >= 1; got {max_image_pixels}.")
        self.max_image_pixels = max_image_pixels
        self.samples = SampleIndex([dataset] if isinstance(dataset, str) else dataset, split)
        self.dataset = self.samples.sources[0]

    def check(self, info: LabelInfo, *, io: bool = True) -> ImageRef | None:
        """Validate a label's image reference without reading any image.

        With ``io=False`` nothing touches the disk: a check that would (a path, a dataset
        not indexed yet) raises :class:`~agents.common.datasets.NeedsIO` instead.

        Raises:
            ImageAccessError: the path resolves outside every image root.
            InvalidInputError: the file does not exist inside the roots; an unknown
                dataset or sample id.
        """
        if info.image is not None:
            if not io and self.roots:
                raise NeedsIO(info.image)
            return ImageRef(path=self._checked_path(info.image))
        if info.sample_id is not None:
            source, _, _ = self.samples.locate(info.sample_id, info.dataset, io=io)
            return ImageRef(sample_id=info.sample_id, dataset=source)
        return None

    def _checked_path(self, ref: str) -> Path:
        if not self.roots:
            raise ImageAccessError(
                f"Image path {_short(ref)!r} refused: the server has no image roots configured "
                "(start it with --image-root DIR, or refer to images by sample_id)."
            )
        if "\x00" in ref:
            raise ImageAccessError("Image path contains a NUL byte.")
        if len(ref) > 4096 or any(len(os.fsencode(p)) > 255 for p in Path(ref).parts):
            raise InvalidInputError(
                f"Image path {_short(ref)!r} is too long (a name over 255 bytes, or over 4096 "
                "characters in all)."
            )
        try:
            raw = Path(ref)
            candidates = [raw] if raw.is_absolute() else [root / raw for root in self.roots]
            for candidate in candidates:
                resolved = Path(os.path.realpath(candidate))
                if not any(resolved.is_relative_to(root) for root in self.roots):
                    continue
                if not resolved.is_file():
                    raise InvalidInputError(
                        f"Image {_short(ref)!r} does not exist inside the image roots."
                    )
                return resolved
        except (OSError, ValueError) as err:  # ENAMETOOLONG, ELOOP, unencodable names
            if isinstance(err, InvalidInputError):
                raise
            raise InvalidInputError(f"Image path {_short(ref)!r} cannot be used: {err}") from None
        raise ImageAccessError(f"Image path {_short(ref)!r} is outside the configured image roots.")

    def load(self, ref: ImageRef | None) -> Any:
        """The PIL image of a checked reference (None for None).

        Raises:
            ImageDataError: the file is not a decodable image, or is over
                ``max_image_pixels`` (checked from its header, before decoding).
        """
        if ref is None:
            return None
        if ref.path is not None:
            return self._decode(ref.path)
        return self.sample(ref.sample_id, ref.dataset)["image"]

    def _decode(self, path: Path) -> Any:
        try:
            from PIL import Image
        except ImportError as err:
            raise MissingDependencyError("pillow", "serve", "loading images") from err
        name = path.name
        try:
            with Image.open(path) as img:
                width, height = img.size
                if width * height > self.max_image_pixels:
                    raise ImageDataError(
                        f"Image {name!r} is {width}x{height} = {width * height} pixels, over "
                        f"the limit of {self.max_image_pixels} (--max-image-pixels)."
                    )
                return img.convert("RGB")
        except ImageDataError:
            raise
        except Image.DecompressionBombError:  # Pillow's own cap, checked before ours
            raise ImageDataError(
                f"Image {name!r} has over {2 * Image.MAX_IMAGE_PIXELS} pixels, over the limit of "
                f"{self.max_image_pixels} (--max-image-pixels)."
            ) from None
        except Exception as err:  # whatever a malformed file makes a decoder raise
            raise ImageDataError(
                f"Image {name!r} could not be decoded ({type(err).__name__}: {err}); send a "
                "complete PNG, JPEG or other image file Pillow reads."
            ) from None

    def sample(self, sample_id: str, dataset: str | None = None) -> dict[str, Any]:
        """The dataset row with id ``sample_id`` (ids indexed once per dataset)."""
        _, rows, index = self.samples.locate(sample_id, dataset)
        return rows[index]


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
