"""A line added to a following pane scrolls it to the end once: `Log` scrolls from the end itself, the pane only from
above it (the pane shrank under a taller status stack, a grabbed scrollbar). Twice, the second scroll found the view at
the end and still sent the pane a message and the screen a callback after its frame, on each `p`."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widget import Widget

from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.run_view import SCREEN_LINES
from tests.waiting import until


class PaneApp(App[None]):
    CSS = "OutputLog { border: round $secondary 50%; overflow-x: hidden; }"

    def compose(self) -> ComposeResult:
        yield OutputLog(SCREEN_LINES, id="output")


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    scrolls: list[str] = []
    scroll_end = Widget.scroll_end

    def counted(self: Widget, *args: Any, **kwargs: Any) -> None:
        scrolls.append(type(self).__name__)
        scroll_end(self, *args, **kwargs)

    monkeypatch.setattr(Widget, "scroll_end", counted)
    return scrolls


async def _settled(pilot: Pilot[None]) -> None:
    await pilot.pause()


def _newest_shown(pane: OutputLog, text: str) -> bool:
    return pane.scroll_y == pane.max_scroll_y and pane.lines[-1] == text


@pytest.mark.asyncio
async def test_a_line_on_a_following_pane_at_its_end_scrolls_once_and_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    app = PaneApp()
    async with app.run_test(size=(60, 20)) as pilot:
        pane = app.query_one(OutputLog)
        pane.add([("web1 │ ", f"line {n}") for n in range(40)])  # past the pane's height: it scrolls
        await _settled(pilot)
        assert pane.max_scroll_y > 0 and pane.scroll_y == pane.max_scroll_y
        scrolls = _counting(monkeypatch)
        pane.add([("", "paused by alice")])
        assert scrolls == ["OutputLog"], f"the pane was scrolled to its end {len(scrolls)} times for one line"
        await until(lambda: _newest_shown(pane, "paused by alice"), "the new line at the pane's end")


@pytest.mark.asyncio
async def test_a_line_on_a_following_pane_above_its_end_still_brings_the_end_into_view(monkeypatch: pytest.MonkeyPatch) -> None:
    """Following, the view above the end (the pane got shorter, or a scroll not yet followed): the new line shows."""
    app = PaneApp()
    async with app.run_test(size=(60, 20)) as pilot:
        pane = app.query_one(OutputLog)
        pane.add([("web1 │ ", f"line {n}") for n in range(40)])
        await _settled(pilot)
        pane.scroll_to(y=3, animate=False, immediate=True)  # still following: nothing the person did
        assert pane.following and pane.scroll_y == 3
        scrolls = _counting(monkeypatch)
        pane.add([("", "resumed by alice")])
        assert scrolls == ["OutputLog"], f"scrolled {len(scrolls)} times"
        await until(lambda: _newest_shown(pane, "resumed by alice"), "the new line brought into view")


@pytest.mark.asyncio
async def test_a_pane_scrolled_up_by_the_person_stays_where_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    app = PaneApp()
    async with app.run_test(size=(60, 20)) as pilot:
        pane = app.query_one(OutputLog)
        pane.add([("web1 │ ", f"line {n}") for n in range(40)])
        await _settled(pilot)
        pane.page_up()
        await _settled(pilot)
        where = pane.scroll_y
        assert not pane.following and where < pane.max_scroll_y
        scrolls = _counting(monkeypatch)
        pane.add([("", "paused by alice")])
        await _settled(pilot)
        assert scrolls == [] and pane.scroll_y == where and pane.unseen == 1
