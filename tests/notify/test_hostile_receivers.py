"""Webhook receivers and an Alertmanager that redirect, nest, shout or drip: a real `exec` run against each.

The peer is tests/hostile_peer.py on loopback; what it does is chosen by
the request's path. Each failure is journaled in words and the run goes on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hostile_peer import hostile_peer

from runbook_tui.engine.journal import verify

pytestmark = pytest.mark.peers

HOSTILE = "\x1b]0;pwned\x07\x1b[2J[bold]red[/]\nforged line"


def test_redirecting_nested_and_shouting_receivers_are_journaled_in_words_and_no_secret_follows_a_redirect(tmp_path: Path) -> None:
    """Before: urllib followed the redirect as a GET to the other host with the secret header on it; Alertmanager's
    answer nested 5,000 deep raised RecursionError in the silence task, so the failed silence was never journaled."""
    with hostile_peer() as peer, hostile_peer("127.0.0.2") as other:
        other.answers["landing"] = (200, b"ok")
        peer.redirects["moved"] = f"{other.url}/landing"
        peer.redirects["sly"] = "http://user:pa55word@127.0.0.3:9/new?token=tok-4711#frag\x1b[2J"
        peer.answers["shouting"] = (400, HOSTILE.encode() * 10_000)
        peer.answers["deep"] = (200, b"[" * 5000 + b"]" * 5000)
        runbook = tmp_path / "runbook.yaml"
        runbook.write_text(
            f"""
runbook: 1
id: hostile-receivers
title: Hostile receivers
notify:
  - {{url: "{peer.url}/moved", events: [session_finished], headers: {{X-Token: hook-secret-4711}}}}
  - {{url: "{peer.url}/shouting", events: [session_finished]}}
  - {{url: "{peer.url}/sly", events: [session_finished]}}
alerts:
  alertmanager: "{peer.url}/deep"
  silence:
    - matchers: ['service="api"']
      comment: hostile receiver test
sections:
  - id: s
    title: S
    kind: implement
    steps:
      - {{id: s1, title: One, run: "true", verify: none}}
""",
            encoding="utf-8",
        )
        journal_path = tmp_path / "exec.jsonl"
        env = dict(os.environ)
        result = subprocess.run(
            [sys.executable, "-m", "runbook_tui", "exec", str(runbook), "--solo", "test", "--journal", str(journal_path)],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not verify(journal_path).problems
    events = [json.loads(line) for line in journal_path.read_text(encoding="utf-8").splitlines()]
    assert not other.seen, "the redirect was followed: the other server got the request (and the secret header)"
    failed = {e["target"]: e for e in events if e["type"] == "notify_failed"}
    # Where it points is named, so the runbook can be fixed (before: "(a redirect, not followed)", the target named nowhere);
    # a password, a query's token and an escape in the Location are not shown.
    assert failed[f"{peer.url}/moved"]["error"] == (
        f"the receiver answered HTTP 302, a redirect to {other.url}/landing: not followed (it would take the request's headers"
        " there); if that is its address now, put it in the runbook"
    )
    assert failed[f"{peer.url}/sly"]["error"].startswith("the receiver answered HTTP 302, a redirect to http://user:***@127.0.0.3:9/new?…: not followed")
    for hidden in ("pa55word", "tok-4711", "\x1b", "\\u001b"):
        assert hidden not in result.stdout + journal_path.read_text(encoding="utf-8"), hidden
    shouted = failed[f"{peer.url}/shouting"]["error"]
    assert shouted == "the receiver answered HTTP 400: ␛]0;pwned␇␛[2J[bold]red[/]", "its first line, escapes visible"
    [silence] = [e for e in events if e["type"] == "silence_failed"]
    assert silence["action"] == "create" and silence["error"] == "no usable silenceID in the answer"
    assert "hook-secret-4711" not in journal_path.read_text(encoding="utf-8") + result.stdout + result.stderr


def test_a_rate_limited_receiver_is_asked_again_after_the_wait_it_names(tmp_path: Path) -> None:
    """A receiver answering 429 with `Retry-After: 2` (Slack's rate limit), refusing again until those 2 s passed.
    Before: the retry came after 1 s, was refused again, and with `retries: 1` the notice was journaled as failed;
    now the retry waits the 2 s asked for (up to 30 s) and the notice arrives."""
    import asyncio
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from runbook_tui.notify.messages import Notice
    from runbook_tui.notify.sender import Destination, Notifier

    asked: list[tuple[float, int]] = []

    class Limited(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            now = time.monotonic()
            status = 204 if asked and now - asked[0][0] >= 2 else 429
            asked.append((now, status))
            self.send_response(status)
            if status == 429:
                self.send_header("Retry-After", "2")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Limited)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    journaled: list[tuple[str, dict[str, object]]] = []

    async def main() -> None:
        notifier = Notifier([], lambda kind, payload: journaled.append((kind, payload)), retries=1)
        notice = Notice("test", "r", "R", None, "system", "2026-01-01T00:00:00Z", "", "a test")
        await notifier.deliver(Destination(f"http://127.0.0.1:{server.server_address[1]}/hook", "the hook"), notice)
        await notifier.stop(drain=0)

    try:
        asyncio.run(main())
    finally:
        server.shutdown()
        server.server_close()
    assert [status for _, status in asked] == [429, 204], asked
    assert journaled == [("notified", {"event": "test", "target": "the hook", "status": 204, "attempts": 2})], journaled


def _limited_receiver(headers: Any, wait: float = 2.0) -> tuple[Any, list[tuple[float, int]]]:
    """A receiver that answers 429 (with `headers(now)`, raw header lines) until `wait` seconds after the first request."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    asked: list[tuple[float, int]] = []

    class Limited(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            now = time.monotonic()
            status = 204 if asked and now - asked[0][0] >= wait else 429
            asked.append((now, status))
            lines = b"".join(line + b"\r\n" for line in headers(time.time())) if status == 429 else b""
            self.wfile.write(f"HTTP/1.1 {status} X\r\n".encode() + lines + b"Content-Length: 0\r\n\r\n")

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Limited)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, asked


def _deliver_once(url: str, retries: int = 1) -> list[tuple[str, dict[str, object]]]:
    import asyncio

    from runbook_tui.notify.messages import Notice
    from runbook_tui.notify.sender import Destination, Notifier

    journaled: list[tuple[str, dict[str, object]]] = []

    async def main() -> None:
        notifier = Notifier([], lambda kind, payload: journaled.append((kind, payload)), retries=retries)
        notice = Notice("test", "r", "R", None, "system", "2026-01-01T00:00:00Z", "", "a test")
        await notifier.deliver(Destination(url, "the hook"), notice)
        await notifier.stop(drain=0)

    asyncio.run(main())
    return journaled


def _http_date(moment: float) -> bytes:
    import email.utils

    return email.utils.formatdate(moment, usegmt=True).encode()


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda now: [b"Retry-After: " + _http_date(int(now) + 3)], id="date-by-our-clock"),
        # its clock an hour behind ours: the date is 2 s after its own Date, long past by ours
        pytest.param(lambda now: [b"Date: " + _http_date(now - 3600), b"Retry-After: " + _http_date(now - 3600 + 2)], id="date-by-its-clock"),
    ],
)
def test_a_rate_limit_given_as_an_http_date_is_waited_for(headers: Any) -> None:
    """RFC 9110 lets Retry-After be a date as well as seconds. Before, a date was ignored: the retry came after the
    sender's own 1 s, was refused again, and with `retries: 1` the notice was journaled as failed. Now the date is
    counted from the answer's own Date (a receiver's clock may be off from ours), or from ours without one."""
    server, asked = _limited_receiver(headers)
    try:
        journaled = _deliver_once(f"http://127.0.0.1:{server.server_address[1]}/hook")
    finally:
        server.shutdown()
        server.server_close()
    assert [status for _, status in asked] == [429, 204], asked
    assert journaled == [("notified", {"event": "test", "target": "the hook", "status": 204, "attempts": 2})], journaled


def test_a_rate_limit_too_long_or_unreadable_keeps_the_senders_bounds(tmp_path: Path) -> None:
    """A date in the year 9999 is read as a very long wait (the sender then gives up at once, saying so); one long past, `²` (a Latin-1 byte that
    str.isdigit() takes for a digit) and garbage are the sender's own pace. Before, `Retry-After: ²` raised ValueError
    from float(): `preflight --notify-test` ended in a traceback and `exec` journaled "internal error" with "(an
    unexpected error; please report it)" on stderr, never that the receiver answered 429."""
    from runbook_tui.notify.http import _seconds

    assert _seconds("Fri, 31 Dec 9999 23:59:59 GMT") > 1e9, "a wait longer than any notice waits"
    assert _seconds("Sun, 06 Nov 1994 08:49:37 GMT") == 0.0
    assert _seconds("120") == 120.0 and _seconds("9" * 400) is not None
    for unreadable in ("\xb2", "\u0663", "1.5", "-1", "soon", "Mon, 99 Foo 2026 99:99:99 GMT", "Fri, 31 Dec 9999 23:59:59 +9999"):
        assert _seconds(unreadable) is None, unreadable
    server, asked = _limited_receiver(lambda _now: [b"Retry-After: \xb2"], wait=3600)
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(f"""
runbook: 1
id: limited
title: Limited receiver
notify:
  - {{url: "http://127.0.0.1:{server.server_address[1]}/hook"}}
sections:
  - id: s
    kind: implement
    steps:
      - {{id: s1, run: "true", verify: none, confirm: cannot be undone}}
""")
    try:
        shown = subprocess.run(
            [sys.executable, "-m", "runbook_tui", "preflight", str(runbook), "--notify-test"], cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
    finally:
        server.shutdown()
        server.server_close()
    assert "Traceback" not in shown.stdout + shown.stderr, shown.stderr
    assert shown.returncode == 1 and "the test message was not accepted: the receiver answered HTTP 429" in shown.stdout, shown.stdout + shown.stderr
    assert len(asked) == 1, "the test message is sent once (preflight retries nothing)"


def test_a_rate_limit_longer_than_a_notice_waits_is_said_and_not_asked_early() -> None:
    """`Retry-After: 3600` (or a date an hour on): more than a notice waits (RETRY_AFTER_MAX). Before, the sender asked
    again after 30 s anyway (refused again, the notices behind it held for a minute) and the failure said only `HTTP
    429`. Now it is not asked before its time: the notice fails at once, saying how long the receiver asked to wait."""
    import time

    server, asked = _limited_receiver(lambda now: [b"Retry-After: 3600"], wait=7200)
    started = time.monotonic()
    try:
        journaled = _deliver_once(f"http://127.0.0.1:{server.server_address[1]}/hook", retries=2)
    finally:
        server.shutdown()
        server.server_close()
    assert time.monotonic() - started < 10, "held the receiver's queue"
    assert len(asked) == 1, asked
    [(kind, payload)] = journaled
    assert kind == "notify_failed" and payload["attempts"] == 1, journaled
    assert payload["error"] == "the receiver answered HTTP 429; it asked to wait 1h before another try, longer than a notice waits (30s)", payload
