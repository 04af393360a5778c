"""Checking dataset images at load time: readable, complete, and not a decompression bomb.

A check opens each image's header (size and format), refuses images over
:data:`MAX_IMAGE_PIXELS` decoded pixels, and runs PIL's ``verify()``, which reads a
PNG's chunks and checksums (so a truncated or corrupt PNG fails at load, not at the
first ``reset``) without decoding pixels. Formats whose ``verify()`` reads little (JPEG)
can still hide a truncated file: the environments turn such a decoding failure into a
:class:`~emo_env.data._common.DataError` naming the sample.
"""

from __future__ import annotations

import io
import os
import struct
import warnings
from collections.abc import Sequence
from typing import Any

from rewards.errors import InvalidInputError

__all__ = ["MAX_IMAGE_PIXELS", "check_image", "check_image_file", "check_images", "decode_error"]

# 8192 x 8192: above any photograph of the benchmarks, far below the ~5 GB a 40k x 40k
# RGB bomb would take. Raise it (emo_env.data.images.MAX_IMAGE_PIXELS = ...) for larger.
MAX_IMAGE_PIXELS = 8192 * 8192

_UNREADABLE = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError)


def _data_error() -> type:
    from emo_env.data._common import DataError

    return DataError


def _too_big(name: str, width: int, height: int) -> Exception:
    return _data_error()(
        f"Image {name} is {width}x{height} ({width * height / 1e6:.1f} M pixels), over the "
        f"{MAX_IMAGE_PIXELS / 1e6:.1f} M pixel cap that guards against decompression bombs. "
        "Resize it, drop it from the dataset, or raise emo_env.data.images.MAX_IMAGE_PIXELS."
    )


def check_image(source: str | bytes, name: str | None = None) -> tuple[int, int]:
    """Check one image (a path or the file's bytes); return its ``(width, height)``.

    Raises:
        DataError: missing, unreadable, truncated or corrupt, or over the pixel cap.
    """
    from PIL import Image, UnidentifiedImageError

    DataError = _data_error()
    name = name or (repr(source) if isinstance(source, str) else "(embedded bytes)")
    if isinstance(source, str) and not os.path.isfile(source):
        raise DataError(f"Image file not found: {source!r}.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(source if isinstance(source, str) else io.BytesIO(source))
        with opened as image:
            width, height = image.size
            if width * height <= MAX_IMAGE_PIXELS:
                image.verify()  # PNG: every chunk read and its checksum compared
    except Image.DecompressionBombError as err:
        raise DataError(
            f"Image {name} is a decompression bomb for PIL ({err}); resize it or drop it."
        ) from err
    except (UnidentifiedImageError, *_UNREADABLE) as err:
        raise DataError(
            f"Unreadable image {name}: {err}. Re-export or drop it from the dataset."
        ) from err
    if width * height > MAX_IMAGE_PIXELS:
        raise _too_big(name, width, height)
    return width, height


def check_image_file(path: str) -> None:
    """Raise :class:`DataError` if ``path`` is missing, not a readable image, or too big."""
    check_image(path)


def check_images(images: Sequence[Any], verify: bool) -> None:
    """Check every image (a path, or a ``{"bytes", "path"}`` struct).

    Without ``verify`` only the existence of files is checked.
    """
    paths = [i for i in images if isinstance(i, str)]
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise _data_error()(f"Image file not found: {missing[0]!r}{more}.")
    if not verify:
        return
    from tqdm.auto import tqdm

    for image in tqdm(images, desc="checking images", disable=len(images) < 500, unit="img"):
        if isinstance(image, dict):
            if image.get("bytes"):
                check_image(image["bytes"], repr(image.get("path") or "(embedded bytes)"))
            elif image.get("path"):
                check_image(image["path"])
        elif isinstance(image, str):
            check_image(image)


def decode_error(sample_id: Any, err: BaseException) -> InvalidInputError:
    """The error for an image that passed the load-time check but cannot be decoded."""
    return _data_error()(
        f"The image of sample {sample_id!r} cannot be decoded: {err}. The file is truncated "
        "or corrupt (a JPEG's end is only read when decoding): re-export or drop it."
    )
