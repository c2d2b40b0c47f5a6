"""Practice's times over a night as it really went: paused over days (what followed reads in days and hours), watched by
an observer who came and went (no situation for the assignee: the time to decide goes on)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from replay_helpers import night_place

from runbook_tui.app.session import load, open_session
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.practice_results import compare

NIGHT = """\
runbook: 1
id: long-night
title: Long night
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: check, title: Check, run: "echo ready", verify: none}
      - {id: change, title: Change, run: "echo changed", verify: none}
"""


def _later(ts: str, by: dt.timedelta) -> str:
    moment = dt.datetime.fromisoformat(ts.replace("Z", "+00:00")) + by
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_a_pause_over_two_days_reads_in_days_and_hours(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """alice paused after `check` on Friday night (the DBA was away) and went on on Monday morning, 2 days 9 hours later.
    Before: why it matters read `the run stayed paused 3420 min` and `went on after 3420 min paused`: true, and
    unreadable to a trainee; now `2d 9h`, as every countdown says a span. A short pause still reads in minutes."""
    journal = night_place(tmp_path, monkeypatch, NIGHT)

    async def the_night() -> None:
        session = open_session(load("night.yaml", {}), solo="weekend", journal=str(journal))
        c, alice = session.controller, session.actor
        assert c.run_current(alice).ok
        await c.wait_idle()
        assert c.pause(alice, "the DBA is away until Monday").ok
        assert c.pause(alice).ok  # p again: resumed
        assert c.run_current(alice).ok
        await c.wait_idle()
        c.finish(alice, "done")
        await session.close()

    asyncio.run(the_night())
    events = read_events(journal).events
    resumed = next(n for n, e in enumerate(events) if e["type"] == "resumed")
    weekend = dt.timedelta(days=2, hours=9)
    night = [*events[:resumed], *({**e, "ts": _later(e["ts"], weekend)} for e in events[resumed:])]
    whys = {p.night.kind: p.why for p in compare(night, []).points if p.night is not None}
    assert whys["pause"] == "on the night the run stayed paused 2d 9h, then resumed", whys
    assert whys["resume"].startswith("on the night the run went on after 2d 9h paused: the DBA"), whys

    short = [*events[:resumed], *({**e, "ts": _later(e["ts"], dt.timedelta(minutes=3))} for e in events[resumed:])]
    whys = {p.night.kind: p.why for p in compare(short, []).points if p.night is not None}
    assert whys["pause"] == "on the night the run stayed paused 3 min, then resumed", whys


def test_an_observer_coming_and_going_does_not_restart_the_time_to_decide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """alice took two minutes over `change`; a minute in, carol joined to watch (observer) and left again. An observer
    asks nothing of the assignee (a verifier joining does: a step may wait for them). Before: carol's join and leave
    restarted the clock, and the night's run of `change` read as taken in 60s."""
    journal = night_place(tmp_path, monkeypatch, NIGHT)

    async def the_night() -> None:
        session = open_session(load("night.yaml", {}), solo="watched", journal=str(journal))
        c, alice = session.controller, session.actor
        for _ in range(2):
            assert c.run_current(alice).ok
            await c.wait_idle()
        c.finish(alice, "done")
        await session.close()

    asyncio.run(the_night())
    events = read_events(journal).events
    started = [n for n, e in enumerate(events) if e["type"] == "step_started"][1]  # the run of `change`
    minute = _later(events[started - 1]["ts"], dt.timedelta(minutes=1))
    carol = [
        {"seq": 0, "ts": minute, "type": kind, "actor": "carol", "prev": "", "hash": "", "name": "carol", "role": "observer"}
        for kind in ("participant_joined", "participant_left")
    ]
    later = [{**e, "ts": _later(e["ts"], dt.timedelta(minutes=2))} for e in events[started:]]
    [change] = [p.night for p in compare([*events[:started], *carol, *later], []).points if p.night is not None and p.night.step == "change"]
    assert 119.0 <= change.seconds <= 121.0, change.seconds
