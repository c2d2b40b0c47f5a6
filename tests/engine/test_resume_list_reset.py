"""`resume`'s list of steps says what a rollback made of each, as the screens and the report say it.

Walked: checkpoint 'backup', then 'edit' (undo), a wait 'soak', 'tweak' (no undo, acknowledged), a failure, `u y`,
then `q`. `runbook-tui resume J --headless` listed `undone soak` (nothing undid the wait: it is reset, it runs again)
and `done tweak` (the step list, the detail pane and the report say `ran; no undo, not rolled back`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rules_helpers import ALICE, run_first_step

from runbook_tui.app.resume_words import summary
from runbook_tui.app.session import Session
from runbook_tui.engine.state import replay

STEPS = """
  - {id: backup, title: Backup, run: echo backup >> log, checkpoint: true, verify: none}
  - {id: edit, title: Edit, run: echo edit >> log, undo: echo undo-edit >> log, verify: none}
  - {id: soak, title: Soak, wait: 0.1s, verify: none}
  - {id: tweak, title: Tweak, run: echo tweak >> log, verify: none}
  - {id: boom, title: Boom, run: "false", undo: echo undo-boom >> log, verify: none}
"""


def test_resume_lists_a_reset_step_and_one_not_rolled_back_in_the_screens_words(
    session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]
) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        for _ in range(5):
            await run_first_step(c)
        assert c.rollback(ALICE, "checkpoint", acknowledged=True).ok
        await c.wait_idle()

    session_for(STEPS)(body)
    said = summary(replay(journal_events(tmp_path / "journal.jsonl")), str(tmp_path / "journal.jsonl"), look=True)
    listed = {line.split()[-1]: " ".join(line.split()[:-1]) for line in said.splitlines() if line.startswith("  ")}
    assert listed == {
        "backup": "done",
        "edit": "undone",
        "soak": "reset: runs again",
        "tweak": "ran; no undo, not rolled back",
        "boom": "undone",
    }, said


def test_a_step_run_again_after_it_was_marked_done_reads_as_it_ran() -> None:
    """Marked done by hand, then undone and run again to its end (solo: no confirmation follows): the list says `done`,
    as the report does; the mark was about an earlier attempt."""
    from runbook_tui.engine.event_words import step_status_words
    from runbook_tui.engine.state_model import StepState

    marked = StepState("two", "done", started_at="2026-12-05T10:00:00.000Z", decision="marked done", decided_at="2026-12-05T10:05:00.000Z")
    assert step_status_words(marked) == "marked done"
    again = StepState("two", "done", started_at="2026-12-05T10:09:00.000Z", decision="marked done", decided_at="2026-12-05T10:05:00.000Z")
    assert step_status_words(again) == "done"
