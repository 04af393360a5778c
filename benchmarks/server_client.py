"""Load client of bench_server.py, run in its own process: replays POST bodies.

Usage: python benchmarks/server_client.py URL BODIES.json CONNECTIONS

Opens CONNECTIONS keep-alive HTTP/1.1 connections first (untimed), then sends every
body of BODIES.json (a list of JSON strings, one sample each, as OpenRLHF sends them)
with one request in flight per connection, and prints ``{"elapsed", "status",
"rewards"}``. A bare asyncio protocol (uvloop when installed; the next request leaves
from the callback that completed the previous reply) so that on a 2-core machine the
client takes as little CPU from the server as possible; replies are parsed after the
clock stops.
"""

from __future__ import annotations

import asyncio
import json
import re
import resource
import sys
import time
from urllib.parse import urlsplit

_LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)


def main() -> None:
    url, path, connections = sys.argv[1], sys.argv[2], int(sys.argv[3])
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    parts = urlsplit(url)
    target = (parts.path + ("?" + parts.query if parts.query else "")).encode()
    with open(path) as f:
        bodies = [b.encode() for b in json.load(f)]
    head = b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n" % (
        target,
        parts.netloc.encode(),
    )
    requests = [head + b"Content-Length: %d\r\n\r\n" % len(b) + b for b in bodies]
    replies: list[tuple[int, bytes] | None] = [None] * len(requests)
    order = iter(range(len(requests)))  # shared: each connection takes the next one

    class Connection(asyncio.Protocol):
        """Sends the next request as soon as the previous reply is complete."""

        def __init__(self, finished: asyncio.Future, open_count: list[int]):
            self.buffer, self.need, self.current = bytearray(), None, -1
            self.finished, self.open_count = finished, open_count

        def connection_made(self, transport) -> None:
            self.transport = transport

        def send_next(self) -> None:
            self.current = next(order, -1)
            if self.current >= 0:
                self.transport.write(requests[self.current])
                return
            self.transport.close()
            self.open_count[0] -= 1
            if not self.open_count[0] and not self.finished.done():
                self.finished.set_result(None)

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            if self.need is None:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    return
                header = bytes(self.buffer[: end + 4])
                self.status, self.start = int(header[9:12]), end + 4
                self.need = self.start + int(_LENGTH.search(header).group(1))
            if len(self.buffer) >= self.need:
                body = bytes(self.buffer[self.start : self.need])
                replies[self.current] = (self.status, body)
                del self.buffer[: self.need]
                self.need = None
                self.send_next()

        def connection_lost(self, exc) -> None:
            if self.current >= 0 and not self.finished.done():
                self.finished.set_exception(ConnectionError(f"lost during request {self.current}"))

    async def run() -> float:
        loop = asyncio.get_running_loop()
        finished, open_count = loop.create_future(), [connections]
        protocols = []
        for _ in range(connections):  # connect first (untimed)
            _, protocol = await loop.create_connection(
                lambda: Connection(finished, open_count), parts.hostname, parts.port
            )
            protocols.append(protocol)
        start = time.perf_counter()
        for protocol in protocols:
            protocol.send_next()
        await finished
        return time.perf_counter() - start

    try:
        import uvloop

        elapsed = uvloop.run(run())
    except ImportError:
        elapsed = asyncio.run(run())
    status: dict[int, int] = {}
    rewards = []
    for code, body in replies:
        status[code] = status.get(code, 0) + 1
        rewards.append(json.loads(body)["rewards"][0] if code == 200 else None)
    print(json.dumps({"elapsed": elapsed, "status": status, "rewards": rewards}))


if __name__ == "__main__":
    main()
