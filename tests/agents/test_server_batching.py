"""MicroBatcher: batch limits, failure isolation, shutdown, argument checks."""

from __future__ import annotations

import asyncio
import threading

import pytest

from agents.serve.batching import MicroBatcher
from rewards.errors import InvalidInputError


def test_batches_respect_max_batch_and_keep_order():
    seen = []

    def double(items):
        seen.append(len(items))
        return [x * 2 for x in items]

    async def main():
        batcher = MicroBatcher(double, max_batch=4, max_wait=0.05)
        out = await asyncio.gather(*(batcher.submit([i, i + 100]) for i in range(10)))
        await batcher.close()
        return out, batcher

    out, batcher = asyncio.run(main())
    assert out == [[2 * i, 2 * (i + 100)] for i in range(10)]
    assert max(seen) <= 4 and sum(seen) == 20 and max(seen) > 2  # requests were combined
    assert batcher.stats["samples"] == 20 and batcher.stats["largest_batch"] == max(seen)


def test_a_failing_request_fails_alone():
    def fn(items):
        if "bad" in items:
            raise ValueError("bad sample")
        return [s.upper() for s in items]

    async def main():
        batcher = MicroBatcher(fn, max_batch=64, max_wait=0.05)
        results = await asyncio.gather(
            batcher.submit(["a"]),
            batcher.submit(["bad"]),
            batcher.submit(["c", "d"]),
            return_exceptions=True,
        )
        await batcher.close()
        return results, batcher

    (a, bad, cd), batcher = asyncio.run(main())
    assert a == ["A"] and cd == ["C", "D"]
    assert isinstance(bad, ValueError)
    assert batcher.stats["failed_batches"] == 1


def test_scoring_runs_off_the_event_loop_thread():
    threads = []

    def fn(items):
        threads.append(threading.current_thread().name)
        return items

    async def main():
        batcher = MicroBatcher(fn, max_batch=8, max_wait=0)
        await batcher.submit([1])
        await batcher.close()

    asyncio.run(main())
    assert threads == [t for t in threads if t.startswith("emo-r3-score")] and threads


def test_wrong_length_result_is_an_error():
    async def main():
        batcher = MicroBatcher(lambda items: items[:-1], max_batch=8, max_wait=0)
        try:
            await batcher.submit([1, 2])
        finally:
            await batcher.close()

    with pytest.raises(RuntimeError, match="returned 1 results for 2"):
        asyncio.run(main())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_batch": 0}, "max_batch"),
        ({"max_batch": 2.5}, "max_batch"),
        ({"max_wait": -1}, "max_wait"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(InvalidInputError, match=match):
        MicroBatcher(lambda x: x, **kwargs)
