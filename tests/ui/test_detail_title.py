"""The detail pane's title names the step by its whole id at 80x24 with the step list shown, and at 140x45.

Textual cuts a border title at its end: at 80 columns with the list shown (`l`), `step 1/3 ·
disk-space-on-primary-database-volume` read `step 1/3 · disk-space-on-primary-database-v…`, an id no step has (the
journal, `g` in replay and the status stack name it whole). The words around it give way first (`1/3`, `▼ 3 more: v`);
an id longer than the whole border is named on the pane's first line instead (`… (step id)`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import make_app, painted, run_step, settled, started, until, write_runbook
from textual.pilot import Pilot

from runbook_tui.ui.detail_title import fit_title
from runbook_tui.ui.widgets import StepDetail

LONG = "disk-space-on-primary-database-volume"
LONGER = "check-that-the-replication-lag-on-every-standby-is-under-one-second"

RUNBOOK = f"""\
runbook: 1
id: ids
title: Long step ids
sections:
  - id: pre
    title: Prechecks
    kind: precheck
    steps:
      - id: {LONG}
        title: At least 10 GB free on the primary database's data volume
        run: echo ok
      - id: {LONGER}
        title: Replication lag under one second
        run: |
          echo one
          echo two
          echo three
          echo four
          echo five
          echo six
          echo seven
        undo: echo nothing to undo
      - id: last
        title: Done
        run: echo done
"""


def _title(pilot: Pilot[Any]) -> str:
    """The title as the border draws it (Textual cuts it with `…` at the border's end), without the rule around it."""
    return painted(pilot.app.screen.query_one("#detail")).splitlines()[0].strip("─╭╮ ")


def _first_lines(pilot: Pilot[Any], count: int) -> str:
    """The pane's first lines joined: an id wider than the pane folds onto the next."""
    return "".join(line.strip() if n else line.rstrip() for n, line in enumerate(painted(pilot.app.screen.query_one(StepDetail)).splitlines()[:count]))


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_detail_title_holds_the_whole_id_or_the_pane_names_it(workdir: Path, size: tuple[int, int]) -> None:
    write_runbook(workdir, RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        if size[0] < 110:
            await pilot.press("l")  # the step list shown: the detail pane is 46 columns wide
            await until(pilot, lambda: app.screen.query_one("#steps").display, "the step list")
        await settled(pilot)
        await until(pilot, lambda: LONG in _title(pilot), f"the whole id in the title at {size}: {_title(pilot)!r}")
        assert "…" not in _title(pilot), _title(pilot)
        await run_step(pilot, LONG)
        await settled(pilot)
        # 67 characters: wider than the border at 80 columns with the list shown; whole in the title at 140.
        if size[0] < 110:
            named = f"{LONGER}  (step id)"
            await until(pilot, lambda: _first_lines(pilot, 2) == named, f"the id on the pane's first lines: {_first_lines(pilot, 2)!r}")
            assert LONGER[:20] not in _title(pilot), f"no cut id in the title: {_title(pilot)!r}"
            assert _title(pilot).startswith("step 2/3"), _title(pilot)
        else:
            # `step` gives way: the list beside it is wider for these long ids (tests/ui/test_step_list_long_ids.py)
            await until(pilot, lambda: _title(pilot) == f"2/3 · {LONGER}", f"the whole id in the title: {_title(pilot)!r}")
            assert "(step id)" not in painted(app.screen.query_one(StepDetail)), "named once"


def test_the_words_around_the_id_give_way_before_the_id_does() -> None:
    assert fit_title("step 1/6", LONG, 0, 60) == (f"step 1/6 · {LONG}", True)
    assert fit_title("step 1/6", LONG, 0, 44) == (f"1/6 · {LONG}", True)
    assert fit_title("step 3/6", "backup-config", 4, 44) == ("step 3/6 · ▼ 4 more: v · backup-config", True)
    assert fit_title("step 3/6", "backup-config", 4, 70) == ("step 3/6 · ▼ 4 more lines: v shows all · backup-config", True)
    assert fit_title("step 2/6", LONGER, 3, 44) == ("step 2/6 · ▼ 3 more lines: v shows all", False)
    assert fit_title("finished", "", 0, 5) == ("finished", True)
    assert fit_title("step 1/6", LONG, 0, None) == (f"step 1/6 · {LONG}", True), "not laid out yet: as it is"


#: 79 characters: at 80 columns with the step list shown (`l`) the pane's rows are 43 wide: the id folds, its last row
#: 36 cells, no room for `  (step id)` after it (room for `(id)`); one more character leaves room for neither.
NEARLY_FULL = "verify-that-every-standby-replica-of-the-orders-database-caught-up-with-primary"


@pytest.mark.asyncio
@pytest.mark.parametrize(("step_id", "label"), [(NEARLY_FULL, " (id)"), (NEARLY_FULL + "-db", "(step id)")], ids=["id", "step-id-under"])
async def test_the_step_id_label_is_never_broken_across_rows(workdir: Path, step_id: str, label: str) -> None:
    """At 80x24 with the step list shown, an id wider than the pane folds onto a second row that has no room left for
    `  (step id)`: the id's rows must read the id whole, then ` (id)` after it where that fits (a row of its own cut the
    undo at 80x24), else `(step id)` whole on the row under them (it folded into `…with-primary  (step` over `id)`)."""
    write_runbook(workdir, RUNBOOK.replace(LONGER, step_id))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("l")
        await until(pilot, lambda: app.screen.query_one("#steps").display, "the step list")
        await run_step(pilot, LONG)
        await settled(pilot)
        detail = app.screen.query_one(StepDetail)
        rows = lambda: [row.strip() for row in painted(detail).splitlines()]  # noqa: E731
        await until(pilot, lambda: step_id[-10:] in "".join(rows()[:3]), f"the id on the pane's first rows: {rows()[:4]!r}")
        assert detail.size.width == 43, detail.size.width  # the case this test is about: the id's last row 36 (39) of 43 cells
        if label == "(step id)":
            assert "".join(rows()[:2]) == step_id and rows()[2] == label, rows()[:4]
        else:
            assert "".join(rows()[:2]) == step_id + label, rows()[:4]
