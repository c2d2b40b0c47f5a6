"""The run screen's status row over a `wait:` step the program was killed in: what the detail pane, resume's look and
the report say already (the wait had not ended; a wait runs nothing), not `outcome UNKNOWN (the program stopped while
it ran)`, the words for a command that may have changed a host. A journal from a real `exec` killed with SIGKILL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fault_helpers import exec_killed_in_wait, of_type, raw_events, run

from runbook_tui.engine.state import replay
from runbook_tui.ui.status_stack import statuses


def test_the_status_row_of_a_wait_cut_by_a_kill_says_the_wait_had_not_ended(tmp_path: Path) -> None:
    steps = [{"id": "a", "title": "Change", "run": "true", "undo": "true"}, {"id": "soak", "title": "Soak", "wait": "5m"}]
    journal = exec_killed_in_wait(tmp_path, steps)
    assert run(tmp_path, "resume", str(journal)).returncode == 1  # the look: the wait is found cut, the step unknown
    [started] = of_type(raw_events(journal), "step_started", step="soak")
    state = replay(raw_events(journal))  # as `resume` in a terminal, the verifier and replay fold it
    assert state.steps["soak"].status == "unknown"
    [row] = [s for s in statuses(state, dt.datetime.now(dt.UTC)) if "soak" in s.text]
    begun = started["ts"][11:19]  # the detail pane's words (the fold's problem), not a second wording
    assert row.text == f"'soak': the program stopped before this step (a wait of 5m, begun at {begun}) had ended: a wait runs nothing, so no host is in doubt"
    assert state.steps["soak"].problems == (row.text.removeprefix("'soak': "),), state.steps["soak"].problems
    assert "UNKNOWN" not in row.text and "while it ran" not in row.text
    assert row.keys == {"assignee": "enter re-run · d mark done · u roll back"}, row.keys
