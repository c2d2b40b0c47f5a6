"""A rollback to the checkpoint goes back past every step after it, so they run again: a `wait` too.

Before: a `wait:` step (nothing to undo, so not in the undo list) stood done after the rollback; the re-run went from
the re-done reload straight past the soak, never waited again for the change it was there to soak.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rules_helpers import ALICE, BOB, log, run_first_step

from runbook_tui.app.session import Session
from runbook_tui.engine.state import replay
from runbook_tui.ui.status_stack import statuses

STEPS = """
  - {id: backup, title: Backup, run: echo backup >> log, checkpoint: true, verify: none}
  - {id: reload, title: Reload, run: echo reload >> log, undo: echo undo-reload >> log}
  - {id: soak, title: Soak, wait: 0.1s, verify: none}
  - {id: once, title: Once, run: echo once >> log, verify: none}
  - {id: tail, title: Tail, run: echo tail >> log, undo: echo undo-tail >> log, verify: none}
  - {id: last, title: Last, run: echo last >> log, verify: none}
"""


def test_a_wait_the_rollback_went_back_past_is_waited_again(session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        await run_first_step(c)  # backup: the checkpoint
        await run_first_step(c)
        assert c.confirm(BOB).ok
        for _ in range(3):  # soak, once, tail
            await run_first_step(c)
        assert c.rollback(ALICE, "checkpoint", acknowledged=True).ok  # `once` has no undo: acknowledged, it stands
        await c.wait_idle()
        state = c.state
        assert (state.current, state.steps["soak"].status) == ("reload", "undone"), {k: v.status for k, v in state.steps.items()}
        rows = [status.text for status in statuses(state, dt.datetime.now(dt.UTC))]
        assert any("Rolled back to backup; 'reload' is next again" in row for row in rows), rows
        assert state.steps["once"].status == "done" and state.steps["once"].not_rolled_back, "its change stands, as the undo list said"
        await run_first_step(c)
        assert c.confirm(BOB).ok
        await c.wait_idle()
        assert c.state.current == "soak", f"the re-run went past the wait to {c.state.current!r}"
        rows = [status.text for status in statuses(c.state, dt.datetime.now(dt.UTC))]
        assert not any("is next again" in row for row in rows), f"the run went on since the rollback, the row still says so: {rows}"
        await run_first_step(c)
        assert c.state.steps["soak"].status == "done" and c.state.current == "tail", {k: v.status for k, v in c.state.steps.items()}

    session_for(STEPS)(body)
    events = journal_events(tmp_path / "journal.jsonl")
    assert [e["step"] for e in events if e["type"] == "step_started" and e["step"] == "soak"] == ["soak", "soak"], "waited twice"
    assert log(tmp_path) == ["backup", "reload", "once", "tail", "undo-tail", "undo-reload", "reload"]
    folded = replay(events)  # resume reads the same from the journal alone
    assert folded.current == "tail" and folded.steps["soak"].status == "done", {k: v.status for k, v in folded.steps.items()}
