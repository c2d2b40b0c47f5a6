"""Lines added after the pane was laid out at a new width, before its Resize event was handled.

Textual sets a widget's new size during the screen's layout and posts its Resize event to the widget's own queue; the
run screen adds output from its own turn, which can come first (seen under load: a verifier's pane held rows wrapped
at two widths after a resize during a walk). The new lines were wrapped at the new width, and the Resize that came
next found nothing to do (its width was the one the last rows were wrapped at): the lines from before stayed wrapped
at the old width, cut at the pane's edge when it had narrowed.
"""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from run_screen_helpers import until
from textual import events
from textual.app import App, ComposeResult

from runbook_tui.ui.output_pane import CONTINUED, OutputLog


class _LateResize(OutputLog):
    """The pane with its Resize events held back while `late` (as when the screen's turn comes before the pane's)."""

    late = False
    held: list[events.Resize]

    def on_resize(self, event: events.Resize) -> None:
        if self.late:
            self.held.append(event)
            event.prevent_default()  # the pane's own handler (OutputLog's) does not run yet
            return


class _Pane(App[None]):
    def compose(self) -> ComposeResult:
        pane = _LateResize(1000, id="output")
        pane.held = []
        yield pane


def _line(n: int) -> tuple[str, str]:
    return ("local │ ", f"line {n} of a long output that goes on and on beyond the width, to the end {n}")


@pytest.mark.asyncio
async def test_lines_added_before_the_panes_resize_is_handled_show_every_line_at_the_new_width() -> None:
    app = _Pane()
    async with app.run_test(size=(100, 20)) as pilot:
        pane = app.query_one(_LateResize)
        await until(pilot, lambda: pane.size.width == 100, "the pane laid out at 100 columns")
        pane.add([_line(n) for n in range(3)])
        assert all(cell_len(row) > 60 for row in pane.lines), "the first lines fit 100 columns whole"
        pane.late = True
        await pilot.resize_terminal(50, 20)
        await until(pilot, lambda: pane.size.width == 50 and pane.held, "the pane laid out at 50 columns, its Resize not handled")
        pane.add([_line(3)])  # the screen's turn first
        assert all(cell_len(row) <= 50 for row in pane.lines), list(pane.lines)
        text = "".join(row.removeprefix(CONTINUED) for row in pane.lines)
        assert all(f"to the end {n}" in text for n in range(4)), list(pane.lines)
        pane.late = False
        for event in pane.held:  # then the pane's Resize: nothing changes
            OutputLog.on_resize(pane, event)
        assert all(cell_len(row) <= 50 for row in pane.lines), list(pane.lines)
