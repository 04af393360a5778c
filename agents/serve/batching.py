"""Gather concurrent scoring requests into micro-batches for one scoring worker.

OpenRLHF sends one HTTP request per sample; scoring them one by one wastes the batched
paths of model rewards. :class:`MicroBatcher` queues each request's samples and a
single background task takes the queue in batches of at most ``max_batch`` samples,
waiting at most ``max_wait`` seconds for a batch to fill once its first request has
arrived. The scoring function runs in a worker thread, so the event loop keeps
accepting requests while a batch is scored (they form the next batch).

A batch whose scoring fails is retried request by request, so one bad request fails
alone and its neighbours still get their rewards. A batch that runs past ``timeout``
seconds (a hanging judge) fails with :class:`~agents.common.faults.ScoringTimeout`; its
worker thread is left to finish on its own (a daemon thread, never joined) and a fresh
one scores the next batches. Once ``max_stuck`` workers hang at once, requests fail at
once with a 503 :class:`~agents.common.faults.ServerFault` instead of queueing.

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
import concurrent.futures
import contextlib
import math
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from agents.common.faults import ScoringTimeout, ServerFault
from rewards.errors import InvalidInputError

__all__ = ["MicroBatcher"]


class _Worker:
    """One daemon thread running submitted calls in order (abandoned if one hangs)."""

    def __init__(self, name: str):
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self.thread.start()

    def submit(self, fn: Callable, *args: Any) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._jobs.put((future, fn, args))
        return future

    def stop(self) -> None:
        """Exit once the current call returns."""
        self._jobs.put(None)

    def _loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, fn, args = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as err:  # handed to the awaiting request
                future.set_exception(err)


class MicroBatcher:
    """Micro-batching front of a batch function ``fn(list) -> list`` (same length).

    Args:
        fn: the batch scoring function (runs in one worker thread).
        max_batch: most samples per call of ``fn``.
        max_wait: seconds a batch may wait to fill after its first request arrived.
        timeout: seconds one call of ``fn`` may take (None: no limit).
        max_stuck: timed-out calls that may still be running before requests are refused.
    """

    def __init__(
        self,
        fn: Callable[[list], list],
        max_batch: int = 64,
        max_wait: float = 0.005,
        timeout: float | None = None,
        max_stuck: int = 4,
    ):
        if isinstance(max_batch, bool) or not isinstance(max_batch, int) or max_batch < 1:
            raise InvalidInputError(f"max_batch must be an int >= 1; got {max_batch!r}.")
        if not _seconds(max_wait, zero=True):
            raise InvalidInputError(f"max_wait must be a number of seconds >= 0; got {max_wait!r}.")
        if timeout is not None and not _seconds(timeout, zero=False):
            raise InvalidInputError(f"timeout must be a number of seconds > 0; got {timeout!r}.")
        self.fn = fn
        self.max_batch = max_batch
        self.max_wait = float(max_wait)
        self.timeout = None if timeout is None else float(timeout)
        self.max_stuck = max_stuck
        self._queue: asyncio.Queue | None = None
        self._task: asyncio.Task | None = None
        self._worker: _Worker | None = None  # started by the first batch
        self._stuck: list[_Worker] = []
        self.batch_sizes: Counter[int] = Counter()
        self.stats: dict[str, float] = {
            "batches": 0,
            "samples": 0,
            "largest_batch": 0,
            "failed_batches": 0,
            "timeouts": 0,
            "busy_seconds": 0.0,
        }

    async def submit(self, items: Sequence[Any]) -> list[Any]:
        """Score ``items`` (one request's samples) within a shared micro-batch."""
        if not items:
            return []
        self._stuck = [w for w in self._stuck if w.thread.is_alive()]
        if len(self._stuck) >= self.max_stuck:
            raise ServerFault(
                f"{len(self._stuck)} scoring calls are still running past the "
                f"{self.timeout} s timeout (a hanging judge or model); the server refuses new "
                "requests until they return. Check the judge, or restart the server."
            )
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
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

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
        while True:
            batch = await self._collect()
            batch = [(items, fut) for items, fut in batch if not fut.done()]  # caller gone
            if not batch:
                continue
            flat = [x for items, _ in batch for x in items]
            start = time.perf_counter()
            try:
                results = await self._run_call(flat)
            except ScoringTimeout as err:
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(err)
                continue
            except Exception:
                self.stats["failed_batches"] += 1
                await self._one_by_one(batch)
                continue
            finally:
                self.stats["busy_seconds"] += time.perf_counter() - start
            self._record(len(flat))
            offset = 0
            for items, fut in batch:
                if not fut.done():
                    fut.set_result(results[offset : offset + len(items)])
                offset += len(items)

    async def _run_call(self, items: list) -> list:
        """``fn(items)`` on the worker thread, within the timeout (then a fresh worker)."""
        if self._worker is None:
            self._worker = _Worker("emo-r3-score")
        future = asyncio.wrap_future(self._worker.submit(self._call, items))
        try:
            return await asyncio.wait_for(future, self.timeout)
        except asyncio.TimeoutError:
            self.stats["timeouts"] += 1
            self._stuck.append(self._worker)
            self._worker.stop()  # it exits when the hanging call returns
            self._worker = None
            raise ScoringTimeout(
                f"Scoring took longer than the server's timeout of {self.timeout} s "
                "(--score-timeout-s); a judge or model is hanging or overloaded."
            ) from None

    async def _one_by_one(self, batch) -> None:
        for items, fut in batch:
            try:
                results = await self._run_call(items)
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


def _seconds(value: Any, zero: bool) -> bool:
    """Whether ``value`` is a finite number of seconds (> 0, or >= 0 with ``zero``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return False
    return value >= 0 if zero else value > 0
