"""Score cheap requests on the event loop, coalescing those that arrive together.

For a rule-only rubric a small request costs microseconds to score: a thread hop or a
batching wait would cost more than the work. :class:`InlineScorer` scores on the event
loop itself, with no wait: the first request of a loop iteration schedules one flush
for the end of that iteration (``loop.call_soon``), and every request whose bytes
arrived in the same iteration joins it, so one rubric call scores them all and the
rubric's fixed cost is paid once per iteration, not once per request.

A flush holds at most ``max_batch`` requests (a full one is scored at once), and a
flush whose call fails is retried request by request, so one bad request fails alone.

Example:
    >>> import asyncio
    >>> from agents.serve.inline import InlineScorer
    >>> async def main():
    ...     inline = InlineScorer(lambda xs: [x * 2 for x in xs])
    ...     out = await asyncio.gather(*(inline.submit([i]) for i in range(4)))
    ...     return out, inline.stats["largest_batch"]
    >>> asyncio.run(main())
    ([[0], [2], [4], [6]], 4)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["InlineScorer"]


class InlineScorer:
    """Zero-wait coalescing front of a batch function ``fn(list) -> list``, on the loop.

    Args:
        fn: the batch scoring function; it runs on the event loop, so it must be cheap
            and bounded (the server gives it rule-only rubrics and small bodies).
        max_batch: most requests scored by one call.
    """

    def __init__(self, fn: Callable[[list], list], max_batch: int = 64):
        self.fn = fn
        self.max_batch = max_batch
        self._pending: list[tuple[list, asyncio.Future]] = []
        self.stats = {"flushes": 0, "requests": 0, "largest_batch": 0}

    def submit(self, items: Sequence[Any]) -> asyncio.Future:
        """A future of ``fn``'s results for ``items``, scored at the end of this iteration."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        if not self._pending:
            loop.call_soon(self._flush)
        self._pending.append((list(items), future))
        if len(self._pending) >= self.max_batch:
            self._flush()
        return future

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        self.stats["flushes"] += 1
        self.stats["requests"] += len(pending)
        if len(pending) == 1:
            self._one(*pending[0])
            return
        flat = [x for items, _ in pending for x in items]
        self.stats["largest_batch"] = max(self.stats["largest_batch"], len(flat))
        try:
            results = self.fn(flat)
            if len(results) != len(flat):
                raise RuntimeError(f"Batch function returned {len(results)} for {len(flat)}.")
        except Exception:
            for items, future in pending:  # so that one bad request fails alone
                self._one(items, future)
            return
        offset = 0
        for items, future in pending:
            if not future.done():
                future.set_result(results[offset : offset + len(items)])
            offset += len(items)

    def _one(self, items: list, future: asyncio.Future) -> None:
        self.stats["largest_batch"] = max(self.stats["largest_batch"], len(items))
        try:
            results = self.fn(items)
            if len(results) != len(items):
                raise RuntimeError(f"Batch function returned {len(results)} for {len(items)}.")
        except Exception as err:  # handed to that request
            if not future.done():
                future.set_exception(err)
            return
        if not future.done():
            future.set_result(results)
