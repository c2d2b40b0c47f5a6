"""The app leaving while the run screen is still being built ends as a leaving does, not in a traceback.

Seen once by a key-speed helper on a loaded machine (headless, 140x45): `NoMatches: No nodes match 'StepDetail'` raised
in `RunView.on_mount`. Textual builds a screen's widgets one container at a time, each awaited; when the app leaves
meanwhile (a SIGTERM, a hang-up, `exit`), it takes the screen down and mounts nothing more in a container being taken
down, but still sends the screen its Mount: the first frame's paint looked for a pane never mounted. Here the build is
held at a container until the app is taking the screen down, deterministically: the app leaves with exit 1 (a stop
journaled, for `resume`) and no error.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import events, make_app, prepare_workdir
from textual.widget import Widget

from runbook_tui.ui.run_screen import RunScreen
from runbook_tui.ui.widgets import DetailScroll, RightColumn
from tests.waiting import until


def _held_until_taken_down(monkeypatch: pytest.MonkeyPatch, container: type[Widget]) -> asyncio.Event:
    """`container`'s widgets are mounted only once its screen is being taken down; the event: its build has begun."""
    building = asyncio.Event()
    compose = container._compose

    async def held(self: Widget) -> None:
        building.set()
        await until(lambda: self.screen._closing or self.screen._pruning, f"the app to take the run screen down while its {type(self).__name__} is built")
        await compose(self)

    monkeypatch.setattr(container, "_compose", held)
    return building


@pytest.mark.asyncio
@pytest.mark.parametrize("container", [RunScreen, RightColumn, DetailScroll], ids=["screen", "right column", "step pane"])
async def test_a_stop_signal_while_the_run_screen_is_built(workdir: Path, monkeypatch: pytest.MonkeyPatch, container: type[Widget]) -> None:
    prepare_workdir(workdir, monkeypatch)
    building = _held_until_taken_down(monkeypatch, container)
    app = make_app()
    screens: list[Any] = []
    async with app.run_test(size=(140, 45)):
        await asyncio.wait_for(building.wait(), 30)
        screens.extend(screen for screen in app.screen_stack if isinstance(screen, RunScreen))
        app.signalled("SIGTERM")  # run_test raises the app's first error as it ends: the crash was NoMatches
    assert app.return_value == 1, app.return_value  # as `run` exits on a stopping signal
    assert screens and not screens[0].is_attached, "the run screen was not taken down"
    assert any(event["type"] == "note" and "SIGTERM" in str(event) for event in events(workdir / "j.jsonl")), "the stop was not journaled"
