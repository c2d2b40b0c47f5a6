"""The status stack at 80x24 when more needs attention than its four rows hold: the most urgent first, and what has
no row counted and named (past the fourth row the rest was cut with no sign, and the one cut could be a rollback
request or a closing window)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import FakeClient, shared_session_events, until
from textual.app import App, ComposeResult
from textual.geometry import Region

from runbook_tui.engine.state import RunState
from runbook_tui.engine.state_model import with_step
from runbook_tui.ui.status_stack import StatusStack

NOW = dt.datetime(2026, 3, 14, 2, 0, 0, tzinfo=dt.UTC)
REASON = "the config still points at the old database host; fix the template and ask again"


class _Stack(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusStack()


def _busy_night(workdir: Path) -> RunState:
    """bob refused 'check' its go-ahead (two rows at 80 columns), the run is paused, bob asks to hold, the window
    closes in 5 minutes: five rows of statuses."""
    state = FakeClient(shared_session_events(workdir)).state
    state = with_step(state, "check", status="rejected", decision="go-ahead refused", decided_by="bob", decided_at="2026-03-14T01:59:00Z", reason=REASON)
    ticket = {**(state.session.get("ticket") or {}), "window": {"start": "2026-03-14T01:00:00+00:00", "end": "2026-03-14T02:05:00+00:00"}}
    return dataclasses.replace(state, paused=True, pause_reason="alice paused", hold_requested="bob asks to hold", session={**state.session, "ticket": ticket})


def _rows(stack: Any) -> list[str]:
    width, height = stack.outer_size
    return [strip.text.strip() for strip in stack.render_lines(Region(0, 0, width, height))]


@pytest.mark.asyncio
async def test_at_80x24_the_most_urgent_status_shows_first_and_those_cut_are_counted(workdir: Path) -> None:
    """The rows must show, at 80 columns, in four rows: the errors first (the closing window was the row cut, under
    two warnings), each status with its keys whole, and, when five statuses need more rows than four, `+N more` naming
    the ones with no row."""
    app = _Stack()
    async with app.run_test(size=(80, 24)) as pilot:
        stack = app.query_one(StatusStack)
        state = _busy_night(workdir)
        stack.show(state, NOW, "assignee")
        await until(pilot, lambda: len(_rows(stack)) == 4, "four rows of statuses")
        refused = "'check' GO-AHEAD REFUSED by bob 01:59:00: the co… — enter run it · u roll back"  # the pane says the reason whole
        assert _rows(stack) == [refused, "window closes in 5m", "PAUSED: alice paused — p resume", "HOLD asked: bob asks to hold — p pause"]
        stack.show(dataclasses.replace(state, rollback_requested="bob: the error rate doubled"), NOW, "assignee")
        rollback = "ROLLBACK REQUESTED: bob: the error rate doubled — u roll back"
        await until(pilot, lambda: _rows(stack)[0] == rollback, "the rollback request on the first row")
        more = "+2 more (shown as those above clear): PAUSED: alice paused · HOLD asked: bob…"
        assert _rows(stack) == [rollback, refused, "window closes in 5m", more]
