"""A frame in which the step list's and the output pane's rows all come from their caches (a `p`: only the status row,
a pane line and the footer change) looks up none of their styles: the widget's style walks its ancestors and the step
list read four component styles, on every compositor pass that crossed them. What they draw is unchanged: the run
screen after pauses, a cursor move and a theme change shows what it shows drawn whole anew, cell by cell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import make_app, prepare_workdir, settled, started, until
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widget import Widget

from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.status_stack import StatusStack
from runbook_tui.ui.step_list import StepList


async def _shown(pilot: Pilot[Any]) -> list[Strip]:
    await settled(pilot)
    return pilot.app.screen._compositor.render_strips()


async def _drawn_anew(pilot: Pilot[Any]) -> list[Strip]:
    """The screen with every widget's rows dropped from the caches and drawn again."""
    for widget in pilot.app.screen.walk_children(Widget, with_self=True):
        widget._styles_cache.clear()
        widget.refresh()
    return await _shown(pilot)


def _paused(app: Any) -> bool:
    return "PAUSED" in str(app.screen.query_one(StatusStack).content)


@pytest.mark.asyncio
async def test_a_pause_looks_up_no_style_of_rows_it_does_not_draw(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare_workdir(tmp_path, monkeypatch)
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await _shown(pilot)
        looked: list[str] = []
        for cls in (StepList, OutputLog):
            style = cls.rich_style

            def counted(widget: Widget, _style: Any = style) -> Any:
                looked.append(type(widget).__name__)
                return _style.__get__(widget)

            monkeypatch.setattr(cls, "rich_style", property(counted))
        await pilot.press("p")
        await until(pilot, lambda: _paused(app), "the pause to show")
        await _shown(pilot)
        assert looked.count("StepList") == 0, f"the step list looked its styles up for rows it took from the cache: {looked}"
        assert looked.count("OutputLog") <= 1, f"the pane looked its style up more than once for its one new line: {looked}"


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(140, 45), (80, 24)])
async def test_the_screen_after_pauses_a_cursor_move_and_a_theme_change_is_what_it_shows_drawn_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    prepare_workdir(tmp_path, monkeypatch)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await _shown(pilot)
        await pilot.press("p")
        await until(pilot, lambda: _paused(app), "the pause to show")
        assert await _shown(pilot) == await _drawn_anew(pilot), "paused"
        await pilot.press("l", "down")  # the step list shown at 80 columns too, its cursor moved: rows drawn anew
        assert await _shown(pilot) == await _drawn_anew(pilot), "the cursor moved"
        await pilot.press("p")
        await until(pilot, lambda: not _paused(app), "the resume to show")
        assert await _shown(pilot) == await _drawn_anew(pilot), "resumed"
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        assert await _shown(pilot) == await _drawn_anew(pilot), "the theme changed"
