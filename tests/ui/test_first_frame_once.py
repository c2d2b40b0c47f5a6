"""The run screen's first frame is written whole once, and is the last one until something changes.

Textual lays a screen out when it first comes on top, which draws every widget and writes the whole screen, and then
asks for a repaint of the whole screen, which composed and wrote it all again in the next frame (19 KB at 140x45, the
same cells; ui/repaint.py `_on_screen_resume`). That first layout also set every widget's `virtual_size`, which asked
for another layout, and the detail pane, drawn before its width was known, drew itself again at its width, the same:
the next frame laid the screen out again and wrote the panes a second time (ui/laid_out.py, `StepDetail.show`).
Now the first frame is written whole once and nothing follows it; a later resume (the help closed) still draws the
screen whole, and a resize draws the detail pane as a screen of that size draws it from the start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import SIZE, painted, prepare_workdir, screen_is, until
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.geometry import Region

from runbook_tui.app.session import load
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.launch import opens_at_once, starters
from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.run_screen import RunScreen
from runbook_tui.ui.step_list import StepList
from runbook_tui.ui.widgets import StepDetail


class CountingApp(RunbookApp):
    """The app as `run runbook.yaml --solo` builds it, counting the whole-screen frames it writes and the updates after them."""

    whole_frames = 0
    cells_after: list[tuple[int, int, int]] = []  # the cells (y, x from, x to) written after the last whole frame

    def _display(self, screen: Any, renderable: Any) -> None:
        if isinstance(renderable, LayoutUpdate) and isinstance(screen, RunScreen):
            self.whole_frames += 1
            self.cells_after = []
        elif isinstance(renderable, ChopsUpdate):
            self.cells_after = [*self.cells_after, *renderable.spans]
        super()._display(screen, renderable)


async def first_frame(pilot: Any, app: CountingApp) -> None:
    await until(pilot, lambda: isinstance(app.screen, RunScreen) and app.whole_frames >= 1, "the run screen's first frame")


def solo_app(journal: str = "j.jsonl") -> CountingApp:
    loaded = load("runbook.yaml", {})
    start_for = starters(mode="live", solo="ui test", share=None, journal=journal, override_window=None)
    return CountingApp(start_for(loaded), opens_at_once=opens_at_once(loaded, None))


@pytest.mark.asyncio
async def test_the_first_frame_is_written_whole_once_and_a_later_resume_still_repaints_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare_workdir(tmp_path, monkeypatch)
    app = solo_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_frame(pilot, app)
        for _ in range(3):  # the frames Textual draws after the first layout (each pause runs the screen's frame timer)
            await pilot.pause()
        assert app.whole_frames == 1, f"the whole screen written {app.whole_frames} times as the run screen came up"
        # Textual draws a scrolling pane's scrollbar again after each layout; nothing else changed
        bars = [pane.vertical_scrollbar.region for pane in (app.screen.query_one(StepList), app.screen.query_one(OutputLog))]
        redrawn = [(y, start, end) for y, start, end in app.cells_after if not any(bar.contains_region(Region(start, y, end - start, 1)) for bar in bars)]
        assert not redrawn, f"cells written again after the first frame with nothing changed: {redrawn[:8]}..."
        assert "Config parses" in painted(app.screen.query_one(StepDetail)), "the current step drawn in the detail pane"
        assert "Config parses" in painted(app.screen.query_one(StepList)), "the steps drawn in the list"
        await pilot.press("question_mark")
        await screen_is(pilot, "HelpScreen")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, RunScreen), "the run screen back on top")
        await until(pilot, lambda: app.whole_frames >= 2, "the run screen drawn whole again once the help closed")


@pytest.mark.asyncio
async def test_a_resize_draws_the_detail_pane_as_a_screen_of_that_size_draws_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare_workdir(tmp_path, monkeypatch)
    panes: list[str] = []
    for journal, first, then in (("resized.jsonl", SIZE, (48, 24)), ("narrow.jsonl", (48, 24), None)):
        app = solo_app(journal)
        async with app.run_test(size=first) as pilot:
            await first_frame(pilot, app)
            await pilot.pause()
            if then is not None:
                await pilot.resize_terminal(*then)
                await pilot.pause()
            panes.append(painted(app.screen.query_one(StepDetail)))
    resized, narrow = panes
    assert resized == narrow, f"resized to 48x24:\n{resized}\nstarted at 48x24:\n{narrow}"
    assert "\n" in narrow.split("run:")[0].strip(), "at 48 columns the title line's facts go on lines of their own"
