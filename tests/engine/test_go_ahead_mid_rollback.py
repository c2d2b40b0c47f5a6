"""No go-ahead while a rollback runs: it would agree to a command the rollback has not finished taking back.

Walked in tmux at 80x24: `cap` captures a lease, `use` (verify: before) runs `echo using {{ captured.lease }}`, `boom`
fails, alice rolls back to the checkpoint before `cap`. While `cap`'s undo ran, bob's footer offered `c go-ahead` (and
`x reject`) for `use`; his c was journaled as a go-ahead given at 13:54:22, after the rollback had voided the earlier
one. When the rollback ended, alice re-ran `cap` (a new lease) and the row offered `enter re-run` for `use`, on bob's
go-ahead for a command rendered from the old capture, given before `cap` had even been undone. The rollback voids every
go-ahead given before it (`_rollback_started`); now none can be given, nor refused, until it has ended.
Real `sh` steps in tmp_path (the `session_for` fixture: tests/engine/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rules_helpers import ALICE, BOB, log, until

from runbook_tui.app.session import Session
from runbook_tui.engine.event_order import sequence_problems
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.state import confirmable, nothing_to_reject
from runbook_tui.ui.verifier_screen import nothing_to_confirm

STEPS = """\
- id: base
  title: Safe point
  run: echo base >> log
  checkpoint: true
  verify: none
- id: cap
  title: Take a lease
  run: echo lease-42
  capture: lease
  undo: "echo undo-cap >> log; while [ ! -e go ]; do sleep 0.05; done"
  verify: none
- id: use
  title: Use the lease
  run: echo use {{ captured.lease }} >> log
  undo: echo undo-use >> log
  verify: before
- id: boom
  title: Fails
  run: "false"
  verify: none
"""


def test_no_go_ahead_is_given_or_refused_while_the_rollback_runs(session_for: Callable[..., Any], tmp_path: Path) -> None:
    async def body(s: Session) -> None:
        try:
            await walk(s)
        finally:  # the undo that waits for it ends, whatever failed (the session's close waits for it)
            (tmp_path / "go").touch()

    async def walk(s: Session) -> None:
        c = s.controller
        for _ in range(2):  # base, cap
            assert c.run_current(ALICE).ok
            await c.wait_idle()
        assert c.run_current(ALICE).ok  # asks for the go-ahead on `use`
        assert c.confirm(BOB).ok
        for _ in range(2):  # use, then boom fails
            assert c.run_current(ALICE).ok
            await c.wait_idle()
        assert c.state.steps["boom"].status == "failed"
        assert c.rollback(ALICE, "checkpoint", acknowledged=True, reason="boom failed").ok
        await until(lambda: "undo-cap" in log(tmp_path), "cap's undo to start (it waits for the file `go`)")
        assert c.state.current == "use" and c.state.steps["use"].status == "undone", (c.state.current, c.state.steps["use"].status)
        # the verifier's footer offers c and x by these rules (as the controller decides)
        assert confirmable(c.state) is None
        said = nothing_to_reject(c.state, "bob")
        assert said is not None and "rollback is under way" in said, said
        assert nothing_to_confirm(c.state, observe=False).startswith("a rollback is under way already (checkpoint)")  # c's words
        given = c.confirm(BOB)
        assert not given.ok and "rollback is under way" in given.message, given.message
        refused = c.reject(BOB, "not now")
        assert not refused.ok, refused.message
        (tmp_path / "go").touch()
        await c.wait_idle()
        assert c.state.rollback is not None and c.state.rollback.finished
        assert c.state.current == "cap"
        assert c.run_current(ALICE).ok  # cap again: a new capture
        await c.wait_idle()
        assert not c.state.steps["use"].has_go_ahead, "use waits for a go-ahead given on what it will run now"
        asked = c.run_current(ALICE)
        await c.wait_idle()
        assert asked.ok and "go-ahead" in asked.message, asked.message
        assert confirmable(c.state) == "before"

    session_for(STEPS, solo=None)(body)
    assert log(tmp_path) == ["base", "use lease-42", "undo-use", "undo-cap"], "use never ran again on the go-ahead given before"
    # A journal an earlier version wrote, with the go-ahead it took while the rollback ran, stays intact (journal verify,
    # report, resume): what it took is what happened.
    events = read_events(next(tmp_path.glob("**/*.jsonl"))).events
    at = next(i for i, e in enumerate(events) if e["type"] == "undo_started" and e["step"] == "cap") + 1
    taken = {**events[at], "type": "step_confirmed", "actor": "bob", "step": "use", "phase": "before", "attempt": 2}
    for key in ("hosts", "phase_of", "scope"):
        taken.pop(key, None)
    assert sequence_problems([*events[:at], taken, *events[at:]]) == []
