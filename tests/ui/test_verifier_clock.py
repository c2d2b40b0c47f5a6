"""The verifier's screen counts time by the assignee's clock: the window's countdown reads as on the assignee's screen.

Every time a screen shows is the assignee's (the events' `ts`), but the verifier's screen counted ages and countdowns
against its own machine's clock. With bob's laptop 10 minutes ahead, alice's header said `window closes in 1h`
while bob's said `50m`, and a metric reading alice saw as fresh was `10m ago — stale` to him. The session's welcome
now says its clock; the verifier's screen counts from it.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from run_screen_helpers import FakeClient, painted, screen_is, settled, write_runbook

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.journal import read_events
from runbook_tui.share.protocol import clock_offset
from runbook_tui.ui.verifier_app import VerifierApp
from runbook_tui.ui.widgets import RunHeader

RUNBOOK = """\
runbook: 1
id: skew
title: Skew
ticket: {{id: CHG-9, subject: skew, assignee: alice, verifier: bob, window: {{start: "{start}", end: "{end}"}}}}
sections:
  - id: change
    title: Change
    kind: implement
    steps:
      - {{id: edit, title: Edit, run: "echo edited", undo: "echo unedited"}}
"""
AHEAD = 600.0  # bob's clock is 10 minutes ahead of alice's


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_window_countdown_on_the_verifiers_screen_is_the_assignees(workdir: Path, size: tuple[int, int]) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=AHEAD)  # alice's clock: this machine is bob's
    end = now + dt.timedelta(hours=1, seconds=30)
    write_runbook(workdir, RUNBOOK.format(start=(now - dt.timedelta(minutes=5)).isoformat(), end=end.isoformat()), "skew.yaml")
    session = open_session(load("skew.yaml", {}), solo=None, journal="skew.jsonl", settings=Settings())
    session.controller.journal.close()
    client = FakeClient(list(read_events(workdir / "skew.jsonl").events))
    client.clock_offset = AHEAD
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        header = painted(app.screen.query_one(RunHeader))
        assert "window closes in 1h" in header, header  # as alice's screen says it (before: `50m`, 10 minutes short)


def test_the_offset_is_read_from_the_welcome_and_refused_when_absurd() -> None:
    assert clock_offset({"clock": 1_000.0}, 1_600.5) == 600.5
    assert clock_offset({}, 1_600.0) == 0.0, "a session of an older version says no clock: its times are shown as sent"
    for wrong in (math.inf, math.nan, True, "1000", 1_600.0 - 2 * 86_400, 1e300):
        assert clock_offset({"clock": wrong}, 1_600.0) == 0.0, wrong  # a day off or more, or not a number: not believed
