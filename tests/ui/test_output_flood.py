"""The output pane under a flood (issue 18: keys first).

While the pane follows, only the newest lines of a big batch are sanitised and wrapped; the
rest stays raw until the person scrolls up, when every kept line is in the pane, in order.
"""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from runbook_tui.ui.output_pane import TAIL, OutputLog
from runbook_tui.ui.run_screen import SCREEN_LINES

LINES = 3000
assert TAIL < LINES < SCREEN_LINES


def _numbers(lines: list[str]) -> list[int]:
    return [int(line.rsplit(" ", 1)[1]) for line in lines if line.startswith("local │ ") and line.rsplit(" ", 1)[1].isdigit()]


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield OutputLog(SCREEN_LINES, id="output")


@pytest.mark.asyncio
async def test_a_flood_fills_the_pane_only_when_the_person_scrolls_up() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        output = app.query_one(OutputLog)
        output.add([("local │ ", str(n)) for n in range(1, LINES + 1)] + [("local │ ", "esc \x1b[2J here")])
        await pilot.pause()
        assert output.following and output.scroll_y == output.max_scroll_y
        assert output.lines[-1] == "local │ esc ␛[2J here"  # sanitised when it went in (the escape made visible)
        assert len(output.lines) == TAIL, "the lines nobody could see were formatted while following"

        await pilot.press("pageup")  # the pane has focus here: its own page-up key
        await pilot.pause()
        assert not output.following
        assert _numbers(list(output.lines)) == list(range(1, LINES + 1)), "scrolled up, the pane holds every line kept, in order"
        assert output.scroll_y < output.max_scroll_y
        output.add([("local │ ", "while reading")])
        await pilot.pause()
        assert "1 new line" in str(output.border_title)

        await pilot.press("end")
        await pilot.pause()
        output.add([("web1 ! ", "after")])
        await pilot.pause()
        assert output.following and output.scroll_y == output.max_scroll_y
        assert output.lines[-2:] == ["local │ while reading", "web1 ! after"]
