"""A guard's pause reads once on the output pane: the trip's line says why, the pause's line says what now.

Found in a walk at 80x24: the trip's words (`guard 'err' has no data: exporter unreachable at …: connection refused`)
were said by the trip's line and again, whole, by the pause's (`paused by system: guard 'err' has no data: …; check the
panels before going on`): one trip took five of the output's six rows. Now the pause's line names the guard and says
what the guard asks, with the time."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, of_kind, settled, started, until, write_runbook

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import SYSTEM
from runbook_tui.engine.event_words import said
from runbook_tui.ui.output_pane import OutputLog

RUNBOOK = """\
runbook: 1
id: guarded
title: Guarded
metrics:
  source:
    scrape: {url: "http://127.0.0.1:9/metrics"}
  interval: 1h
  panels:
    - {id: err, title: Errors, query: m, unit: '%', critical: 5, on_critical: pause, on_no_data: ignore}
sections:
  - id: main
    title: Main
    kind: implement
    steps:
      - {id: two, title: Two, run: echo two}
"""
TRIP = "guard 'err' tripped: 9% above 5% for 30s"


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_a_guards_pause_says_the_trip_once(workdir: Path, size: tuple[int, int]) -> None:
    write_runbook(workdir, RUNBOOK, "g.yaml")
    app = make_app("g.yaml")
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        trip = {"panel": "err", "value": 9.0, "threshold": 5.0, "for": 30, "action": "pause", "since": "2026-12-05T01:00:00Z", "samples": []}
        controller.emit(ev.GUARD_TRIPPED, SYSTEM, **trip, title="Errors", unit="%", words=TRIP)
        await until(pilot, lambda: controller.state.paused is not None, "the guard's pause")
        await settled(pilot)
        pane = "\n".join(app.screen.query_one(OutputLog).lines).replace("\n  ↪ ", " ")
        assert pane.count("9% above 5%") == 1, pane
        assert f"! {TRIP} -> pause" in pane, pane
        assert "paused by the program for guard 'err': check the panels before going on" in pane, pane
    [paused] = of_kind(workdir / "j.jsonl", ev.PAUSED)  # the journal keeps the reason whole: only the words shown change
    assert paused["reason"] == f"{TRIP}; check the panels before going on"


def test_the_pause_of_a_guard_asking_a_rollback_and_other_pauses() -> None:
    def words(actor: str, reason: str) -> list[str]:
        shown = said({"type": ev.PAUSED, "actor": actor, "ts": "2026-12-05T01:00:00.000Z", "reason": reason})
        assert shown is not None
        return shown.lines

    rollback = f"{TRIP}; the guard asks to roll back to the last checkpoint"
    assert words("system", rollback) == ["paused by the program for guard 'err': the guard asks to roll back to the last checkpoint"]
    # Not a guard's: said as journaled (a hold the program answered; an older journal's guard words, whole).
    assert words("system", "bob asked to hold") == ["paused by the program: bob asked to hold"]
    old = "guard 'errors' tripped: 2.7% above 2% for 30s; check the panels, then p resumes or u rolls back"
    assert words("system", old) == [f"paused by the program: {old}"]
    assert words("alice", f"{TRIP}; check the panels before going on") == [f"paused by alice: {TRIP}; check the panels before going on"]
