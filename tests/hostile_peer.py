"""A hostile HTTP peer on loopback: stands in for Prometheus, an exporter, a webhook or Alertmanager.

What it does with a request is chosen by the request itself: the `query`
parameter of a Prometheus API call, else the path's first part. Each
behaviour is a way a broken or hostile server answers: a slow drip, an
endless body, a gigabyte, silence, a reset mid-body, a redirect loop, an
echo of the request (target and headers) in a 400, or
the bytes a test gives it. It records what it saw (path, headers) and when
each connection was closed by the client, so a test can check that we
stopped reading, not only that we stopped waiting.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

from runbook_tui.runbook.lean_dataclass import dataclass, field


@dataclass
class Peer:
    host: str
    port: int
    answers: dict[str, tuple[int, bytes]] = field(default_factory=dict)  # behaviour name -> (status, body)
    redirects: dict[str, str] = field(default_factory=dict)  # behaviour name -> Location
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    dropped: dict[str, float] = field(default_factory=dict)  # behaviour -> when the client closed it (monotonic)
    echo_pad: int = 0  # dots before an `echo` answer's text (where a reader cuts it short decides what it keeps)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def _behaviour(target: str) -> str:
    parts = urlsplit(target)
    query = parse_qs(parts.query).get("query")
    return query[0] if query else parts.path.strip("/").split("/", 1)[0]


class _Handler(socketserver.StreamRequestHandler):
    peer: Peer

    def handle(self) -> None:
        line = self.rfile.readline(65536).decode("latin-1")
        if not line:
            return
        headers: dict[str, str] = {}
        while True:
            header = self.rfile.readline(65536).decode("latin-1").strip()
            if not header:
                break
            name, _, value = header.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            self.rfile.read(int(headers["content-length"]))
        target = line.split(" ")[1]
        name = _behaviour(target)
        self.peer.seen.append((target, headers))
        try:
            self._answer(name, target, headers)
        except OSError:
            self.peer.dropped[name] = time.monotonic()

    def _send(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def _answer(self, name: str, target: str, headers: dict[str, str]) -> None:
        if name in self.peer.redirects:
            self._send(f"HTTP/1.1 302 Found\r\nLocation: {self.peer.redirects[name]}\r\nContent-Length: 0\r\n\r\n".encode())
        elif name in ("drip", "drip-close"):  # a byte every half second, for ever (drip-close: and `Connection: close`)
            closing = b"Connection: close\r\n" if name == "drip-close" else b""
            self._send(b"HTTP/1.1 200 OK\r\n" + closing + b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
            while True:
                self._send(b" ")
                time.sleep(0.5)
        elif name == "drip-headers":  # the status line and headers a byte at a time
            while True:
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: ":
                    self._send(bytes([byte]))
                    time.sleep(0.5)
        elif name == "endless":  # chunked, never ends
            self._send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b"[" * 65536
            while True:
                self._send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        elif name == "gigabyte":  # says 1 GB, and sends it
            self._send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n")
            zeros = b"0" * 65536
            for _ in range(16384):
                self._send(zeros)
        elif name == "silent":  # accepts, reads the request, never answers
            self.rfile.read()
            self.peer.dropped[name] = time.monotonic()
        elif name == "reset":  # half the body, then a TCP reset
            self._send(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"status": "succ')
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif name == "echo":  # a 400 that echoes the request back: its target, then every header but the routine ones
            told = " ".join(f"{k}={v}" for k, v in headers.items() if k not in ("host", "accept-encoding", "user-agent", "content-length"))
            body = ("." * self.peer.echo_pad + f"bad request {target} {told}").encode()
            self._send(b"HTTP/1.1 400 X\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        elif name == "varying":  # a 503 whose reason changes with every request (a request id)
            body = b'{"status": "error", "error": "overloaded, request %d"}' % len(self.peer.seen)
            self._send(b"HTTP/1.1 503 X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        else:
            status, body = self.peer.answers.get(name, (404, b'{"status": "error", "error": "no such behaviour"}'))
            self._send(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (status, len(body), body))


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def hostile_peer(host: str = "127.0.0.1", **given: Any) -> Iterator[Peer]:
    """A peer on `host`, a free port; stopped (and its connections dropped) on exit."""
    peer = Peer(host, 0, **given)
    handler = type("Handler", (_Handler,), {"peer": peer})
    server = _Server((host, 0), handler)
    peer.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield peer
    finally:
        server.shutdown()
        server.server_close()
