"""Tabs in a command and in its output, at 80x24 and 140x45: every column shown, none cut at the pane's edge.

Before: a tab was measured as no cell when a line was wrapped, and drawn as up to 8 spaces. A command holding tabs
(a parameter pasted from a spreadsheet) ran past the detail pane's edge and its end was cut off (`… zero⟨U+200B⟩wid`,
the `th'` never shown); a line of tab-separated output (`a⇥b⇥…⇥z`) showed `a b c … i` at 80 columns and the rest of
its columns nowhere on screen. A title with a tab was cut at half the header's width (`Hostile x    TAB…`): the
header's grid measured the tab as no cell.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, prepare_workdir, run_step, settled, started

from runbook_tui.ui.output_pane import OutputLog

#: The step's command quotes a value with tabs and ends with a word the test looks for; its output is 26 tab-separated
#: columns, `END` the last.
RUNBOOK = """\
runbook: 1
id: tabs
title: "Raise\tthe pool\tTITLEEND"
ticket: {id: CHG-1}
params:
  value: {type: string, default: "one\\ttwo\\tthree\\tfour\\tfive\\tsix\\tseven\\teight"}
sections:
  - id: main
    steps:
      - id: columns
        title: Columns
        run: "echo {{ value }} >/dev/null; printf 'a\\\\tb\\\\tc\\\\td\\\\te\\\\tf\\\\tg\\\\th\\\\ti\\\\tj\\\\tk\\\\tl\\\\tm\\\\tn\\\\to\\\\tp\\\\tq\\\\tEND\\\\n' # LASTWORD"
        undo: "echo {{ value }} # UNDOEND"
      - id: after
        title: After
        note: the run goes on
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    prepare_workdir(tmp_path, monkeypatch, RUNBOOK)
    return tmp_path


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_a_command_and_output_with_tabs_are_shown_to_their_last_column(workdir: Path, size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await settled(pilot)
        header = painted(app.screen.query_one("#header"))
        assert "TITLEEND" in header and "\t" not in header, f"the title is cut in the header:\n{header}"
        detail = painted(app.screen.query_one("#step-detail"))
        assert "\t" not in detail
        assert "LASTWORD" in detail and "UNDOEND" in detail, f"the command's end is cut off:\n{detail}"
        assert "eight'" in detail, f"the tabbed value's end is cut off:\n{detail}"
        width = app.screen.query_one("#step-detail").outer_size.width
        assert all(len(line) <= width for line in detail.splitlines())
        await run_step(pilot, "columns")
        await settled(pilot)
        output = painted(app.screen.query_one(OutputLog))
        assert "END" in output, f"the last column of the output is not on screen:\n{output}"
        assert "\t" not in output
