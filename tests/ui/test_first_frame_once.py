"""The run screen's first frame is written whole once (ui/repaint.py `_on_screen_resume`).

Textual lays a screen out when it first comes on top, which draws every widget and writes the whole screen, and then
asks for a repaint of the whole screen, which composed and wrote it all again in the next frame (19 KB at 140x45, the
same cells). Now the first frame is written whole once; what changed after it is drawn as before; a later resume (the
help closed) still draws the screen whole.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import SIZE, painted, prepare_workdir, screen_is, until
from textual._compositor import LayoutUpdate

from runbook_tui.app.session import load
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.launch import opens_at_once, starters
from runbook_tui.ui.run_screen import RunScreen
from runbook_tui.ui.step_list import StepList
from runbook_tui.ui.widgets import StepDetail


class CountingApp(RunbookApp):
    """The app as `run runbook.yaml --solo` builds it, counting the whole-screen frames it writes."""

    whole_frames = 0

    def _display(self, screen: Any, renderable: Any) -> None:
        if isinstance(renderable, LayoutUpdate) and isinstance(screen, RunScreen):
            self.whole_frames += 1
        super()._display(screen, renderable)


def solo_app() -> CountingApp:
    loaded = load("runbook.yaml", {})
    start_for = starters(mode="live", solo="ui test", share=None, journal="j.jsonl", override_window=None)
    return CountingApp(start_for(loaded), opens_at_once=opens_at_once(loaded, None))


@pytest.mark.asyncio
async def test_the_first_frame_is_written_whole_once_and_a_later_resume_still_repaints_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare_workdir(tmp_path, monkeypatch)
    app = solo_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, RunScreen) and app.whole_frames >= 1, "the run screen's first frame")
        for _ in range(3):  # the frames Textual draws after the first layout (each pause runs the screen's frame timer)
            await pilot.pause()
        assert app.whole_frames == 1, f"the whole screen written {app.whole_frames} times as the run screen came up"
        assert "Config parses" in painted(app.screen.query_one(StepDetail)), "the current step drawn in the detail pane"
        assert "Config parses" in painted(app.screen.query_one(StepList)), "the steps drawn in the list"
        await pilot.press("question_mark")
        await screen_is(pilot, "HelpScreen")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, RunScreen), "the run screen back on top")
        await until(pilot, lambda: app.whole_frames >= 2, "the run screen drawn whole again once the help closed")
