"""The window's row of a run started outside its change window with an override says so, with the reason. Before, it
read `WINDOW CLOSED 2020-01-01 02:00 UTC` alone, the header's words again: a tired assignee could not tell a run let
out of its window (`--override-window REASON`, journaled) from one that had overrun it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from run_screen_helpers import LATE

from runbook_tui import cli
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.state import replay
from runbook_tui.ui.status_stack import statuses


def _window_row(journal: Path) -> str:
    state = replay([e for e in read_events(str(journal)).events if e["type"] != "session_finished"])
    return next(s.text for s in statuses(state, dt.datetime.now(dt.UTC)) if s.text.startswith("WINDOW CLOSED"))


def test_the_window_row_says_the_override_and_its_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS", raising=False)
    (tmp_path / "late.yaml").write_text(LATE)
    assert cli.main(["exec", "late.yaml", "--solo", "t", "--journal", "j.jsonl", "--override-window", "P1 outage\x1b[2J"]) == 0
    capsys.readouterr()
    assert _window_row(tmp_path / "j.jsonl") == "WINDOW CLOSED 2020-01-01 02:00 UTC · overridden: P1 outage␛[2J"
