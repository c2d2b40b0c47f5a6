"""A host name of 120 characters cut in its middle before each output line on the pane, live and replayed alike.

Before, `web-hhh…(126 characters) │ line` took two rows before each line of output at 80 columns: a step's twenty
lines of output filled the pane three times over, and the output's text started on the third row. Now the pane names
the host in 40 cells at most, its start and its end kept (`web-hhhh…hhhh-01 │ line`); the step pane, `v` and the
journal keep it whole.
"""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from run_screen_helpers import until
from textual.app import App, ComposeResult

from runbook_tui.ui.log_lines import HOST_CELLS, log_lines, raw_output_prefix
from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.run_view import SCREEN_LINES

HOST = "web-" + "h" * 120 + "-01"
EVENT = {"type": "output", "seq": 9, "ts": "2026-03-14T02:00:00Z", "step": "reload", "host": HOST, "stream": "stdout", "text": "line one\nline two\n"}


def test_the_pane_names_a_long_host_in_its_start_and_end() -> None:
    prefix = raw_output_prefix(EVENT)
    assert prefix.startswith("web-hhh") and prefix.endswith("hhh-01 │ ") and "…" in prefix, prefix
    assert cell_len(prefix) == HOST_CELLS + len(" │ ")
    assert log_lines(EVENT) == [prefix + "line one", prefix + "line two"]  # replay's lines read as the live ones
    stderr = {**EVENT, "stream": "stderr", "host": "web1"}
    assert raw_output_prefix(stderr) == "web1 ! "  # a short name whole, as ever


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield OutputLog(SCREEN_LINES, id="output")


@pytest.mark.asyncio
async def test_each_line_of_a_long_named_host_takes_one_row_at_80_columns() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        output = app.query_one(OutputLog)
        output.add([(raw_output_prefix(EVENT), f"line {n}") for n in range(20)])
        await until(pilot, lambda: len(output.lines) == 20, "the 20 lines in the pane")
        assert len(output.lines) == 20 and output.lines[-1].endswith("hhh-01 │ line 19"), list(output.lines)
