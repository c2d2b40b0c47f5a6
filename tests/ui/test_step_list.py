"""The step list on a long runbook: the current step stays in view and highlighted, the keys move the cursor,
and the first frame builds only the rows it shows (what keeps `run` of a 300-step runbook quick to appear).

The runbook has 120 note steps (a note runs at once, locally, touching nothing) with long titles and one
long id, on the real run screen at 140x45 where the pane shows about 35 rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from run_screen_helpers import SIZE, make_app, prepare_workdir, settled, started, until
from textual.geometry import Region

from runbook_tui.ui.step_list import TITLE_LEAST, StepList

STEPS = 120
LONG_ID = "a-very-long-step-identifier-indeed"


def _runbook() -> str:
    lines = ["runbook: 1", "id: long-list", "title: A long list", "sections:", "  - id: change", "    title: Change", "    kind: implement", "    steps:"]
    for index in range(STEPS):
        sid = LONG_ID if index == 2 else f"step-{index}"
        lines += [f"      - id: {sid}", f"        title: Step {index} adjusts node {index} of the cluster, carefully and slowly", f"        note: node {index}"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    prepare_workdir(tmp_path, monkeypatch, _runbook())
    yield tmp_path


def _drawn(steps: StepList) -> str:
    """What the pane paints, border included, line by line."""
    width, height = steps.outer_size
    return "\n".join(strip.text.rstrip() for strip in steps.render_lines(Region(0, 0, width, height)))


def _rows_in_view(steps: StepList) -> range:
    top = int(steps.scroll_y)
    return range(top, top + steps.scrollable_content_region.height - 1)  # the header row does not scroll


@pytest.mark.asyncio
async def test_the_first_frame_builds_only_the_rows_in_view_and_cuts_long_titles_not_ids(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []
    row_text = StepList._row_text  # what drawing a row builds

    def counting(self: StepList, row: int, width: int, muted: str) -> object:
        built.append(row)
        return row_text(self, row, width, muted)

    monkeypatch.setattr(StepList, "_row_text", counting)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await settled(pilot)
        steps = app.screen.query_one(StepList)
        shown = _drawn(steps)
        assert steps.row_count == STEPS
        assert max(built) < len(_rows_in_view(steps)) + 1, f"rows beyond the pane were built: up to row {max(built)}"
        header = shown.splitlines()[1]  # under the border
        assert header.split("│")[1].split() == ["id", "step"], f"no header row:\n{shown}"
        long_row = next(line for line in shown.splitlines() if LONG_ID[:10] in line)
        assert f" {LONG_ID} " in long_row, f"the long id is cut (before: at 18 cells, `a-very-long-step-…`):\n{shown}"
        first = next(line for line in shown.splitlines() if "step-0 " in line)
        assert first.rstrip("│ ").endswith("…") and "carefully and slowly" not in first, f"the title is not cut to the pane: {first!r}"
        assert "step-40 " not in shown, "a row below the pane was drawn"


@pytest.mark.asyncio
async def test_keys_move_the_cursor_and_the_current_step_scrolls_back_into_view(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        steps = app.screen.query_one(StepList)
        assert steps.has_focus and steps.cursor_row == 0, "the list has the keys, on the current (first) step"

        await pilot.press("down", "down")
        assert steps.cursor_row == 2
        await pilot.press("up")
        assert steps.cursor_row == 1
        await pilot.press("ctrl+end")
        await until(pilot, lambda: STEPS - 1 in _rows_in_view(steps), "ctrl+end to scroll the last step into view")
        assert steps.cursor_row == STEPS - 1 and STEPS - 1 in _rows_in_view(steps), "ctrl+end: the last step, scrolled into view"
        assert "step-119 " in _drawn(steps) and "step-0 " not in _drawn(steps)

        await pilot.press("enter")  # runs the current step (the first), wherever the cursor is
        await until(pilot, lambda: controller.state.current == "step-1", "the first step to be done")
        await settled(pilot)
        assert steps.cursor_row == 1 and 1 in _rows_in_view(steps), "the cursor went back to the current step, in view"
        assert "step-1 " in _drawn(steps), "the current step is on screen"
        assert steps.row_text(0).plain.startswith("✓"), "the done step shows its mark"

        await pilot.press("ctrl+home")
        assert steps.cursor_row == 0


@pytest.mark.asyncio
async def test_at_80_columns_the_shown_list_gives_its_width_to_the_ids_not_to_title_fragments(workdir: Path) -> None:
    """At 80x24 `l` shows the list 34 columns wide. Before, each row read `a-very-long-step-…  Step 0` with a title
    fragment of 7 cells whose `…` fell past the pane's edge (`Step 0` read as a whole title). Now an id never gives way to
    a title: the id column is as wide as the ids that leave TITLE_LEAST cells for a title, a longer id is drawn whole
    past it (cut at the pane's edge only when longer than the pane) with no title, and every title has its `…` in view."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("l")
        await until(pilot, lambda: app.screen.query_one(StepList).display and app.screen.query_one(StepList).size.width > 0, "the list shown")
        await settled(pilot)
        steps = app.screen.query_one(StepList)
        width = steps.scrollable_content_region.width
        rows = [steps.row_text(row).plain for row in range(4)]
        # the short ids in their column, a title after them at least TITLE_LEAST cells long with its `…` in view
        assert rows[0].split()[:3] == ["·", "step-0", "Step"] and rows[0].endswith("…"), rows
        assert 1 + len(rows[0]) - rows[0].index("Step 0") >= TITLE_LEAST, rows
        # 34 characters in a list 30 wide (its scrollbar shown): its start and its end, `…` between (before: cut at 18)
        head, _, tail = rows[2].split()[1].partition("…")
        assert head and tail and LONG_ID.startswith(head) and LONG_ID.endswith(tail), f"the long id in {width} cells: {rows[2]!r}"
        assert 1 + len(rows[2]) == width, f"the id as long as the pane allows: {rows[2]!r}"
        assert "Step 2" not in rows[2], "no title fragment after a long id"
        assert all(1 + len(row) <= width for row in rows), f"a row runs past the pane ({width}): {rows}"
        shown = _drawn(steps)
        assert shown.splitlines()[1].split() == ["id", "step"], f"the header names both columns:\n{shown}"


@pytest.mark.asyncio
async def test_at_140_columns_ids_alike_but_for_their_end_are_whole_beside_their_titles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, every id was cut at 18 cells: `restart-db-primary-replica-1` and `-2` both read `restart-db-primar…`."""
    lines = ["runbook: 1", "id: alike", "title: Alike", "sections:", "  - id: change", "    title: Change", "    kind: implement", "    steps:"]
    for n in (1, 2):
        lines += [f"      - id: restart-db-primary-replica-{n}", f"        title: Restart replica {n} of the primary", f"        note: replica {n}"]
    prepare_workdir(tmp_path, monkeypatch, "\n".join(lines) + "\n")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await settled(pilot)
        steps = app.screen.query_one(StepList)
        rows = [steps.row_text(row).plain for row in range(2)]
        for n, row in zip((1, 2), rows, strict=True):
            assert row.split()[1:3] == [f"restart-db-primary-replica-{n}", "Restart"], rows
        assert rows[0].index("Restart") == rows[1].index("Restart"), f"the titles start in one column: {rows}"
        await pilot.resize_terminal(80, 24)
        await pilot.press("l")  # the list, 34 columns: the ids longer than it keep their ends (`…-replica-1`, `…-replica-2`)
        await until(pilot, lambda: steps.display and 0 < steps.outer_size.width <= 34, "the list shown at 80 columns")
        await settled(pilot)
        rows = [steps.row_text(row).plain for row in range(2)]
        assert rows[0] != rows[1] and rows[0].endswith("-1") and rows[1].endswith("-2"), rows
