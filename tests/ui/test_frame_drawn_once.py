"""A full frame of the run screen draws each cell's widget, not the container under it.

Textual draws every line of every visible widget, containers too, and keeps the topmost: `#main` (the row holding the
step list and the right column, which cover it whole) was drawn in every full frame, 40 rows at 140x45, for nothing.
It is hidden now, its panes shown: the frame is the same, and so is what the panes do (focus, keys, the mouse).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import make_app, prepare_workdir, run_step, settled, started
from textual.widget import Widget

from runbook_tui.ui.step_list import StepList


@pytest.fixture(autouse=True)
def _workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare_workdir(tmp_path, monkeypatch)


@pytest.mark.parametrize("size", [(140, 45), (80, 24)])
@pytest.mark.asyncio
async def test_the_row_under_the_panes_is_not_drawn_and_the_panes_are(size: tuple[int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[str] = []
    render_lines = Widget.render_lines

    def counted(widget: Widget, crop: Any) -> Any:
        drawn.append(widget.id or type(widget).__name__)
        return render_lines(widget, crop)

    monkeypatch.setattr(Widget, "render_lines", counted)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await settled(pilot)
        screen = app.screen
        drawn.clear()
        screen.refresh(layout=True)  # a full frame: every widget shown is drawn
        await settled(pilot)
        assert "main" not in drawn, "the row under the step list and the right column was drawn"
        for pane in ("steps", "right", "detail", "output", "header", "journal-path"):
            if screen.query_one(f"#{pane}").display:
                assert pane in drawn, f"#{pane} was not drawn"
        assert screen.query_one(StepList).has_focus, "the step list has the keys, as before"
        await run_step(pilot, "check")  # enter runs the current step at once: the pane shows its command whole
