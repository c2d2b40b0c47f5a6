"""The detail pane names who decided and what they decided, whatever the step's status is now."""

from __future__ import annotations

from dataclasses import replace

from runbook_tui.engine.state_model import StepState
from runbook_tui.ui.step_outcome import _decision


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


def test_a_verdict_on_an_earlier_attempt_says_so_while_the_new_one_waits() -> None:
    """Seen in a walk: after a rollback 'edit' ran again and waited for bob, and the pane said `✓ confirmed by bob` under
    `waiting for verifier`, as if the new attempt were confirmed; a go-ahead (given before its attempt) is as before."""
    confirmed = replace(StepState(id="edit"), decided_by="bob", decided_at="2026-12-02T02:13:05Z", decision="confirmed", attempts=2)
    waiting = replace(confirmed, status="awaiting_verification", started_at="2026-12-02T02:20:00Z")
    assert _decision(waiting) == "✓ confirmed by bob 02:13:05, on an earlier attempt"
    assert _decision(replace(waiting, status="done", decided_at="2026-12-02T02:21:00Z")) == "✓ confirmed by bob 02:21:00"
    go_ahead = replace(waiting, status="running", decision="go-ahead", go_ahead_by="bob", decided_at="2026-12-02T02:19:00Z")
    assert _decision(go_ahead) == "✓ go-ahead by bob 02:19:00"


def test_a_confirmation_a_rollback_undid_says_so() -> None:
    """Walked at 80x24 as the verifier: after the rollback to 'backup', 'edit' read `↶ undone` and under it
    `✓ confirmed by bob 21:52:09`, as if the confirmation stood; bob's go-ahead for the next attempt is asked anew."""
    confirmed = replace(StepState(id="edit"), decided_by="bob", decided_at="2026-12-04T21:52:09Z", decision="confirmed", attempts=1)
    assert _decision(replace(confirmed, status="undone")) == "✓ confirmed by bob 21:52:09, then undone by the rollback"
    assert _decision(replace(confirmed, status="done")) == "✓ confirmed by bob 21:52:09"


def test_a_step_the_program_skipped_names_the_program_not_a_person_called_system() -> None:
    """Every host of 'after' was left out (an earlier step failed on it): the program skipped it (actor `system`), and
    the detail pane read `↷ skipped by system`, as if someone called system had chosen to."""
    skipped = replace(StepState(id="after"), status="skipped", decided_by="system", decided_at="2026-12-05T11:15:59Z", decision="skipped")
    assert _decision(skipped) == "↷ skipped by the program 11:15:59"
