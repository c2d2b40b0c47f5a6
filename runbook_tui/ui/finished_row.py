"""A finished run's last status row (the run screen, the verifier's, replay): its outcome and who ended it, as the
report's Outcome says them, and shorter words for a narrow screen where the who-part gives way, never the outcome."""

from __future__ import annotations

from runbook_tui.engine.outcome_words import ended_by, ended_by_short, outcome_said
from runbook_tui.engine.state import RunState
from runbook_tui.ui.status_model import Status

#: What the finished row says after the outcome, while there is room.
JOURNAL_WORDS = ". The journal has everything"


def finished_row(state: RunState) -> Status:
    """`Session finished: ROLLED BACK to the last checkpoint (a) (by exec, run by alice). The journal has everything`;
    at 80 columns `… (a) (by exec)`, on one row (it said no who at all, where the report and exec's last line did)."""
    tone = "error" if state.outcome != "done" else "warning" if state.criteria_unmet else "success"
    head, short = f"Session finished: {outcome_said(state)}", ended_by_short(state)
    keys = {"assignee": "q quit", "verifier": "q leave", "watching": "q leave"}
    return Status(f"{head}{ended_by(state)}{JOURNAL_WORDS}", tone, keys, shorter=(f"{head}{short}{JOURNAL_WORDS}", f"{head}{short}"))
