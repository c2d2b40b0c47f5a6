"""Alertmanager silences against Debian's Alertmanager on loopback: made at the start, expired at the end.

The assertions read the silences straight from Alertmanager's API (peers.py),
not through the code under test.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import getpass
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from peers_alertmanager import Alertmanager
from written_lines import written_events

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.autopilot import drive
from runbook_tui.engine.journal import verify

pytestmark = pytest.mark.peers


def iso(delta: dt.timedelta) -> str:
    return (dt.datetime.now(dt.UTC) + delta).replace(microsecond=0).isoformat()


def runbook_text(url: str, service: str, until: str = "session_end", steps: str = "", kind: str = "implement") -> str:
    steps = steps or '- {id: one, title: One, run: "true", verify: none}'
    return f"""
runbook: 1
id: silence-test
title: Silence test
params:
  svc: {{type: string, default: {service}}}
ticket:
  id: CHG-9
  window: {{start: "{iso(-dt.timedelta(minutes=10))}", end: "{iso(dt.timedelta(hours=1))}"}}
alerts:
  alertmanager: {url}
  silence:
    - matchers: ['alertname="HighErrorRate"', 'service="{{{{ svc }}}}"']
      comment: restart of {{{{ svc }}}}
  until: {until}
sections:
  - id: change
    kind: {kind}
    steps:
      {steps}
"""


def events_of(path: Path) -> list[dict[str, Any]]:
    return written_events(path)


def mine(alertmanager: Alertmanager, silence_id: str) -> dict[str, Any]:
    [found] = [s for s in alertmanager.silences() if s["id"] == silence_id]
    return found


async def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def test_silences_exist_during_the_run_and_are_expired_after(alertmanager: Alertmanager, write_runbook: Callable[..., Path], tmp_path: Path) -> None:
    path = write_runbook(runbook_text(alertmanager.url, "checkout"))
    journal = tmp_path / "journal.jsonl"
    seen: dict[str, Any] = {}

    async def scenario() -> None:
        session = open_session(load(str(path), {}), solo="silence test", journal=str(journal), settings=Settings())
        try:
            await wait_for(lambda: bool(session.controller.state.silences), "the silence to be created")
            [silence_id] = session.controller.state.silences
            seen.update(mine(alertmanager, silence_id))
            assert await drive(session.controller, session.actor) == "done"
        finally:
            await session.close()

    asyncio.run(scenario())
    assert seen["status"]["state"] == "active"
    assert seen["createdBy"] == getpass.getuser(), "created by the person at the keyboard"
    assert seen["comment"] == "CHG-9: restart of checkout (runbook-tui)"
    assert sorted((m["name"], m["value"], m["isRegex"], m["isEqual"]) for m in seen["matchers"]) == [
        ("alertname", "HighErrorRate", False, True), ("service", "checkout", False, True),
    ]  # fmt: skip
    assert mine(alertmanager, seen["id"])["status"]["state"] == "expired", "expired when the session ended"
    events = events_of(journal)
    [created] = [e for e in events if e["type"] == "silence_created"]
    [expired] = [e for e in events if e["type"] == "silence_expired"]
    assert created["id"] == expired["id"] == seen["id"] and created["created_by"] == seen["createdBy"]
    assert created["matchers"] == ['alertname="HighErrorRate"', 'service="checkout"']
    assert not verify(journal).problems


def test_after_a_rollback_with_until_window_end_the_silences_stay_to_the_window_end(
    alertmanager: Alertmanager, write_runbook: Callable[..., Path], tmp_path: Path
) -> None:
    steps = '- {id: one, title: One, run: "false", undo: "true", verify: none}'
    path = write_runbook(runbook_text(alertmanager.url, "payments", until="window_end", steps=steps))
    journal = tmp_path / "journal.jsonl"

    async def scenario() -> str:
        session = open_session(load(str(path), {}), solo="silence test", journal=str(journal), settings=Settings())
        try:
            await wait_for(lambda: bool(session.controller.state.silences), "the silence to be created")
            return await drive(session.controller, session.actor, on_failure="rollback")
        finally:
            await session.close()

    assert asyncio.run(scenario()) == "rolled_back"
    events = events_of(journal)
    [created] = [e for e in events if e["type"] == "silence_created"]
    [kept] = [e for e in events if e["type"] == "silence_kept"]
    assert kept["id"] == created["id"] and not [e for e in events if e["type"] == "silence_expired"]
    silence = mine(alertmanager, created["id"])
    assert silence["status"]["state"] == "active", "kept while the system settles after the rollback"
    window_end = dt.datetime.fromisoformat(events[0]["ticket"]["window"]["end"])
    assert abs(dt.datetime.fromisoformat(silence["endsAt"]).timestamp() - window_end.timestamp()) < 1


def test_an_unreachable_alertmanager_is_journaled_and_shown_and_the_run_goes_on(write_runbook: Callable[..., Path], tmp_path: Path) -> None:
    path = write_runbook(runbook_text("http://127.0.0.1:9", "checkout"))
    journal = tmp_path / "journal.jsonl"

    async def scenario() -> str:
        session = open_session(load(str(path), {}), solo="silence test", journal=str(journal), settings=Settings())
        try:
            await wait_for(lambda: any("silence (create)" in str(e.get("message")) for e in session.controller.state.errors), "the failure to be shown")
            return await drive(session.controller, session.actor)
        finally:
            await session.close()

    assert asyncio.run(scenario()) == "done"
    events = events_of(journal)
    [failed] = [e for e in events if e["type"] == "silence_failed"]
    # asked again twice (no connection made: Alertmanager certainly made nothing), and says so
    assert failed["action"] == "create" and failed["error"] == "connection refused (asked 3 times)"
    assert any(e["type"] == "error" and e["message"] == "silence (create) to http://127.0.0.1:9 failed: connection refused (asked 3 times)" for e in events)


def test_preflight_checks_the_alertmanager_answers(alertmanager: Alertmanager, write_runbook: Callable[..., Path], tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state")}
    good = write_runbook(runbook_text(alertmanager.url, "api", kind="precheck"), "good.yaml")
    down = write_runbook(runbook_text("http://127.0.0.1:9", "api", kind="precheck"), "down.yaml")
    ok = subprocess.run([sys.executable, "-m", "runbook_tui", "preflight", str(good)], env=env, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = subprocess.run([sys.executable, "-m", "runbook_tui", "preflight", str(down)], env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and bad.stdout.strip() == "alerts: Alertmanager at http://127.0.0.1:9: connection refused"
