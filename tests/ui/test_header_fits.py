"""The header's first row at 80 columns: a dry run's badge, the risk's level and the window's end all readable.

Before, `CHG-9  DRY-RUN: NOTHING IS EXECUTED  RISK … window closes 2099-01-01 04:00 UTC`: the risk's level was cut
off (the row is cut from its end, and the window's date on the right took the room). Now the badge's words give way
first (`DRY-RUN: NOTHING RUNS`), and at 140 columns they are whole again."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, settled, started, until, write_runbook

from runbook_tui.ui.widgets import RunHeader

RUNBOOK = """\
runbook: 1
id: fleet
title: Restart the api pods on the whole fleet
ticket:
  id: CHG-9
  subject: fleet restart
  window: {start: "2026-01-01T02:00:00+00:00", end: "2099-01-01T04:00:00+00:00"}
  risk: {level: high, summary: everything could break}
sections:
  - id: main
    title: Main
    kind: implement
    steps:
      - id: one
        title: One
        run: echo one
"""


@pytest.mark.asyncio
async def test_a_dry_runs_header_keeps_the_risk_level_at_80_columns(workdir: Path) -> None:
    write_runbook(workdir, RUNBOOK, "fleet.yaml")
    app = make_app("fleet.yaml", mode="dry-run")
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await settled(pilot)
        header = app.screen.query_one(RunHeader)
        await until(pilot, lambda: "RISK HIGH" in painted(header).splitlines()[0], "the risk's level on the header's first row")
        row = painted(header).splitlines()[0]
        assert "DRY-RUN: NOTHING RUNS" in row and row.rstrip().endswith("window closes 2099-01-01 04:00 UTC"), row

        await pilot.resize_terminal(140, 45)
        await until(pilot, lambda: "DRY-RUN: NOTHING IS EXECUTED  RISK HIGH  Restart the api pods" in painted(header), "the badge whole at 140")


CHECKPOINTS = """\
runbook: 1
id: replicas
title: Restart the replicas
sections:
  - id: main
    title: Main
    kind: implement
    steps:
      - id: restart-db-primary-replica-number-1
        title: One
        run: echo one
        checkpoint: true
      - id: restart-db-primary-replica-number-2
        title: Two
        run: echo two
        checkpoint: true
      - id: after
        title: After
        run: echo after
"""


@pytest.mark.asyncio
async def test_the_last_checkpoint_keeps_the_end_of_its_id_at_80_columns(workdir: Path) -> None:
    """Before: `⚑ last checkpoint: restart-db-primar…` after either replica: which one `u` goes back to was not said."""
    from run_screen_helpers import run_step

    write_runbook(workdir, CHECKPOINTS, "replicas.yaml")
    app = make_app("replicas.yaml", solo="the test")
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        for step in ("restart-db-primary-replica-number-1", "restart-db-primary-replica-number-2"):
            await run_step(pilot, step)
        await settled(pilot)
        header = app.screen.query_one(RunHeader)
        await until(pilot, lambda: "last checkpoint" in painted(header), "the checkpoint on the header")
        row = painted(header).splitlines()[1]
        assert "⚑ last checkpoint: restart-db" in row and row.rstrip().endswith("-number-2"), row
        assert len(row) <= 80, row
        await pilot.resize_terminal(140, 45)
        await until(pilot, lambda: "last checkpoint: restart-db-primary-replica-number-2" in painted(header), "the id whole at 140")
