"""The detail pane names who decided and what they decided, whatever the step's status is now."""

from __future__ import annotations

from dataclasses import replace

from runbook_tui.engine.state_model import StepState
from runbook_tui.ui.widgets import _decision


def test_a_rejected_step_that_was_undone_still_says_who_rejected_it() -> None:
    """Seen in a walk: after bob's rejection and the rollback, the pane said "✓ go-ahead by bob"."""
    rejected = replace(
        StepState(id="rotate"), status="undone", reason="error rate up", decided_by="bob", decided_at="2026-12-02T01:50:52Z", decision="rejected"
    )
    assert _decision(rejected) == "✗ rejected by bob 01:50:52"


def test_confirmations_and_go_aheads_are_named_as_such() -> None:
    confirmed = replace(StepState(id="s"), status="done", confirmed_by="bob", decided_by="bob", decided_at="2026-12-02T02:13:05Z", decision="confirmed")
    go_ahead = replace(StepState(id="s"), status="pending", go_ahead_by="bob", decided_by="bob", decided_at="2026-12-02T02:10:00Z", decision="go-ahead")
    assert _decision(confirmed) == "✓ confirmed by bob 02:13:05"
    assert _decision(go_ahead) == "✓ go-ahead by bob 02:10:00"
