"""The picker's detail pane when a broken runbook has more errors than it shows (80x24: about seven lines).

Before: a runbook with six errors showed two of them, a scrollbar the only sign; the focus stays in the search, so no
key reached the others (the person had to run `validate` to learn what else was wrong)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import painted, until
from test_form_message_in_view import on_screen
from test_picker_form import PLAIN, _write, picker_app, scanned
from textual.app import App

from runbook_tui.ui.picker import PickerDetail

# Six errors, each at its own FILE:LINE:COL, the last one (`verify`) the one a person must be able to reach.
SIX = """
runbook: 1
id: many-errors
title: Six errors on purpose
sections:
  - id: s
    steps:
      - {id: one, run: 'true', timeout: 99999999999999999999d}
      - {id: two, run: 'true', retries: many}
      - {id: three, run: 'true', serial: lots}
      - {id: four, run: 'true', wait: forever}
      - {id: five, run: 'true', retry_delay: soon}
      - {id: six, run: 'true', verify: sometimes}
"""


def pane(app: App[Any], detail: PickerDetail) -> list[str]:
    """The detail pane's rows as the terminal shows them (its border included; what is scrolled away is not there)."""
    region = detail.region
    return [row[region.x : region.right] for row in on_screen(app)[region.y : region.bottom]]


@pytest.mark.asyncio
async def test_a_broken_runbooks_errors_below_the_pane_are_counted_on_its_border_and_pgdn_shows_them(workdir: Path) -> None:
    _write(workdir / "runbooks", "aaa-six.yaml", SIX)  # first in name order: the row the picker opens on
    _write(workdir / "runbooks", "plain.yaml", PLAIN)
    app, _ = picker_app(workdir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await scanned(pilot)
        detail = screen.query_one(PickerDetail)
        assert screen.shown is not None and screen.shown.endswith("aaa-six.yaml"), screen.shown
        await until(pilot, lambda: detail.max_scroll_y > 0, "the six errors laid out, taller than the pane")
        said = "\n".join(pane(app, detail))
        assert "has 6 errors" in said, said
        assert "'verify'" not in said, "the last error starts below the pane at 80x24 (else this test shows nothing)"
        # The pane's bottom border says how much is below and the key that brings it up (the focus is in the search).
        bottom = said.splitlines()[-1]
        assert "more line" in bottom and "pgdn" in bottom, bottom

        for _ in range(6):
            if "more line" not in pane(app, detail)[-1]:
                break
            await pilot.press("pagedown")
            await pilot.pause()
        said = "\n".join(pane(app, detail))
        assert "aaa-six.yaml:12:40:" in said and "'verify': expected one of" in said, said
        assert "more line" not in said.splitlines()[-1], "nothing is below any more (no blank line counted either): the border says nothing"
        assert screen.query_one("#picker-search").has_focus, "pgdn left the search where the person types"

        # Another runbook's detail reads from its start, not scrolled as the last one was.
        await pilot.press("down")
        await until(pilot, lambda: detail.scroll_y == 0 and "has 6 errors" not in painted(detail), "the next runbook's detail")
        assert "A check without parameters" in painted(screen.query_one("#picker-detail-text")), "the next row is described"
        await pilot.press("up")
        await until(pilot, lambda: "has 6 errors" in "".join(pane(app, detail)), "the broken runbook's detail from its first line again")
