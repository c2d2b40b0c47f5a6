"""The metrics area's line for each success criterion, across a rollback (ui/panels.py `_summary`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from panel_states import NOW, state_for
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import Static

from runbook_tui.engine.state import RunState
from runbook_tui.ui.panels import PanelArea

APP_CSS = Path(__file__).resolve().parents[2] / "runbook_tui" / "ui" / "app.tcss"


class PanelsApp(App[None]):
    """The panel area alone, styled as on the run screen."""

    CSS_PATH = APP_CSS

    def __init__(self, state: RunState) -> None:
        super().__init__()
        self.state = state

    def compose(self) -> ComposeResult:
        yield PanelArea(lambda: self.state, clock=lambda: NOW, id="metrics")


@pytest.mark.asyncio
async def test_a_criterion_met_before_a_rollback_is_not_shown_met_after_it() -> None:
    """The verify section's check found `p99 below 250 ms` met; then the change was rolled back. Before: the metrics
    area went on reading `success: p99 below 250 ms within 10m ✓ met (185 ms)` through and after the rollback, a verdict
    on the change the rollback undid, before any check of the run as it stands now. Now it says it was not checked since
    the rollback, and a check after the rollback is shown again."""
    from runbook_tui.engine import events as ev
    from runbook_tui.engine.state import apply

    state = state_for("ok")
    criterion = {"panel": "p99", "below": 250, "within": 600, "text": "p99 below 250 ms within 10m"}

    def then(state: RunState, kind: str, **data: object) -> RunState:
        return apply(state, {"seq": state.seq + 1, "ts": "2026-11-23T02:01:30.000Z", "type": kind, "actor": "system", **data})

    state = then(state, ev.SUCCESS_CHECK_STARTED, when="verify", criteria=[criterion], until="2026-11-23T02:11:30.000Z")
    met = then(state, ev.SUCCESS_CHECKED, criterion=criterion, met=True, value=185.0, when="verify", words="p99 below 250 ms within 10m: met (185 ms)")
    rolled = then(met, ev.ROLLBACK_STARTED, scope="checkpoint", plan={}, acknowledged=True, reason="test")

    async def summary(state: RunState) -> str:
        app = PanelsApp(state)
        async with app.run_test(size=(140, 30)) as pilot:
            await pilot.pause()
            widget = app.query_one("#metrics-summary", Static)
            return " ".join(strip.text for strip in widget.render_lines(Region(0, 0, widget.size.width, widget.size.height)))

    assert "✓ met (185 ms)" in await summary(met)
    after = await summary(rolled)
    assert "✓ met" not in after and "p99 below 250 ms within 10m  not checked since the rollback" in after, after
    again = then(rolled, ev.SUCCESS_CHECKED, criterion=criterion, met=False, value=300.0, when="end", words="p99 below 250 ms within 10m: NOT met")
    assert "✗ NOT met" in await summary(again)
