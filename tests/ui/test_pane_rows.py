"""The output pane keeps its drawn rows across a scroll (`ui/pane_rows.py`): a line added to a following pane draws
its own row, not the pane's every row (a pause's line drew 35 pane rows and 33 scrollbar rows in the key's frame), and
what the screen shows is what a pane drawn whole anew shows, row by row, styles and selection offsets included."""

from __future__ import annotations

from typing import Any

import pytest
from textual._styles_cache import StylesCache
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.strip import Strip

from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.run_view import SCREEN_LINES

SIZE = (60, 20)


class PaneApp(App[None]):
    CSS = "OutputLog { border: round $secondary 50%; overflow-x: hidden; }"  # a border, as the run screen's pane has

    def compose(self) -> ComposeResult:
        yield OutputLog(SCREEN_LINES, id="output")


async def _shown(pilot: Pilot[None]) -> list[Strip]:
    await pilot.wait_for_scheduled_animations()  # a scroll by a key glides: compared where it ends
    await pilot.pause()
    return pilot.app.screen._compositor.render_strips()


async def _drawn_anew(pilot: Pilot[None], pane: OutputLog) -> list[Strip]:
    """The screen with the pane and its scrollbar drawn whole again (every cached row dropped)."""
    pane.refresh()
    pane.vertical_scrollbar.refresh()
    return await _shown(pilot)


def _offsets(strip: Strip) -> set[int]:
    """The line indexes a row's text is marked with for text selection."""
    return {segment.style.meta["offset"][1] for segment in strip if segment.style is not None and "offset" in segment.style.meta}


@pytest.mark.asyncio
async def test_line_after_line_the_scrolled_pane_shows_what_it_shows_drawn_anew() -> None:
    app = PaneApp()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(OutputLog)
        for n in range(1, 41):  # past the pane's height: the view scrolls a row at each line
            pane.add([("web1 │ ", f"line {n} " + "x" * (n % 7))] if n % 3 else [("", f"narrated {n} " + "word " * 15)])  # some wrap
            assert await _shown(pilot) == await _drawn_anew(pilot, pane), f"after line {n}"
        assert pane.scroll_y == pane.max_scroll_y > 0
        rows = (await _shown(pilot))[1 : 1 + pane.scrollable_content_region.height]
        assert [_offsets(row) for row in rows] == [{pane.scroll_y + y} for y in range(len(rows))], "a row marked as another line"
        for _ in range(3):  # up a row at a time: the rows move down
            pane.action_scroll_up()
            assert await _shown(pilot) == await _drawn_anew(pilot, pane), "scrolled up a row"
        pane.follow()
        assert await _shown(pilot) == await _drawn_anew(pilot, pane), "back to the end"


@pytest.mark.asyncio
async def test_a_line_on_the_pane_draws_its_row_not_the_whole_pane(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[str] = []
    render_line = StylesCache.render_line

    def counted(self: StylesCache, styles: Any, y: int, *args: Any, **kwargs: Any) -> Any:
        drawn.append(type(styles.node).__name__)
        return render_line(self, styles, y, *args, **kwargs)

    app = PaneApp()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(OutputLog)
        pane.add([("", "a session started")])
        await _shown(pilot)
        monkeypatch.setattr(StylesCache, "render_line", counted)
        pane.add([("", "paused by alice")])  # the lines fit: no scroll
        await _shown(pilot)
        assert drawn.count("ScrollBar") == 0, "the scrollbar was drawn again, though it looks the same while the lines fit"
        assert drawn.count("OutputLog") <= 2, f"{drawn.count('OutputLog')} pane rows drawn for one line"

        monkeypatch.setattr(StylesCache, "render_line", render_line)
        pane.add([("", f"line {n}") for n in range(200)])
        await _shown(pilot)
        monkeypatch.setattr(StylesCache, "render_line", counted)
        drawn.clear()
        pane.add([("", "resumed by alice")])  # the view scrolls a row
        await _shown(pilot)
        assert pane.scroll_y == pane.max_scroll_y > 0
        assert drawn.count("OutputLog") <= 2, f"{drawn.count('OutputLog')} pane rows drawn for one line that scrolled the pane"
