"""At 140x45 the step pane keeps one blank cell between its text and its right border, as it keeps one on the left.

Found in a walk at 140x45 (screens38): a command wrapped to the pane's full width ran right up to the border (`…/app.conf│`),
the last character of a path against the line, so it read as part of the frame, and copying the row by mouse took the
`│` with it. At 80x24 the pane, boxless, already had a cell on each side; now the boxed pane does too."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import RUNBOOK, make_app, started, until, write_runbook

#: A command of words that wrap to the pane's whole width, and one path too long for any row (cut where the row ends).
LONG = "echo " + " ".join(f"var/backups/app.conf.2026120{n}T155706Z" for n in range(9)) + " /srv/" + "x" * 200


@pytest.mark.asyncio
async def test_the_step_panes_text_stops_a_cell_short_of_its_right_border(workdir: Path) -> None:
    write_runbook(workdir, RUNBOOK.replace("run: echo check >> marks; echo config ok", f"run: {LONG}"))
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        detail = app.screen.query_one("#detail")
        await until(pilot, lambda: "xxxx" in "".join(s.text for s in app.screen._compositor.render_strips()), "the long command on screen")
        await pilot.pause()
        rows = [strip.text for strip in app.screen._compositor.render_strips()]
        region = detail.region
        inside = [rows[y][region.x : region.right] for y in range(region.y + 1, region.bottom - 1)]
        assert inside and all(row.endswith("│") for row in inside), inside
        ran_into = [row for row in inside if row[-2] != " "]
        assert not ran_into, "text against the pane's right border:\n" + "\n".join(ran_into)
        assert all(row[1] == " " for row in inside), "and a blank cell on the left, as before"
