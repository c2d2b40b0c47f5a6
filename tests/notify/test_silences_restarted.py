"""Alertmanager restarted during a run without its saved silences (no persistent volume): a real Alertmanager of the
test's own, stopped, its data removed, and started again on the same port while the run's step waits.

Debian's Alertmanager 0.25 then answers the end's expiry `HTTP 500 "silence not found"` (newer ones 404). Found so by
the run's look at its silences (every WATCH_EVERY) while it goes on, the silence is made again: nobody chose to expire it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from pathlib import Path

import pytest
from peers_alertmanager import Alertmanager, make_alertmanager
from waiting import wait_until
from written_lines import written_events

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.autopilot import drive
from runbook_tui.engine.event_words import said
from runbook_tui.engine.journal import verify
from runbook_tui.engine.state import RunState
from runbook_tui.notify import silence_watch
from runbook_tui.ui.status_stack import statuses

pytestmark = pytest.mark.peers


def _restartable(tmp_path: Path, ticket: str, matchers: str) -> tuple[Alertmanager, Path, Path]:
    """A real Alertmanager of the test's own, and a runbook silencing `matchers` to a window's end an hour away, whose one
    step runs until the file `go` exists."""
    (tmp_path / "am").mkdir()
    manager = make_alertmanager(tmp_path / "am")
    go = tmp_path / "go"
    end = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).replace(microsecond=0).isoformat()
    path = tmp_path / "runbook.yaml"
    path.write_text(f"""
runbook: 1
id: restarted
title: Alertmanager restarted
ticket: {{id: {ticket}, window: {{start: "2020-01-01T00:00:00+00:00", end: "{end}"}}}}
alerts:
  alertmanager: {manager.url}
  silence: [{{matchers: {matchers}, comment: restart}}]
sections:
  - {{id: change, kind: implement, steps: [{{id: one, run: "while [ ! -e {go} ]; do sleep 0.05; done", verify: none}}]}}
""")
    return manager, go, path


def test_a_silence_alertmanager_lost_in_a_restart_is_said_gone_not_left_silencing(tmp_path: Path) -> None:
    """Before: the finished run said `1 alert silence could NOT be expired (Alertmanager answered HTTP 500: "silence not
    found"): alerts stay silenced until …; expire it in Alertmanager: ID`, about a silence that no longer existed, so
    silenced nothing, and that nobody could find to expire."""
    manager, go, path = _restartable(tmp_path, "CHG-5", "['service=\"api\"']")
    journal = tmp_path / "journal.jsonl"

    async def main() -> tuple[str, RunState]:
        session = open_session(load(str(path), {}), solo="restart test", journal=str(journal), settings=Settings())
        try:
            running = asyncio.create_task(drive(session.controller, session.actor))
            await asyncio.to_thread(wait_until, lambda: bool(session.controller.state.silences), "the silence made", 20)
            [made] = manager.silences()
            assert made["status"] == {"state": "active"}, made
            await asyncio.to_thread(manager.stop)
            shutil.rmtree(tmp_path / "am" / "data")  # no persistent volume: its silences are gone with it
            await asyncio.to_thread(manager.start)
            assert manager.silences() == [], "the restarted Alertmanager holds no silence"
            go.touch()
            outcome = await running
        finally:
            await session.close()
            manager.stop()
        return outcome, session.controller.state

    outcome, state = asyncio.run(main())
    assert outcome == "done"
    assert not verify(journal).problems
    events = written_events(journal)
    [created] = [e for e in events if e["type"] == "silence_created"]
    assert not [e for e in events if e["type"] == "silence_failed"], "nothing failed: there was nothing left to expire"
    [expired] = [e for e in events if e["type"] == "silence_expired"]
    assert expired["id"] == created["id"]
    assert expired["gone"] == (
        "not in Alertmanager when the run ended, so nothing was left to expire (Alertmanager restarted without its saved"
        " silences): the alerts it matched may have gone unsilenced since then"
    )
    words = said(expired)
    assert words is not None and words.lines == [f"{created['id']} at {manager.url} {expired['gone']}"], "exec's line, the log's and the report's"
    rows = [s.text for s in statuses(state, dt.datetime.now(dt.UTC))]
    assert rows == ["Session finished: done (ended by the program with no step left to run). The journal has everything"], rows


def _active(silences: list[dict[str, object]]) -> list[dict[str, object]]:
    return [s for s in silences if s["status"] == {"state": "active"}]


def test_a_silence_alertmanager_lost_mid_run_is_made_again_and_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: nothing was said or done while the run went on: the header counted `🔕 1 alert silence` and the
    change's alerts paged the on-call for the rest of the run; only the end said they `may have gone unsilenced`."""
    monkeypatch.setattr(silence_watch, "WATCH_EVERY", 0.2)
    manager, go, path = _restartable(tmp_path, "CHG-6", """['alertname="HighErrorRate"', 'service="api"']""")
    journal = tmp_path / "journal.jsonl"

    async def main() -> tuple[str, list[dict[str, object]], list[dict[str, object]]]:
        session = open_session(load(str(path), {}), solo="restart test", journal=str(journal), settings=Settings())
        try:
            running = asyncio.create_task(drive(session.controller, session.actor))
            await asyncio.to_thread(wait_until, lambda: bool(session.controller.state.silences), "the silence made", 20)
            await asyncio.to_thread(manager.stop)
            shutil.rmtree(tmp_path / "am" / "data")  # no persistent volume: its silences are gone with it
            await asyncio.to_thread(manager.start)
            await asyncio.to_thread(wait_until, lambda: bool(_active(manager.silences())), "the lost silence made again, while the step runs", 20)
            during = manager.silences()
            go.touch()
            outcome = await running
        finally:
            go.touch()  # the step ends whatever failed, and the Alertmanager is stopped
            try:
                await session.close()
                after = await asyncio.to_thread(manager.silences)
            finally:
                manager.stop()
        return outcome, during, after

    outcome, during, after = asyncio.run(main())
    assert outcome == "done"
    assert not verify(journal).problems
    events = written_events(journal)
    first, again = [e for e in events if e["type"] == "silence_created"]
    assert again["matchers"] == first["matchers"] == ['alertname="HighErrorRate"', 'service="api"']
    assert again["ends_at"] == first["ends_at"], "to the window's end, as the first"
    [made] = _active(during)
    assert made["id"] == again["id"] and made["comment"] == first["comment"] and made["createdBy"] == first["created_by"]
    lost, expired = [e for e in events if e["type"] == "silence_expired"]
    assert lost["id"] == first["id"] and "gone" not in lost, "nobody expired it: it is not kept as one someone else ended"
    assert expired["id"] == again["id"] and "gone" not in expired, "the one made again is expired at the end"
    notes = [str(e["text"]) for e in events if e["type"] == "note" and first["id"] in str(e["text"])]
    assert notes == [
        f'silence {first["id"]} (alertname="HighErrorRate", service="api") is no longer in Alertmanager at {manager.url}: it'
        " restarted without its saved silences, or someone deleted it; it is made again (its alerts may have paged since the"
        " look before, 0.2s earlier)"
    ], notes
    assert not [e for e in events if e["type"] == "silence_failed"]
    assert not _active(after), "nothing left silencing after the run"
