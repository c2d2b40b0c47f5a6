"""After a rollback stopped at a failed undo, the verifier has no go-ahead to give: no forward step runs until that
rollback has finished (`u` goes on with it), so nothing waits for their word.

Before: 'c' (verify: before) undone, then 'b's undo failed: bob's footer offered `c confirm` and the controller journaled
his go-ahead for 'c', which the retry's `rollback_started` then voided: a word given for a step that could not run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rules_helpers import ALICE, BOB, run_first_step, types_of

from runbook_tui.app.session import Session
from runbook_tui.engine.state import confirmable

STEPS = """
- {id: base, title: Base, run: "true", checkpoint: true, verify: none}
- {id: b, title: B, run: echo b, undo: exit 4, verify: none}
- {id: c, title: C, run: exit 3, undo: echo undo-c, verify: before}
"""


def test_no_go_ahead_is_offered_or_taken_while_a_stopped_rollback_waits(
    session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]
) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        await run_first_step(c)
        await run_first_step(c)
        assert c.confirm(BOB).ok  # c's go-ahead
        await run_first_step(c)
        assert c.state.steps["c"].status == "failed"
        assert c.rollback(ALICE, "checkpoint", acknowledged=True).ok
        await c.wait_idle()
        state = c.state
        assert state.rollback is not None and state.rollback.failed_step == "b" and state.rollback_stopped, state.rollback
        assert state.current == "c" and state.steps["c"].status == "undone"
        assert confirmable(state) is None, "bob's footer offers no c"
        answer = c.confirm(BOB)
        assert not answer.ok, answer
        assert answer.message == "the rollback stopped at 'b': no forward step runs until it has finished, so no go-ahead is given until then", answer.message

    session_for(STEPS)(body)
    assert len(types_of(journal_events, tmp_path, type="step_confirmed", phase="before")) == 1, "only the go-ahead before the failure"
