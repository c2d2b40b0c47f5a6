"""A real HTTP receiver for webhooks: http.server in a thread on 127.0.0.1, recording what arrives (and an event loop
whose clock the test moves, for the notices' timers).

`mode` says how it answers: "ok" (204), "fail" (500 with a reason in the
body) or "hang" (reads the request, then answers only when released, so the
sender's timeout is what ends the attempt).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any
    at: float


@dataclass
class Receiver:
    mode: str
    requests: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def events(self) -> list[str]:
        return [r.body.get("event") if isinstance(r.body, dict) else None for r in self.requests]

    def wait_for(self, predicate: Any, timeout: float = 10.0, what: str = "a request") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return
            time.sleep(0.02)
        pytest.fail(f"the {self.mode} receiver did not get {what} within {timeout:g}s; got {self.events()}")

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body: Any = json.loads(raw)
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                receiver.requests.append(Received(self.path, dict(self.headers.items()), body, time.time()))
                if receiver.mode == "hang":
                    receiver.release.wait(60)
                if receiver.mode == "fail":
                    self.send_response(500)
                    self.end_headers()
                    self.wfile.write(b"upstream exploded\n")
                    return
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class ManualClockLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock moves only when the test moves it: timers fire exactly when their time has come."""

    now = 0.0

    def time(self) -> float:
        return self.now
