"""The output pane under a flood (issue 18: keys first).

While the pane follows, only the newest lines of a big batch are sanitised and wrapped; the
rest stays raw until the person scrolls up, when every kept line is in the pane, in order.
"""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from runbook_tui.ui.output_pane import TAIL, OutputLog
from runbook_tui.ui.run_view import SCREEN_LINES

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
        width = output.scrollable_content_region.width
        for y, line in enumerate(output.lines):  # the line as the pass draws it: padded, and each character's offset kept
            ours, logs = output._render_line(y, 0, width), Log._render_line(output, y, 0, width)
            assert list(ours) == [s for s in logs if s.text] and ours.cell_length == logs.cell_length == width, f"line {y} ({line!r}) drawn otherwise"
        drawn = "\n".join(strip.text for strip in output.render_lines(output.region.reset_offset))
        assert "[bold]markup[/bold]" in drawn and "漢字" in drawn, drawn


@pytest.mark.asyncio
async def test_a_few_new_lines_lay_nothing_out_and_start_no_thread() -> None:
    """A decision's line on the pane (a pause, a note) went through a layout of the whole screen (the pane's virtual
    size changed), which also repainted every scrollbar on it, and `Log` measured its width in a thread it started per
    batch: a key's frame waited for both. Growing now lays nothing out, starts no worker, and the thumb and the follow
    are as they were."""
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        output = app.query_one(OutputLog)
        output.add([("local │ ", "first")])
        await pilot.pause()
        layouts: list[object] = []
        layout = app.screen._refresh_layout

        def counted(*args: object, **kwargs: object) -> None:
            layouts.append(args)
            layout(*args, **kwargs)  # type: ignore[arg-type]

        app.screen._refresh_layout = counted  # type: ignore[method-assign]
        for n in range(1, 40):  # from one line to past the pane's height (its scrollbar is always shown)
            output.add([("", f"paused by bob {n}")])
            await pilot.pause()
            assert output.following and output.scroll_y == output.max_scroll_y, f"line {n}: the pane stopped following"
            assert output.vertical_scrollbar.window_virtual_size == len(output.lines), f"line {n}: the thumb was not moved"
        assert layouts == [], "a line on the pane laid the screen out again"
        assert not list(app.workers), "the pane started a worker (a thread) for its lines"
        assert output.virtual_size.width == output._wrapped_at
        drawn = [text for strip in output.render_lines(output.region.reset_offset) if (text := strip.text.strip())]
        assert drawn[-2:] == ["paused by bob 38", "paused by bob 39"], drawn[-3:]


@pytest.mark.asyncio
@pytest.mark.parametrize("empty", ["reset", "clear"])
async def test_an_emptied_pane_shows_none_of_its_old_lines(empty: str) -> None:
    """A replay going back to the start empties the pane (`reset`; `Log.clear` underneath): the lines it had are gone
    from the screen too, with or without a scroll (the pane no longer repaints whole at every change of its size, only
    when lines go)."""
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        output = app.query_one(OutputLog)
        for lines in (5, 60):  # shorter than the pane (no scroll), and past it
            output.add([("local │ ", f"old {n}") for n in range(lines)])
            await pilot.pause()
            assert "old 4" in "".join(strip.text for strip in app.screen._compositor.render_strips())
            getattr(output, empty)()
            await pilot.pause()
            shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
            assert "old" not in shown, f"after a {empty} of {lines} lines the screen still shows: {shown}"
            output.add([("", "new")])
            await pilot.pause()
            assert "new" in "".join(strip.text for strip in app.screen._compositor.render_strips())
