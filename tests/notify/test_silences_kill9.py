"""kill -9 of `exec` while it makes its Alertmanager silences, then `resume`: no silence is left dangling or missing.

A real Alertmanager behind a small relay the test controls: one silence
is made in Alertmanager but its answer (the id) is held back, so the process
dies with it made and not journaled; the other (asked for at the same time)
never reached Alertmanager. Before, `resume` knew neither: the one made stayed
active after the run ended, unknown to the journal and the report, and the
rest of the change ran without the other.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from peers_alertmanager import Alertmanager
from test_silences_live import iso
from written_lines import written_events

from runbook_tui.engine.journal import verify

pytestmark = pytest.mark.peers
CLI = [sys.executable, "-m", "runbook_tui"]


class Relay(ThreadingHTTPServer):
    """Passes requests to Alertmanager; while `holding`, a POST is passed on but its answer never comes back."""

    def __init__(self, target: str) -> None:
        super().__init__(("127.0.0.1", 0), _Pass)
        self.target, self.holding, self.released = target, True, threading.Event()
        self.first = threading.Lock()  # taken by the one POST passed on while holding
        self.behind = dt.timedelta(0)  # the Alertmanager's clock as its answers show it: this much behind ours
        self.date = ""  # a Date header of its own (a hostile one) instead

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Pass(BaseHTTPRequestHandler):
    server: Relay

    def _relay(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
        if self.command == "POST" and self.server.holding and not self.server.first.acquire(blocking=False):
            self.server.released.wait(30)  # asked for together: a later one never reaches Alertmanager (never made)
            return
        ask = urllib.request.Request(self.server.target + self.path, data=body, method=self.command, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(ask, timeout=5) as answer:
            status, data = answer.status, answer.read()
        if self.command == "POST" and self.server.holding:
            self.server.released.wait(30)  # made in Alertmanager; the caller never hears its id
            return
        behind = self.server.behind
        if behind and self.command == "GET" and self.path == "/api/v2/silences":
            data = json.dumps([{**s, **{k: _earlier(s[k], behind) for k in ("startsAt", "endsAt", "updatedAt")}} for s in json.loads(data)]).encode()
        self.send_response(status)
        if behind or self.server.date:
            self.send_header("Date", self.server.date or email.utils.formatdate(time.time() - behind.total_seconds(), usegmt=True))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _relay

    def log_message(self, *_args: object) -> None:
        pass

    def send_response(self, code: int, message: str | None = None) -> None:
        self.send_response_only(code, message)  # its Date is the relay's to give (Alertmanager's clock, as the test sets it)
        self.send_header("Server", self.version_string())


def _earlier(moment: str, behind: dt.timedelta) -> str:
    return (dt.datetime.fromisoformat(moment.replace("Z", "+00:00")) - behind).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.fixture
def relay(alertmanager: Alertmanager) -> Iterator[Relay]:
    server = Relay(alertmanager.url)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.released.set()
    server.shutdown()


@pytest.mark.parametrize(
    ("behind", "date"),
    [(0, ""), (90, ""), (0, "Fri, 31 Dec 9999 23:59:59 -1200")],
    ids=["same-clock", "alertmanager-90s-behind", "date-past-year-9999"],
)
def test_silences_made_or_not_when_exec_died_are_journaled_and_expired_by_resume(
    alertmanager: Alertmanager, relay: Relay, tmp_path: Path, behind: int, date: str
) -> None:
    """With the Alertmanager's clock 90 s behind ours (its answers' Date and times say so), the silence the dead
    process made started, by its clock, before the session started by ours. Before, resume took it for someone else's:
    it made the silence again and the dead process's stayed active, unknown to the journal, until the window's end.
    A Date past the year 9999 (in UTC) is no clock to go by: read as ours (it raised OverflowError in the resume's
    task, and neither silence was journaled or made)."""
    relay.behind, relay.date = dt.timedelta(seconds=behind), date
    service = f"svc-{uuid.uuid4().hex[:8]}"
    release = tmp_path / "release"
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(f"""
runbook: 1
id: silence-kill9
title: Silences and kill -9
ticket: {{id: CHG-9, window: {{start: "{iso(-dt.timedelta(minutes=10))}", end: "{iso(dt.timedelta(hours=1))}"}}}}
alerts:
  alertmanager: {relay.url}
  silence:
    - {{matchers: ['alertname="HighErrorRate"', 'service="{service}"'], comment: first}}
    - {{matchers: ['alertname="HighLatency"', 'service="{service}"'], comment: second}}
sections:
  - id: change
    kind: implement
    steps:
      - {{id: one, run: "while [ ! -e {release} ]; do sleep 0.05; done", verify: none}}
""")
    journal = tmp_path / "j.jsonl"

    def ours() -> list[dict[str, object]]:
        return [s for s in alertmanager.silences() if service in str(s["matchers"])]

    proc = subprocess.Popen([*CLI, "exec", str(runbook), "--solo", "kill -9 test", "--journal", str(journal)], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 30
    while not ours():
        assert proc.poll() is None and time.monotonic() < deadline, "no silence was made in Alertmanager within 30 s"
        time.sleep(0.02)  # the polling's pace; the condition is the silence in Alertmanager
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    [made] = ours()
    assert not [e for e in written_events(journal) if e["type"].startswith("silence_")], "the journal knew of a silence"
    relay.holding = False
    release.touch()

    resumed = subprocess.run([*CLI, "resume", str(journal), "--rerun", "--continue"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                             stdin=subprocess.DEVNULL)  # fmt: skip
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    events = written_events(journal)
    created = [e for e in events if e["type"] == "silence_created"]
    assert sorted(e["comment"] for e in created) == ["CHG-9: first (runbook-tui)", "CHG-9: second (runbook-tui)"]
    assert made["id"] in [e["id"] for e in created], "the silence the dead process made is this run's, not made twice"
    assert f"silence {made['id']} was made before the program stopped and not journaled: it is this run's now" in [e.get("text") for e in events]
    assert sorted(e["id"] for e in events if e["type"] == "silence_expired") == sorted(e["id"] for e in created)
    assert sorted((s["id"], s["status"]["state"]) for s in ours()) == sorted((e["id"], "expired") for e in created), "one left active, or one too many"  # type: ignore[index]
    report = subprocess.run([*CLI, "report", str(journal)], cwd=tmp_path, capture_output=True, text=True, timeout=60).stdout
    assert report.count("| expired at ") == 2, report
    assert not verify(journal).problems
