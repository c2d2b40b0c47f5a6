"""Replay's keys at 80x24: what the screen offers works there too (nothing is run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runbook_tui.app.session import load, open_session
from runbook_tui.engine.journal import read_events
from runbook_tui.ui.footer import KeyFooter
from runbook_tui.ui.modals import REPLAY_HELP_KEYS, HelpScreen, InfoScreen
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import ReplayScreen
from runbook_tui.ui.step_list import StepList
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
          echo eight
          echo nine
        undo: echo undone
"""


async def _tall_journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The journal of a run of RUNBOOK opened and closed: the step as planned, nothing run."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "none.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "none.yaml"))
    (tmp_path / "tall.yaml").write_text(RUNBOOK, encoding="utf-8")
    journal = tmp_path / "tall.jsonl"
    session = open_session(load(str(tmp_path / "tall.yaml"), {}), solo="a test", journal=str(journal))
    session.controller.note(session.actor, "a moment to step to")
    await session.close()
    return journal


def _footer(screen: ReplayScreen) -> str:
    """The footer's row as drawn (a key that does not fit is left out)."""
    return text_of(screen.query_one(KeyFooter))


@pytest.mark.asyncio
async def test_v_shows_the_step_whole_where_the_panes_title_says_it_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At 80x24 a step taller than the detail pane titles it `▼ N more lines: v shows all`; in replay `v` did nothing
    (the run screen's view keys were not replay's), so the rest of the command could not be read."""
    app = ReplayApp(read_events(await _tall_journal(tmp_path, monkeypatch)).events, label="tall.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen) and app.screen.is_mounted, pilot, "the replay screen")
        screen = app.screen
        pane = screen.query_one("#detail", DetailScroll)
        await until(lambda: "v shows all" in str(pane.border_title), pilot, "the pane's title to say the step is cut")
        await pilot.press("v")
        await until(lambda: isinstance(app.screen, InfoScreen), pilot, "the step whole after v")
        assert "echo nine" in text_of(app.screen) and "id restart" in text_of(app.screen), text_of(app.screen)
        await pilot.press("escape")
        await until(lambda: app.screen is screen, pilot, "the replay again after escape")


@pytest.mark.asyncio
async def test_t_shows_the_step_list_where_it_is_hidden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Below 110 columns the step list is hidden and the run screen's `l` shows it; in replay `l` is forward, so at 80x24
    a trainee could not see where the run stood in the runbook. `t steps` is in the footer (with every other replay key
    at 80 columns) and the help; `l` still goes forward; at 140 columns the list is always there and `t` is not offered."""
    app = ReplayApp(read_events(await _tall_journal(tmp_path, monkeypatch)).events, label="tall.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, ReplayScreen) and app.screen.is_mounted, pilot, "the replay screen")
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        steps = screen.query_one(StepList)
        footer = _footer(screen)
        assert "t steps" in footer and footer.endswith("? help q quit") and "+ faster - slower" in footer, footer
        assert not steps.display, "below 110 columns the step list starts hidden"
        await pilot.press("t")
        await until(lambda: steps.display and steps.size.width > 0, pilot, "the step list after t")
        assert "restart" in text_of(steps) and "Restart the widget" in text_of(screen.query_one("#detail")), text_of(steps)
        before = screen.replay.position
        await pilot.press("l")
        await until(lambda: screen.replay.position > before, pilot, "l to move forward (it does not toggle the list here)")
        assert steps.display, "l moved forward and left the step list shown"
        await pilot.press("t")
        await until(lambda: not steps.display, pilot, "t again to hide the step list")
        await pilot.press("question_mark")
        await until(lambda: isinstance(app.screen, HelpScreen), pilot, "the help")
        assert "show / hide the step list" in text_of(app.screen), text_of(app.screen)
        await pilot.press("escape")
        await pilot.resize_terminal(140, 45)
        await until(lambda: steps.display and "t steps" not in _footer(screen), pilot, "at 140 columns: the list shown, no t in the footer")
        assert "g jump" in _footer(screen)
    assert any(key == "t" for key, _ in REPLAY_HELP_KEYS)
