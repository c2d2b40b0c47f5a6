"""The detail pane's first line keeps its status and each fact whole on a line at 80x24 and 140x45.

Rich wraps at any space: at 80 columns the facts broke inside themselves, `… · on local · no` over `verifier check`,
`⚑` over `CHECKPOINT`, `⧗ waiting` over `for verifier`, `… ·` over `pending`: a lone `check` or `(solo)` at the start
of a line read as something else (a command?). Now the status and each fact go whole to the next line when they do
not fit on this one.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text
from run_screen_helpers import make_app, painted, settled, started, until, write_runbook

from runbook_tui.ui.fact_line import fact_line
from runbook_tui.ui.widgets import StepDetail

FACTS = ["⚑ CHECKPOINT", "backup", "on local", "unverified (solo)", "timeout 30s"]


def _lines(head: str, status: str, facts: list[str], width: int) -> list[str]:
    console = Console(width=width, color_system=None, legacy_windows=False, record=True)
    console.print(fact_line(Text(head), [Text(status), *map(Text, facts)], width, console))
    return [line.rstrip() for line in console.export_text().splitlines()]


@pytest.mark.parametrize("width", [40, 46, 78, 85, 86, 138])
def test_each_fact_is_whole_on_one_line_at_every_width(width: int) -> None:
    for head in ("Back up the pool config with a timestamp", "At least 10 GB free on the primary database's data volume before the change"):
        lines = _lines(head, "· pending", FACTS, width)
        for fact in ["· pending", *FACTS]:
            assert any(fact in line for line in lines), f"{fact!r} is not whole on a line at {width}:\n" + "\n".join(lines)
        assert all(len(line) <= width for line in lines), lines
        assert not any(line.startswith("·") and line != "· pending" and not line.startswith("· pending") for line in lines), lines
        joined = " ".join(lines)
        for a, b in itertools.pairwise(FACTS):  # in order, each after the one before
            assert joined.index(a) < joined.index(b), joined


def test_one_line_when_it_fits_and_no_width_yet_is_one_line() -> None:
    assert _lines("Reload", "· pending", ["change", "on local"], 80) == ["Reload  · pending  change · on local"]
    console = Console(width=200)
    assert fact_line(Text("Reload"), [Text("· pending"), Text("change")], 0, console).plain == "Reload  · pending  change"


RUNBOOK = """\
runbook: 1
id: facts
title: Facts whole
sections:
  - id: pre
    title: Prechecks
    kind: precheck
    steps:
      - id: disk
        title: At least 10 GB free on the primary database's data volume before the change
        run: echo ok
        verify: none
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_detail_pane_keeps_no_verifier_check_and_the_status_whole(workdir: Path, size: tuple[int, int]) -> None:
    """At 80x24 the pane read `… before the change  ·` over `pending  pre · on local · no verifier check`, and at 80
    columns with a shorter title `… · no` over `verifier check`."""
    write_runbook(workdir, RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await settled(pilot)

        def lines() -> list[str]:
            return [line.strip() for line in painted(app.screen.query_one(StepDetail)).splitlines()]

        await until(pilot, lambda: any("no verifier check" in line for line in lines()), f"`no verifier check` whole: {lines()}")
        assert any("· pending" in line for line in lines()), lines()
        assert not any(line.endswith("·") for line in lines()), f"no line ends at a separator: {lines()}"


LONG_TITLE = " ".join(["Drain"] + ["the worker pool on every node and wait for it"] * 20)


@pytest.mark.parametrize("width", [40, 78, 138])
@pytest.mark.parametrize("head", [LONG_TITLE, "Step " + "W" * 400], ids=["words", "one-word"])
def test_a_title_longer_than_two_rows_is_cut_there_and_the_status_follows(width: int, head: str) -> None:
    """A title of a thousand characters filled the pane at 80x24: its status, command and undo all out of view."""
    lines = _lines(head, "· pending", ["main", "on local"], width)
    assert len(lines) == 3 and lines[1].endswith("…") and lines[2] == "· pending  main · on local", lines
    assert all(len(line) <= width for line in lines), lines
    assert " ".join(lines[:2]).removesuffix("…").replace(" ", "") in head.replace(" ", ""), lines


LONG_TITLED = f"""\
runbook: 1
id: long-title
title: A step titled at length
sections:
  - id: main
    steps:
      - id: drain
        title: "{LONG_TITLE}"
        run: systemctl stop worker
        undo: systemctl start worker
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_a_long_title_leaves_the_status_command_and_undo_in_view(workdir: Path, size: tuple[int, int]) -> None:
    write_runbook(workdir, LONG_TITLED)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await settled(pilot)
        detail = app.screen.query_one(StepDetail)
        shown = [line.strip() for line in painted(detail).splitlines()][: detail.parent.scrollable_content_region.height]
        assert shown[1].endswith("…") and shown[2].startswith("· pending"), shown
        assert "run:  systemctl stop worker" in shown and "undo: systemctl start worker" in shown, shown
