"""Replay's keys at 80x24: what the screen offers works there too (nothing is run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runbook_tui.engine.journal import read_events
from runbook_tui.ui.modals import InfoScreen
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import ReplayScreen
from runbook_tui.ui.widgets import DetailScroll
from tests.replay.replay_helpers import text_of, until

JOURNAL = Path(__file__).parents[1] / "report" / "data" / "change.jsonl"


@pytest.mark.asyncio
async def test_v_shows_the_step_whole_where_the_panes_title_says_it_does() -> None:
    """At 80x24 a step taller than the detail pane titles it `▼ N more lines: v shows all`; in replay `v` did nothing
    (the run screen's view keys were not replay's), so the rest of the command could not be read."""
    app = ReplayApp(read_events(JOURNAL).events, label="change.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        pane = screen.query_one("#detail", DetailScroll)
        for _ in range(len(screen.replay.events)):
            if "v shows all" in str(pane.border_title):
                break
            await pilot.press("right")
            await pilot.pause()
        assert "v shows all" in str(pane.border_title), "no moment of this journal cuts the step at 80x24"
        current = screen.replay.state.current
        assert current is not None
        await pilot.press("v")
        await until(lambda: isinstance(app.screen, InfoScreen), pilot, "the step whole after v")
        assert f"id {current}" in text_of(app.screen), text_of(app.screen)
        await pilot.press("escape")
        await until(lambda: app.screen is screen, pilot, "the replay again after escape")
