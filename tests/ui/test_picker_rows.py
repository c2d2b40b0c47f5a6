"""The picker at 80 and 140 columns: titles cut with `…`, runbooks sharing an id told apart, a link to nothing listed
with why, and escape on an empty search saying what it does."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import painted
from test_picker_form import DEPLOY, PLAIN, _write, picker_app, scanned
from textual.widgets import DataTable

from runbook_tui.ui.picker_rows import places

LONG = DEPLOY.replace('title: "Deploy {{ version }} to {{ env }}"', 'title: "Deploy {{ version }} to {{ env }}, one wave at a time, every region"')
assert LONG != DEPLOY


@pytest.mark.asyncio
async def test_the_picker_at_80_columns_cuts_with_an_ellipsis_tells_twins_apart_and_lists_a_dead_link(workdir: Path) -> None:
    """Before: at 80 columns the title was cut at the table's edge mid-word; two runbooks with the same id read alike;
    a link to nothing was skipped without a word; escape on an empty search did nothing under `esc clear search`."""
    _write(workdir / "runbooks" / "team-a", "deploy.yaml", LONG)
    _write(workdir / "runbooks" / "team-b", "deploy.yaml", LONG)
    _write(workdir / "runbooks", "plain.yaml", PLAIN)
    (workdir / "runbooks" / "gone.yaml").symlink_to("../nowhere.yaml")
    app, _ = picker_app(workdir)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await scanned(pilot)
        table = screen.query_one("#picker-table", DataTable)
        shown = painted(table)
        assert "team-a/ Deploy v1 to staging, one wave at a t…" in shown and "team-b/ Deploy v1 to staging, one wave at a t…" in shown, shown
        assert "  A check without parameters" in shown, "plain.yaml has an id of its own: no folder before its title"
        assert "runbooks/gone.yaml" in shown and "✗ 1 error" in shown, shown
        assert [str(c.label) for c in table.columns.values()] == ["status", "id", "title"], "no file column peeking in at the edge"

        footer_keys = [b.binding.description for b in screen.active_bindings.values() if b.enabled and b.binding.show]
        assert "clear search" not in footer_keys, footer_keys
        await pilot.press("escape")
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["The search is empty: nothing to clear. ctrl+q quits."]

        await pilot.press(*"gone")
        await pilot.pause()
        assert any(b.binding.description == "clear search" for b in screen.active_bindings.values() if b.enabled)
        detail = " ".join(painted(screen.query_one("#picker-detail-text")).split())
        assert "runbooks/gone.yaml:1:1: a link to ../nowhere.yaml, which does not exist: fix the link or remove it" in detail, detail

        await pilot.resize_terminal(140, 45)
        await pilot.press("escape")
        await pilot.pause()
        shown = painted(table)
        assert "runbooks/team-a/deploy.yaml" in shown and "team-a/ Deploy v1 to staging, one wave at a time, e…" in shown, shown


def test_twins_are_told_apart_by_the_end_of_their_folder() -> None:
    said = places([("runbooks/a/x.yaml", "x"), ("runbooks/b/x.yaml", "x"), ("/opt/runbooks/x.yaml", "x"), ("runbooks/y.yaml", "y")])
    assert said == {"runbooks/a/x.yaml": "a/", "runbooks/b/x.yaml": "b/", "/opt/runbooks/x.yaml": "runbooks/"}
    # A copy of the examples in ./runbooks and the examples themselves: before, `./runbooks/` and `runbooks/`, alike.
    assert places([("runbooks/x.yaml", "x"), ("/opt/runbooks/x.yaml", "x")]) == {"runbooks/x.yaml": "./runbooks/", "/opt/runbooks/x.yaml": "opt/runbooks/"}
    assert places([("x.yaml", "x"), ("a/x.yaml", "x")]) == {"x.yaml": "./x.yaml", "a/x.yaml": "./a/x.yaml"}
    said = places([("a/runbooks/x.yaml", "x"), ("b/a/runbooks/x.yaml", "x"), ("runbooks/x.yaml", "x")])
    assert said == {"a/runbooks/x.yaml": "./a/runbooks/", "b/a/runbooks/x.yaml": "./b/a/runbooks/", "runbooks/x.yaml": "./runbooks/"}
    assert all(a.removeprefix("./") != b.removeprefix("./") for a in said.values() for b in said.values() if a is not b)
    assert places([("r/one.yaml", "x"), ("r/two.yaml", "x")]) == {"r/one.yaml": "one.yaml", "r/two.yaml": "two.yaml"}


SHORT_ID = """
runbook: 1
id: rb-{n}
title: Routine change number {n} on the checkout service
sections:
  - id: s
    steps:
      - {{id: one, run: 'true'}}
"""


@pytest.mark.asyncio
async def test_the_id_column_is_as_wide_as_the_longest_id_and_the_title_has_the_rest(workdir: Path) -> None:
    """Before: the id column kept 26 cells whatever the ids; at 80 columns a folder of `rb-007`s left 20 of them empty
    and every title was cut after 32 (`Routine change number 0 on the…`), the part that told them apart lost."""
    for n in range(3):
        _write(workdir / "runbooks", f"rb-{n}.yaml", SHORT_ID.format(n=n))
    app, _ = picker_app(workdir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await scanned(pilot)
        shown = painted(screen.query_one("#picker-table", DataTable))
        assert "rb-1  Routine change number 1 on the checkout service" in shown, shown

        # A runbook with a long id: the column widens to hold it (up to 26 cells, as before), the titles give way.
        _write(workdir / "runbooks", "long.yaml", PLAIN.replace("id: plain-check", "id: a-step-id-of-exactly-thirty-c"))
        await pilot.press("ctrl+q")
    app, _ = picker_app(workdir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await scanned(pilot)
        shown = painted(screen.query_one("#picker-table", DataTable))
        assert "a-step-id-of-exactly-thir…  A check without" in shown and "rb-1" in shown and "Routine change number 1 on the…" in shown, shown
