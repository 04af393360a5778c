"""Gather concurrent scoring requests into micro-batches for one scoring worker.

OpenRLHF sends one HTTP request per sample; scoring them one by one wastes the batched
paths of model rewards. :class:`MicroBatcher` queues each request's samples and a
single background task takes the queue in batches of at most ``max_batch`` samples,
waiting at most ``max_wait`` seconds for a batch to fill once its first request has
arrived. The scoring function runs in a worker thread, so the event loop keeps
accepting requests while a batch is scored (they form the next batch).

A batch whose scoring fails is retried request by request, so one bad request fails
alone and its neighbours still get their rewards.

Example:
    >>> import asyncio
    >>> from agents.serve.batching import MicroBatcher
    >>> async def main():
    ...     batcher = MicroBatcher(lambda xs: [x * 2 for x in xs], max_batch=8, max_wait=0.01)
    ...     out = await asyncio.gather(*(batcher.submit([i]) for i in range(5)))
    ...     await batcher.close()
    ...     return out, batcher.stats["largest_batch"]
    >>> asyncio.run(main())
    ([[0], [2], [4], [6], [8]], 5)
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rewards.errors import InvalidInputError

__all__ = ["MicroBatcher"]


class MicroBatcher:
    """Micro-batching front of a batch function ``fn(list) -> list`` (same length).

    Args:
        fn: the batch scoring function (runs in one worker thread).
        max_batch: most samples per call of ``fn``.
        max_wait: seconds a batch may wait to fill after its first request arrived.
    """

    def __init__(self, fn: Callable[[list], list], max_batch: int = 64, max_wait: float = 0.005):
        if not isinstance(max_batch, int) or max_batch < 1:
            raise InvalidInputError(f"max_batch must be an int >= 1; got {max_batch!r}.")
        if not isinstance(max_wait, (int, float)) or max_wait < 0:
            raise InvalidInputError(f"max_wait must be a number of seconds >= 0; got {max_wait!r}.")
        self.fn = fn
        self.max_batch = max_batch
        self.max_wait = float(max_wait)
        self._queue: asyncio.Queue | None = None
        self._task: asyncio.Task | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="emo-r3-score")
        self.batch_sizes: Counter[int] = Counter()
        self.stats: dict[str, float] = {
            "batches": 0,
            "samples": 0,
            "largest_batch": 0,
            "failed_batches": 0,
            "busy_seconds": 0.0,
        }

    async def submit(self, items: Sequence[Any]) -> list[Any]:
        """Score ``items`` (one request's samples) within a shared micro-batch."""
        if not items:
            return []
        self._ensure_started()
        future = asyncio.get_running_loop().create_future()
        await self._queue.put((list(items), future))
        return await future

    def _ensure_started(self) -> None:
        if self._task is None or self._task.done():
            self._queue = asyncio.Queue()
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        """Stop the batching task and the worker thread; waiting callers get an error."""
        if self._queue is not None:
            while not self._queue.empty():
                _, future = self._queue.get_nowait()
                if not future.done():
                    future.set_exception(RuntimeError("The reward server is shutting down."))
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._executor.shutdown(wait=False)

    async def _collect(self) -> list[tuple[list, asyncio.Future]]:
        first = await self._queue.get()
        batch, size = [first], len(first[0])
        deadline = time.monotonic() + self.max_wait
        while size < self.max_batch:
            try:
                item = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    item = await asyncio.wait_for(self._queue.get(), remaining)
                except asyncio.TimeoutError:
                    break
            batch.append(item)
            size += len(item[0])
        return batch

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = await self._collect()
            batch = [(items, fut) for items, fut in batch if not fut.done()]  # caller gone
            if not batch:
                continue
            flat = [x for items, _ in batch for x in items]
            start = time.perf_counter()
            try:
                results = await loop.run_in_executor(self._executor, self._call, flat)
            except Exception:
                self.stats["failed_batches"] += 1
                await self._one_by_one(batch, loop)
                continue
            finally:
                self.stats["busy_seconds"] += time.perf_counter() - start
            self._record(len(flat))
            offset = 0
            for items, fut in batch:
                if not fut.done():
                    fut.set_result(results[offset : offset + len(items)])
                offset += len(items)

    async def _one_by_one(self, batch, loop) -> None:
        for items, fut in batch:
            try:
                results = await loop.run_in_executor(self._executor, self._call, items)
            except Exception as err:  # handed to that request's caller
                if not fut.done():
                    fut.set_exception(err)
                continue
            self._record(len(items))
            if not fut.done():
                fut.set_result(results)

    def _call(self, items: list) -> list:
        results = self.fn(items)
        if len(results) != len(items):
            raise RuntimeError(f"Batch function returned {len(results)} results for {len(items)}.")
        return list(results)

    def _record(self, size: int) -> None:
        self.stats["batches"] += 1
        self.stats["samples"] += size
        self.stats["largest_batch"] = max(self.stats["largest_batch"], size)
        self.batch_sizes[size] += 1
