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


@pytest.mark.asyncio
async def test_batch_after_batch_the_pane_shows_the_newest_lines_at_the_same_size() -> None:
    """While following a flood each frame replaces the pane's lines with the newest TAIL: nothing of the last batch is
    left, and the pane's virtual size stays as it was (a change lays out the whole screen, once per frame of a flood)."""
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        output = app.query_one(OutputLog)
        output.add([("local │ ", str(n)) for n in range(1, LINES + 1)])
        await pilot.pause()
        sizes: list[object] = []
        output.watch(output, "virtual_size", sizes.append, init=False)
        output.add([("local │ ", str(n)) for n in range(LINES + 1, 2 * LINES + 1)])
        await pilot.pause()
        assert _numbers(list(output.lines)) == list(range(2 * LINES - TAIL + 1, 2 * LINES + 1))
        assert sizes == [], "the pane's virtual size changed (a layout of the screen) though it shows as many lines as wide"
        assert output.following and output.scroll_y == output.max_scroll_y


@pytest.mark.asyncio
async def test_the_pane_draws_each_line_as_log_would_but_without_a_text_per_line() -> None:
    """The pane makes each line's strip itself (one segment; a flood draws every visible line anew at each frame, and
    Log's `Text` per line was most of a frame): what it draws must be what `Log` draws, for hostile lines too."""
    from textual.widgets import Log

    hostile = ["plain", "tab\there", "wide 漢字 and emoji 🙂", "[bold]markup[/bold]", "nul\x00 bell\x07 esc\x1b[2J", "é" * 300]
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        output = app.query_one(OutputLog)
        output.add([("local │ ", line) for line in hostile])
        await pilot.pause()
        style = output.rich_style
        for y, line in enumerate(output.lines):
            ours, logs = output._render_line_strip(y, style), Log._render_line_strip(output, y, style)
            assert ours.text == logs.text and ours.cell_length == logs.cell_length, f"line {y} ({line!r}) drawn otherwise than Log draws it"
            assert {s.style for s in ours} == {s.style for s in logs if s.text}, f"line {y} styled otherwise than Log styles it"
        drawn = "\n".join(strip.text for strip in output.render_lines(output.region.reset_offset))
        assert "[bold]markup[/bold]" in drawn and "漢字" in drawn, drawn
