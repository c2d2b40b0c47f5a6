"""Our clock ahead of Alertmanager's: the change's silence must be active at once, not pending.

A silence is asked to start at our clock's now. With our clock 10 minutes ahead of the Alertmanager's (a laptop
whose NTP stopped, a VM after a pause), Alertmanager held it `pending` for those 10 minutes: the run went on,
`silence_created` journaled and the header counting it, while the change's alerts paged the on-call. Now a silence
is asked to start a margin before our now; Alertmanager starts one asked for in its past at its own now.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email.utils
import os
import subprocess
import sys
import threading
import time
import types
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from peers_alertmanager import Alertmanager
from written_lines import written_events

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.autopilot import drive
from runbook_tui.notify import silences

pytestmark = pytest.mark.peers
AHEAD = dt.timedelta(minutes=10)


class _Ahead(dt.datetime):
    @classmethod
    def now(cls, tz: Any = None) -> Any:  # type: ignore[override]
        return dt.datetime.now(tz) + AHEAD


def test_a_silence_made_by_a_clock_ahead_of_alertmanagers_is_active_at_once(
    alertmanager: Alertmanager, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(silences, "dt", types.SimpleNamespace(datetime=_Ahead, timedelta=dt.timedelta, UTC=dt.UTC))
    service = f"svc-{uuid.uuid4().hex[:8]}"
    end = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).replace(microsecond=0).isoformat()
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)).replace(microsecond=0).isoformat()
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(f"""
runbook: 1
id: silence-clock
title: Clock ahead
ticket: {{id: CHG-7, window: {{start: "{start}", end: "{end}"}}}}
alerts:
  alertmanager: {alertmanager.url}
  silence:
    - {{matchers: ['alertname="HighErrorRate"', 'service="{service}"'], comment: restart}}
sections:
  - id: change
    kind: implement
    steps:
      - {{id: one, run: "true", verify: none}}
""")
    journal = tmp_path / "j.jsonl"
    states: list[str] = []

    async def scenario() -> None:
        session = open_session(load(str(runbook), {}), solo="clock test", journal=str(journal), settings=Settings())
        try:
            await session.start()  # the silences are settled before a step may run
            [silence_id] = session.controller.state.silences
            states.extend(str(s["status"]["state"]) for s in alertmanager.silences() if s["id"] == silence_id)  # type: ignore[index]
            assert await drive(session.controller, session.actor) == "done"
        finally:
            await session.close()

    asyncio.run(scenario())
    assert states == ["active"], f"the silence is {states} in Alertmanager while the change runs"
    [created] = [e for e in written_events(journal) if e["type"] == "silence_created"]
    assert created["ends_at"] == dt.datetime.fromisoformat(end).astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _ClockServer(ThreadingHTTPServer):
    """A relay to the real Alertmanager whose answers' Date reads `off` from our clock: Alertmanager's clock, off."""

    def __init__(self, target: str, off: dt.timedelta) -> None:
        super().__init__(("127.0.0.1", 0), _OffClock)
        self.target, self.off = target, off


class _OffClock(BaseHTTPRequestHandler):
    server: _ClockServer

    def date_time_string(self, timestamp: float | None = None) -> str:
        return email.utils.formatdate((timestamp or time.time()) + self.server.off.total_seconds(), usegmt=True)

    def _relay(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
        ask = urllib.request.Request(self.server.target + self.path, data=body, method=self.command, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(ask, timeout=5) as answer:
            status, data = answer.status, answer.read()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _relay

    def log_message(self, *_args: object) -> None:
        pass


@pytest.mark.parametrize(
    ("off", "words"),
    [
        (dt.timedelta(minutes=10), "its clock is about 10m ahead of ours (its Date header): the change's silences would end about 10m early"),
        (-dt.timedelta(minutes=10), "its clock is about 10m behind ours (its Date header): the change's silences would end about 10m late"),
        (
            -dt.timedelta(hours=3),
            "its clock is about 3h behind ours (its Date header): the change's silences would be pending, silencing nothing, for about 2h"
            " after they are made, and end about 3h late",
        ),
        (dt.timedelta(days=400), "its clock is about 9600h ahead of ours (its Date header): the change's silences would end about 9600h early"),
    ],
)
def test_preflight_says_alertmanagers_clock_is_off_from_ours(alertmanager: Alertmanager, tmp_path: Path, off: dt.timedelta, words: str) -> None:
    """A silence ends at the window's end by our clock; Alertmanager ends it by its own. Before, preflight said ready."""
    with _off_clock(alertmanager, off) as url:
        done = _cli("preflight", _clock_runbook(tmp_path, url), tmp_path)
    assert (done.returncode, done.stdout.strip()) == (1, f"alerts: Alertmanager at {url}: {words}; set the clocks right (NTP)"), done.stderr


def test_a_run_says_alertmanagers_clock_is_off_once_when_it_makes_the_silences(alertmanager: Alertmanager, tmp_path: Path) -> None:
    """For whoever skipped preflight: the run's journal (and so every screen and the report) says it, once."""
    runbook = _clock_runbook(tmp_path, "URL", silences=2)
    with _off_clock(alertmanager, dt.timedelta(minutes=10)) as url:
        runbook.write_text(runbook.read_text().replace("URL", url))
        done = _cli("exec", runbook, tmp_path, "--solo", "clock test", "--journal", str(tmp_path / "j.jsonl"))
    assert done.returncode == 0, done.stdout + done.stderr
    events = written_events(tmp_path / "j.jsonl")
    said = [e["text"] for e in events if e["type"] == "note" and "clock" in e["text"]]
    words = "its clock is about 10m ahead of ours (its Date header): the change's silences would end about 10m early"
    assert said == [f"Alertmanager at {url}: {words}; set the clocks right (NTP)"], said
    assert [e["type"] for e in events].count("silence_created") == 2


@contextlib.contextmanager
def _off_clock(alertmanager: Alertmanager, off: dt.timedelta) -> Iterator[str]:
    relay = _ClockServer(alertmanager.url, off)
    threading.Thread(target=relay.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{relay.server_address[1]}"
    finally:
        relay.shutdown()
        relay.server_close()


def _clock_runbook(tmp_path: Path, url: str, silences: int = 1) -> Path:
    entries = "".join(
        f"\n    - {{matchers: ['alertname=\"HighErrorRate\"', 'service=\"svc-{uuid.uuid4().hex[:8]}\"'], comment: restart}}" for _ in range(silences)
    )
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(f"""
runbook: 1
id: silence-clock
title: Clock off
alerts:
  alertmanager: {url}
  silence:{entries}
sections:
  - id: checks
    kind: precheck
    steps:
      - {{id: one, run: "true", verify: none}}
""")
    return runbook


def _cli(command: str, runbook: Path, tmp_path: Path, *more: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state")}
    return subprocess.run([sys.executable, "-m", "runbook_tui", command, str(runbook), *more], env=env, capture_output=True, text=True, timeout=60)
