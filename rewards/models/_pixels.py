"""Image pixels for the CLIP rewards: zero-copy views, content keys, batched device preprocessing.

Where the time of an end-to-end CLIP reward goes on a GPU is the host: a 640x512 PIL
image costs ~1 ms to copy out with ``tobytes``/``np.asarray``, ~0.3 ms to stack, and a
pageable host-to-device copy waits for the GPU to go idle first. Here:

* :func:`pixel_view`: the pixels of a PIL RGB image as a numpy view of Pillow's own
  memory (through the Arrow C data interface of Pillow >= 11.2 and ``pyarrow``: no
  copy; 4 bytes a pixel, the 4th unused), else one copy;
* :func:`pixel_key`: a 128-bit content hash of those pixels (xxh3 over the view: ~40 us
  for a 640x512 image), so the G responses of one prompt find their image embedding in
  the cache whether or not they share the image object;
* :class:`DevicePreprocess`: images of one size copied (by a few threads) into one
  pinned uint8 buffer, sent to the device without blocking the host, and resized
  (bicubic, antialiased), center-cropped and normalised there as one batch; the host
  goes on with the next batch while the device works.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["DevicePreprocess", "copy_threads", "pixel_key", "pixel_view"]


def _arrow_view(image: Any) -> Any:
    """Zero-copy ``(H, W, 4)`` uint8 view of a PIL RGB/RGBA image, else None."""
    try:
        import numpy as np
        import pyarrow as pa

        array = pa.array(image)
    except Exception:  # no pyarrow, an older Pillow, or rows not in one block
        return None
    buffer = array.buffers()[-1]
    if buffer is None or buffer.size != image.width * image.height * 4:
        return None
    return np.frombuffer(buffer, dtype=np.uint8).reshape(image.height, image.width, 4)


def pixel_view(image: Any) -> Any:
    """The RGB pixels of ``image`` as a C-contiguous uint8 ``(H, W, C)`` array.

    ``C`` is 3, or 4 for a zero-copy view of Pillow's memory (the 4th channel is padding
    and is ignored downstream). Accepts what :func:`~rewards.models._common.load_image`
    accepts (PIL images, arrays, paths, ``datasets`` image dicts).
    """
    import numpy as np
    from PIL import Image

    from rewards.models._common import load_image

    if not isinstance(image, Image.Image) or image.mode != "RGB":
        image = load_image(image)
    view = _arrow_view(image)
    if view is None:
        view = np.ascontiguousarray(np.asarray(image))
    return view


def pixel_key(view: Any) -> Hashable:
    """A content key of a pixel view (its shape and a 128-bit hash of its bytes)."""
    from rewards.models._common import _digest

    return ("pixels", view.shape, _digest(memoryview(view).cast("B")))


class DevicePreprocess:
    """Resize (bicubic, antialiased), center-crop and normalise pixel views as tensors.

    Args:
        geometry: ``(size, crop, mean, std)``: resize the shortest side to ``size`` then
            crop ``crop`` = (h, w), or squash to ``size`` = (h, w) when ``crop`` is None.
        device: where the work runs; on CUDA the host buffer is pinned and the copy
            does not block.
        threads: threads copying pixels into the host buffer (numpy releases the GIL).
    """

    def __init__(self, geometry: tuple, device: str, threads: int = 1):
        self.size, self.crop, self.mean, self.std = geometry
        self.device = device
        self.cuda = str(device).startswith("cuda")
        self.threads = max(1, threads)
        self._pool = None
        self._norm: Any = None

    def _map(self, fn: Callable, items: list) -> list:
        if self.threads < 2 or len(items) < 4:
            return [fn(x) for x in items]
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="emo-r3-pixels")
        return list(self._pool.map(fn, items))

    def _normaliser(self) -> tuple[Any, Any]:
        if self._norm is None:  # built once: a small host-to-device copy waits for the GPU
            import torch

            mean = torch.tensor(self.mean, dtype=torch.float32).view(1, 3, 1, 1)
            std = torch.tensor(self.std, dtype=torch.float32).view(1, 3, 1, 1)
            self._norm = (mean.to(self.device), std.to(self.device))
        return self._norm

    def upload(self, views: list) -> Any:
        """Views of one shape -> a uint8 ``(N, H, W, C)`` tensor on the device."""
        import numpy as np
        import torch

        host = torch.empty((len(views), *views[0].shape), dtype=torch.uint8, pin_memory=self.cuda)
        target = host.numpy()
        self._map(lambda i: np.copyto(target[i], views[i]), list(range(len(views))))
        return host.to(self.device, non_blocking=True)

    def batch(self, pixels: Any) -> Any:
        """uint8 ``(N, H, W, C)`` on the device -> normalised float ``(N, 3, h, w)``."""
        import torch

        functional = torch.nn.functional
        height, width = pixels.shape[1], pixels.shape[2]
        batch = pixels[..., :3].permute(0, 3, 1, 2).float()
        if self.crop is None:
            target = self.size
        else:
            scale = self.size / min(height, width)
            target = (max(self.size, round(height * scale)), max(self.size, round(width * scale)))
        batch = functional.interpolate(
            batch, size=target, mode="bicubic", antialias=True, align_corners=False
        )
        if self.crop is not None:
            th, tw = self.crop
            top, left = (batch.shape[2] - th) // 2, (batch.shape[3] - tw) // 2
            batch = batch[:, :, top : top + th, left : left + tw]
        mean, std = self._normaliser()
        return ((batch.clamp(0, 255) / 255.0) - mean) / std

    def __call__(self, views: list) -> Any:
        """Normalised ``(N, 3, h, w)`` pixels on the device, in the order of ``views``."""
        import torch

        groups: dict[tuple, list[int]] = {}
        for i, view in enumerate(views):
            groups.setdefault(view.shape, []).append(i)
        if len(groups) == 1:
            return self.batch(self.upload(views))
        rows: list[Any] = [None] * len(views)
        for idx in groups.values():  # images of several sizes: one batch per size
            part = self.batch(self.upload([views[i] for i in idx]))
            for j, i in enumerate(idx):
                rows[i] = part[j]
        return torch.stack(rows)  # on the device: no index tensor to copy over

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_pool": None, "_norm": None}


def copy_threads(workers: int, device: str) -> int:
    """Threads copying pixels: ``workers``, at least 4 on CUDA (memory copies scale)."""
    if str(device).startswith("cuda"):
        return max(workers, min(4, os.cpu_count() or 1))
    return workers
