"""A `wait:` in practice plays short and says what the night's did; what came during the night's wait still comes.

Before, a `wait: 10m` kept the trainee ten minutes (practice ran the runbook's wait as a live run does), and a note
step's line read `started (attempt 1) on local`, where nothing ran.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from replay_helpers import night_place

from runbook_tui.app import practice
from runbook_tui.engine import events as ev
from runbook_tui.engine import practice as recorded
from runbook_tui.engine import practice_wait
from runbook_tui.engine.controller import Actor, Controller
from runbook_tui.engine.event_words import said
from runbook_tui.engine.journal import JournalWriter, read_events
from runbook_tui.runbook.loader import load_runbook
from runbook_tui.runbook.model import Step
from tests.report.make_fixture import Clock, Metrics, ok

NIGHT = """\
runbook: 1
id: waits
title: Waits
sections:
  - id: main
    title: Change
    steps:
      - {id: tell, title: Tell on-call, note: Post in the channel, verify: none}
      - {id: settle, title: Let it settle, wait: 10m, verify: none}
      - {id: watch, title: Watch the errors, wait: 10m, watch: [errors], verify: none}
metrics:
  source: {scrape: {url: "http://127.0.0.1:9/metrics"}}
  panels:
    - {id: errors, title: 5xx rate, query: errors_pct, unit: "%", critical: 2, for: 10s, on_critical: pause}
"""
ALICE = Actor("alice", "assignee")
TRIP = "guard 'errors' tripped: 2.9% above 2% for 10s: the wait was cut short"


@pytest.fixture()
def night(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A solo night on a clock of its own: `settle` waited its 10 minutes; during `watch` the 5xx rate climbed and the
    guard tripped 90 s in, cutting the wait (failed, paused); alice resumed and skipped it."""
    journal = night_place(tmp_path, monkeypatch, NIGHT, user="carol")
    monkeypatch.setattr("runbook_tui.app.session.start_metrics", lambda *_args: None)  # the night's readings come from the cues

    async def the_night() -> None:
        clock = Clock("2026-11-23T02:00:00+00:00")
        c = Controller(load_runbook("night.yaml", {}).runbook, JournalWriter(journal, clock=clock), lambda _host: None, assignee="alice", solo="night")  # type: ignore[arg-type,return-value]
        metrics = Metrics(c, clock)

        async def wait(step: Step, seconds: float) -> None:  # the night's time passes on its clock
            if step.id == "settle":
                clock.advance(seconds)
                return
            for value in (0.4, 2.6, 2.9):
                metrics.sample(errors=value)
                clock.advance(25)
            metrics.trip("errors", [2.6, 2.9])  # its pause cuts the wait: nothing more happens here
            await asyncio.Event().wait()

        c.wait_player = wait
        c.start(journal_path=journal.name)
        metrics.start()
        for _step in ("tell", "settle", "watch"):
            ok(c.run_current(ALICE))
            await c.wait_idle()
        assert c.state.steps["watch"].status == "failed" and c.state.paused, c.state.steps["watch"]
        ok(c.pause(ALICE))  # resume
        ok(c.skip(ALICE, "5xx from one client; looked at it by hand"))
        assert c.state.finished
        c.journal.close()

    asyncio.run(the_night())
    return journal


def test_a_long_wait_plays_short_says_what_the_night_did_and_the_nights_trip_still_cuts_it(
    night: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(practice_wait, "PLAYED_WAIT", 0.2)
    for module in (recorded, practice_wait):
        monkeypatch.setattr(module, "CUE_GAP", 0.05)
    ran: dict[str, float] = {}

    async def the_practice() -> None:
        run = practice.open_practice(str(night), out_journal=str(tmp_path / "practice.jsonl"))
        c, carol = run.session.controller, run.session.actor
        try:
            for step in ("tell", "settle", "watch"):
                began = time.monotonic()
                ok(c.run_current(carol))
                await asyncio.wait_for(c.wait_idle(), 20)  # before: `settle` took its 10 minutes
                ran[step] = time.monotonic() - began
            assert c.state.steps["settle"].status == "done", c.state.steps["settle"]
            watch = c.state.steps["watch"]
            assert watch.status == "failed" and c.state.paused, "the night's trip cut the trainee's wait as it cut the night's"
            assert watch.problems == (TRIP,), watch
        finally:
            await run.session.close()

    asyncio.run(the_practice())
    assert ran["settle"] < 10, ran
    events = read_events(tmp_path / "practice.jsonl").events
    notes = {e["step"]: str(e["text"]) for e in events if e["type"] == ev.NOTE and str(e.get("text")).startswith("[practice]")}
    assert notes["settle"] == "[practice] this 10m wait plays as 200ms, longer while the night's readings during it still play; on the night it waited 10m"
    assert (
        notes["watch"]
        == f"[practice] this 10m wait plays as 200ms, longer while the night's readings during it still play; on the night it ended after 1m31s, FAILED: {TRIP}"
    )
    started = {e["step"]: said(e) for e in events if e["type"] == ev.STEP_STARTED}
    assert started["tell"] is not None and started["tell"].lines == ["tell started (attempt 1): nothing runs"], started["tell"]
