"""Alertmanager down as the change starts and back while it runs: a real Alertmanager of the test's own, stopped
before the session opens and started again on the same port while the run's step waits."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from pathlib import Path

import pytest
from peers_alertmanager import make_alertmanager
from waiting import wait_until
from written_lines import written_events

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.autopilot import drive
from runbook_tui.engine.journal import verify
from runbook_tui.notify import silences

pytestmark = pytest.mark.peers


def test_a_silence_alertmanager_refused_at_the_start_is_made_once_it_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: `silence_failed` at the start, never asked again: the whole change ran with its alerts paging the on-call,
    though Alertmanager was back a minute later (a restart, a rolling upgrade of its pods)."""
    monkeypatch.setattr(silences, "ASK_AGAIN_EVERY", 0.5)
    (tmp_path / "am").mkdir()
    manager = make_alertmanager(tmp_path / "am")
    manager.stop()  # down as the change starts: nothing listens on its port
    go = tmp_path / "go"
    end = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).replace(microsecond=0).isoformat()
    path = tmp_path / "runbook.yaml"
    path.write_text(f"""
runbook: 1
id: late-silence
title: Alertmanager back late
ticket: {{id: CHG-7, window: {{start: "2020-01-01T00:00:00+00:00", end: "{end}"}}}}
alerts:
  alertmanager: {manager.url}
  silence: [{{matchers: ['service="late"'], comment: late}}]
sections:
  - {{id: change, kind: implement, steps: [{{id: one, run: "while [ ! -e {go} ]; do sleep 0.05; done", verify: none}}]}}
""")
    journal = tmp_path / "journal.jsonl"

    async def main() -> str:
        session = open_session(load(str(path), {}), solo="late test", journal=str(journal), settings=Settings())
        try:
            running = asyncio.create_task(drive(session.controller, session.actor))
            state = lambda: session.controller.state  # noqa: E731
            await asyncio.to_thread(wait_until, lambda: state().steps["one"].status == "running", "the step to run", 30)
            refused = lambda: any("silence (create)" in str(e.get("message")) for e in state().errors)  # noqa: E731
            await asyncio.to_thread(wait_until, refused, "the silence refused (connection refused, asked 3 times)", 30)
            await asyncio.to_thread(manager.start)
            await asyncio.to_thread(wait_until, lambda: bool(state().silences), "the silence made once Alertmanager answered", 30)
            [made] = manager.silences()
            assert made["status"] == {"state": "active"}, made
            assert state().steps["one"].status == "running", "made while the change runs"
            go.touch()
            return await running
        finally:
            await session.close()

    try:
        assert asyncio.run(main()) == "done"
        [kept] = manager.silences()
        assert kept["status"] == {"state": "expired"}, "expired at the end like any other"
    finally:
        manager.stop()
    assert not verify(journal).problems
    events = written_events(journal)
    kinds = [e["type"] for e in events]
    assert kinds.index("silence_failed") < kinds.index("silence_created") < kinds.index("silence_expired")
    [failed] = [e for e in events if e["type"] == "silence_failed"]
    assert failed["error"] == "connection refused (asked 3 times)"
    notes = [str(e["text"]) for e in events if e["type"] == "note"]
    assert any(n.startswith(f"Alertmanager at {manager.url} is asked again every 0.5s while the run goes on") for n in notes), notes
    [created] = [e for e in events if e["type"] == "silence_created"]
    late = f'silence {created["id"]} (service="late") made once Alertmanager answered again: its alerts were not silenced from '
    assert any(n.startswith(late) for n in notes), notes
    # its times as clock times, as every other time said to people (before: raw ISO, `from 2026-12-05T21:40:25.123Z`)
    [unsilenced] = [n for n in notes if n.startswith(late)]
    assert re.fullmatch(r"\d\d:\d\d:\d\d to \d\d:\d\d:\d\d", unsilenced.removeprefix(late)), unsilenced
