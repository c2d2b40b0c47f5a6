"""Shared by the replay and practice tests: wait on a condition, read what a widget paints."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from runbook_tui.ui.replay_screen import ReplayScreen


async def until(predicate: Callable[[], object], pilot: Pilot[Any], what: str, limit: float = 30.0) -> None:
    """Wait for `predicate`, failing with `what` after `limit` seconds (never a fixed sleep)."""
    waited = 0.0
    while not predicate():
        assert waited < limit, f"timed out after {limit:g}s waiting for {what}"
        await pilot.pause(0.05)
        waited += 0.05


async def replay_screen(app: App[Any], pilot: Pilot[Any]) -> ReplayScreen:
    """The replay's screen, once `app` shows it."""
    await until(lambda: isinstance(app.screen, ReplayScreen), pilot, "the replay screen")
    assert isinstance(app.screen, ReplayScreen)
    return app.screen


def text_of(widget: Widget) -> str:
    """What the widget and the widgets inside it paint now, as one line of words."""
    parts = []
    for part in (widget, *widget.walk_children(Widget)):
        width, height = part.size
        parts += [" ".join(strip.text.split()) for strip in part.render_lines(Region(0, 0, width, height))]
    return " ".join(p for p in parts if p)


def night_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runbook: str, user: str = "alice") -> Path:
    """A practice test's night, set up as a person's would be: its own state folder, no settings, `user` at the keyboard,
    `runbook` written as night.yaml in the working folder; the journal's path (night.jsonl, not made yet)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", user)
    monkeypatch.chdir(tmp_path)
    Path("night.yaml").write_text(runbook, encoding="utf-8")
    return tmp_path / "night.jsonl"
