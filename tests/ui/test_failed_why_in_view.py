"""A failed step's why is in the step pane's view under a command of 2,000 lines, at 80x24 and 140x45.

Walked in tmux: `migrate`'s `run:` of 2,000 lines failed (`exit 3`); the pane showed the title and the command's first
8 (80x24) or 15 (140x45) lines, and `✗ local: exit code 3, expected 0` came after the command and the undo, out of
view: only the status row and the log said why. Now the problems, who decided and their reason come right under the
title, above the command, on the assignee's pane and the verifier's (one widget draws both).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, read_to_end, screen_is, settled, started, until, write_runbook

from runbook_tui.ui.widgets import DetailScroll, StepDetail

LINES = "\n".join(f"          echo line {n} > /dev/null" for n in range(2000))
RUNBOOK = f"""\
runbook: 1
id: long-fail
title: Long command fails
sections:
  - id: impl
    title: Implement
    kind: implement
    steps:
      - id: migrate
        title: Run the long migration
        run: |
{LINES}
          echo 'migration failed: table users locked' >&2
          exit 3
        undo: echo undo
      - id: after
        title: After
        run: echo done
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_why_of_a_failed_long_command_shows_without_scrolling(workdir: Path, size: tuple[int, int]) -> None:
    write_runbook(workdir, RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await pilot.press("enter")  # the pane cuts the command: it is shown whole first
        await screen_is(pilot, "ConfirmPrompt")
        await read_to_end(pilot)
        await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["migrate"].status == "failed" and not controller.busy, "migrate to fail", seconds=60)
        await settled(pilot)
        pane = app.screen.query_one(DetailScroll)
        assert round(pane.scroll_y) == 0
        seen = painted(app.screen.query_one(StepDetail)).splitlines()[: pane.scrollable_content_region.height]  # in view
        assert "Run the long migration" in seen[0] and "✗ local: exit code 3, expected 0" in seen[1], seen  # under the title
        assert any("run:  echo line 0" in row for row in seen), seen  # the command follows it, from its first line
