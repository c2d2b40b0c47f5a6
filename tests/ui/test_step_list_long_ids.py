"""Long step ids at 140x45: the step list takes more of the screen, so each id reads whole with its title beside it.

Walked in tmux at 140x45: with ids of about 40 characters the list (52 columns, its share of the screen) showed the
ids alone, no title (fewer than 8 cells were left for one), and a 54-character id cut in its middle
(`look-at-the-very-long-…ifier-for-the-precheck`) while the panes on the right had 86 columns. An id longer than
26 cells now widens the list to 43% of the screen (60 columns at 140, the right panes keep 80); short ids keep the list as it was, and at 80 columns the list
shown with `l` keeps its narrow width.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, started, until, write_runbook

from runbook_tui.ui.step_list import StepList

STEPS = {
    "check-replication-lag-on-every-replica": "Replication lag under one second",
    "drain-connections-from-the-old-primary": "Drain the old primary",
    "promote-the-standby-in-eu-west-1b-now": "Promote the standby",
}
RUNBOOK = """\
runbook: 1
id: long-ids
title: Fail over the primary
sections:
  - id: impl
    title: Implement
    kind: implement
    steps:
""" + "".join(f"      - id: {sid}\n        title: {title}\n        run: echo {n}\n" for n, (sid, title) in enumerate(STEPS.items()))


@pytest.mark.asyncio
async def test_ids_of_forty_characters_read_whole_with_their_titles_at_140x45(workdir: Path) -> None:
    write_runbook(workdir, RUNBOOK)
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        steps = app.screen.query_one(StepList)
        await until(pilot, lambda: "check-replication-lag-on-every-replica" in painted(steps), "the step list drawn")
        rows = painted(steps).splitlines()
        for sid, title in STEPS.items():
            row = next((row for row in rows if sid in row), None)
            assert row is not None and title[:8] in row, rows  # the id whole, then the start of its title
        assert steps.outer_size.width == 60, steps.outer_size  # the panes on the right keep 80 columns, as at 80x24


@pytest.mark.asyncio
async def test_short_ids_and_the_narrow_list_keep_their_widths(workdir: Path) -> None:
    app = make_app()  # the helpers' runbook: ids of at most 7 characters
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        assert app.screen.query_one(StepList).outer_size.width == 52  # its 3fr share, as before
    write_runbook(workdir, RUNBOOK)
    app = make_app(journal="j2.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("l")
        steps = app.screen.query_one(StepList)
        await until(pilot, lambda: steps.display and steps.outer_size.width == 34, "the list shown at its narrow width")
