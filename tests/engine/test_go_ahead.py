"""A verifier's go-ahead holds for the run it agreed to, and no longer: a rejection or a rollback voids it.

Found in a walk: after the verifier refused the go-ahead they had given (or
rejected the outcome), the assignee's enter ran the step again on the old
go-ahead. Real `sh` steps in tmp_path, as in `test_controller_rules` (the `session_for` fixture: tests/engine/conftest.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rules_helpers import ALICE, BOB, log

from runbook_tui.app.resume_words import standing_go_ahead
from runbook_tui.app.session import Session
from runbook_tui.engine.controller import Controller
from runbook_tui.ui.status_stack import now_status, statuses
from runbook_tui.ui.step_outcome import _decision

BOTH = """\
- id: base
  title: Safe point
  run: echo base >> log
  checkpoint: true
  verify: none
- id: risky
  title: Risky step
  run: echo risky >> log
  undo: echo undo-risky >> log
  verify: both
- id: later
  title: Not run in these tests (the session stays open)
  run: echo later >> log
  verify: none
"""


async def go_ahead_for_risky(c: Controller) -> None:
    """Alice runs the safe point, asks for the go-ahead on `risky`; bob gives it."""
    assert c.run_current(ALICE).ok
    await c.wait_idle()
    asked = c.run_current(ALICE)
    assert asked.ok and "go-ahead" in asked.message, asked.message
    row = now_status(c.state, datetime.now(UTC))
    assert row.text.startswith("'risky' waits for bob's go-ahead (asked "), "the row says it was asked: nobody asks twice for want of knowing"
    assert row.keys == {"assignee": "enter ask go-ahead again", "verifier": "c go-ahead"}
    assert c.confirm(BOB).ok
    assert c.state.steps["risky"].has_go_ahead and not c.state.steps["risky"].go_ahead_asked


async def asks_again(c: Controller) -> None:
    """Alice's enter asks for a new go-ahead instead of running `risky`."""
    asked = c.run_current(ALICE)
    await c.wait_idle()
    assert asked.ok and "go-ahead" in asked.message, asked.message
    assert c.state.steps["risky"].status != "running"


def test_a_refused_go_ahead_voids_the_one_given_before(session_for: Callable[..., Any], tmp_path: Path) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        await go_ahead_for_risky(c)
        refused = c.reject(BOB, "wrong host list, hold on")  # bob changes his mind before alice runs it
        # What bob's screen says back, in the rows' words (it said `rejected 'risky': the run stops here` over a step
        # that never ran, while every screen's row said GO-AHEAD REFUSED).
        assert refused.ok and refused.message == "refused the go-ahead for 'risky': it does not start", refused.message
        assert not c.state.steps["risky"].has_go_ahead
        [row] = [s for s in statuses(c.state, datetime.now(UTC)) if "'risky' GO-AHEAD REFUSED by bob" in s.text]
        assert row.keys == {"assignee": "enter ask go-ahead · u roll back", "verifier": "c go-ahead"}, "the row offers no plain re-run"
        await asks_again(c)

    session_for(BOTH)(body)
    assert log(tmp_path) == ["base"], "the refused step never ran"


def test_a_rejected_outcome_needs_a_new_go_ahead_before_a_rerun(session_for: Callable[..., Any], tmp_path: Path) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        await go_ahead_for_risky(c)
        assert c.run_current(ALICE).ok
        await c.wait_idle()
        assert c.state.steps["risky"].status == "awaiting_verification"
        assert c.reject(BOB, "error rate went up").ok
        await asks_again(c)
        assert c.confirm(BOB).ok
        assert c.run_current(ALICE).ok
        await c.wait_idle()
        assert c.state.steps["risky"].attempts == 2

    session_for(BOTH)(body)
    assert log(tmp_path) == ["base", "risky", "risky"], "the rerun waited for bob's second go-ahead"


def test_a_rollback_voids_the_go_ahead_and_the_pane_says_so(session_for: Callable[..., Any], tmp_path: Path) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        await go_ahead_for_risky(c)
        assert c.run_current(ALICE).ok
        await c.wait_idle()
        assert c.confirm(BOB).ok  # the outcome is fine, then the change must go anyway
        assert c.rollback(ALICE, "checkpoint", acknowledged=True, reason="customer asked to revert").ok
        await c.wait_idle()
        risky = c.state.steps["risky"]
        assert risky.status == "undone" and not risky.has_go_ahead
        assert risky.go_ahead_by == "bob", "who gave it stays on the record (the report names him)"
        [row] = [s for s in statuses(c.state, datetime.now(UTC)) if s.text.startswith("Rolled back")]
        assert row.keys == {"assignee": "enter ask go-ahead · q quit", "verifier": "c go-ahead"}, "the row offers no plain run"
        await asks_again(c)

    session_for(BOTH)(body)
    assert log(tmp_path) == ["base", "risky", "undo-risky"], "nothing ran again after the rollback"


def test_the_pane_marks_a_void_go_ahead(session_for: Callable[..., Any]) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        await go_ahead_for_risky(c)
        assert _decision(c.state.steps["risky"]).startswith("✓ go-ahead by bob ")
        assert c.rollback(ALICE, "checkpoint", acknowledged=True, reason="not tonight").ok
        await c.wait_idle()
        assert _decision(c.state.steps["risky"]).endswith(", void since the rollback: ask again")

    session_for(BOTH)(body)


def test_the_resume_summary_says_when_the_go_ahead_was_given_as_a_clock_time(session_for: Callable[..., Any]) -> None:
    """Before: `'risky' has bob's go-ahead (given 2026-12-05T21:40:25.123Z)`, the one raw ISO time of the summary."""

    async def body(s: Session) -> None:
        c = s.controller
        await go_ahead_for_risky(c)
        [line] = standing_go_ahead(c.state, "risky")
        assert re.fullmatch(r"'risky' has bob's go-ahead \(given \d\d:\d\d:\d\d\); --continue runs it\.", line), line

    session_for(BOTH)(body)
