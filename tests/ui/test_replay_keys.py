"""Replay's keys at 80x24: what the screen offers works there too (nothing is run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runbook_tui.app.session import load, open_session
from runbook_tui.engine.journal import read_events
from runbook_tui.ui.modals import InfoScreen
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import ReplayScreen
from runbook_tui.ui.widgets import DetailScroll
from tests.replay.replay_helpers import text_of, until

#: A step whose command is taller than the detail pane at 80x24.
RUNBOOK = """\
runbook: 1
id: tall
title: A tall step
sections:
  - id: main
    steps:
      - id: restart
        title: Restart the widget
        run: |
          echo one
          echo two
          echo three
          echo four
          echo five
          echo six
          echo seven
        undo: echo undone
"""


@pytest.mark.asyncio
async def test_v_shows_the_step_whole_where_the_panes_title_says_it_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At 80x24 a step taller than the detail pane titles it `▼ N more lines: v shows all`; in replay `v` did nothing
    (the run screen's view keys were not replay's), so the rest of the command could not be read."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "none.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "none.yaml"))
    (tmp_path / "tall.yaml").write_text(RUNBOOK, encoding="utf-8")
    journal = tmp_path / "tall.jsonl"
    session = open_session(load(str(tmp_path / "tall.yaml"), {}), solo="a test", journal=str(journal))  # nothing run: the step as planned
    await session.close()

    app = ReplayApp(read_events(journal).events, label="tall.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
        screen = app.screen
        pane = screen.query_one("#detail", DetailScroll)
        await until(lambda: "v shows all" in str(pane.border_title), pilot, "the pane's title to say the step is cut")
        await pilot.press("v")
        await until(lambda: isinstance(app.screen, InfoScreen), pilot, "the step whole after v")
        assert "echo seven" in text_of(app.screen) and "id restart" in text_of(app.screen), text_of(app.screen)
        await pilot.press("escape")
        await until(lambda: app.screen is screen, pilot, "the replay again after escape")
