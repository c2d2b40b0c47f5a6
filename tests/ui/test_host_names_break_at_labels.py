"""A host name wider than its column in the step's host table breaks after a dot or hyphen, whole, never in a label.

Walked at 80x24 (`v`) and in the step pane: `web01-frontend-production-eu-west-1a.internal.payments.example.com` (66
characters) beside `✗ FAILED` folded at the column's width wherever it fell (`…eu-west-1a.internal.payme` over
`nts.example.com`), a name no host has on either row. Now it breaks after the last dot or hyphen that fits, each row
whole parts of it, and the rows joined give the name back: findable, as the journal and the report name it.
"""

from __future__ import annotations

from rich.console import Console
from textual.theme import BUILTIN_THEMES

from runbook_tui.engine.state_model import HostState, StepState
from runbook_tui.ui.step_outcome import outcome_rest

NAMES = [f"web{n:02d}-frontend-production-eu-west-1a.internal.payments.example.com" for n in (1, 2)]


def _rows(width: int) -> list[str]:
    hosts = {name: HostState(status="failed", exit_code=3) for name in NAMES}
    step = StepState("push", status="failed", hosts=hosts)
    console = Console(width=width, record=True, color_system=None)
    for line in outcome_rest(step, BUILTIN_THEMES["textual-dark"]):
        console.print(line)
    return [row.rstrip() for row in console.export_text().splitlines()]


def test_a_long_host_name_breaks_after_a_dot_or_hyphen_and_reads_whole_across_its_rows() -> None:
    for width in (76, 60, 40):
        rows = _rows(width)
        names = [row.split("  ")[0] for row in rows]
        starts = [n for n, row in enumerate(rows) if row.startswith("web")]
        assert len(starts) == 2, rows
        for name, start, end in zip(NAMES, starts, [*starts[1:], len(rows)], strict=True):
            parts = [part.strip() for part in names[start:end]]
            assert "".join(parts) == name, (width, rows)  # whole: nothing cut, nothing added
            assert all(part.endswith((".", "-")) for part in parts[:-1]), (width, rows)  # each row whole labels
            assert "FAILED" in rows[start], rows


def test_a_name_that_fits_beside_its_status_takes_one_row_when_no_host_has_an_exit_code_or_error() -> None:
    """Stopped before their end (no exit code, the problem said above the table): at 80 columns (the pane's 77 cells)
    each 66-character name beside `✗ FAILED` on one row; empty exit and error columns took their padding and pushed
    every name onto two rows."""
    hosts = {name: HostState(status="failed") for name in NAMES}
    console = Console(width=77, record=True, color_system=None)
    for line in outcome_rest(StepState("push", status="failed", hosts=hosts), BUILTIN_THEMES["textual-dark"]):
        console.print(line)
    rows = [row.rstrip() for row in console.export_text().splitlines()]
    assert rows == [f"{name}  ✗ FAILED" for name in NAMES], rows
