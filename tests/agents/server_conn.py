"""A raw HTTP/1.1 client on one keep-alive socket, for tests of the reward server.

httpx or aiohttp would silently reconnect after the server closed a connection; this
client cannot, so a test using it proves that every reply left the connection usable.
"""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit


class KeepAliveConnection:
    """One TCP connection; :meth:`request` sends a request and reads its reply."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=120)
        self.buffer = b""
        self.requests = 0

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        """``(status, headers, parsed JSON body)`` of one request on this connection."""
        lines = [f"{method} {path} HTTP/1.1", "Host: test", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        self.requests += 1
        while b"\r\n\r\n" not in self.buffer:
            self._recv()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        reply_headers = {
            k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in header_lines)
        }
        length = int(reply_headers["content-length"])
        while len(self.buffer) < length:
            self._recv()
        data, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(status_line.split()[1]), reply_headers, json.loads(data) if data else None

    def post(self, body: dict | bytes, path: str = "/get_reward"):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.request("POST", path, raw, {"Content-Type": "application/json"})

    def _recv(self) -> None:
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError(f"server closed the connection after {self.requests} requests")
        self.buffer += chunk

    def close(self) -> None:
        self.sock.close()
