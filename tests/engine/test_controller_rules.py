"""The controller's rules as the assignee, the verifier and an observer meet them (real `sh` steps in tmp_path)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rules_helpers import ALICE, ALICE_AS_VERIFIER, BOB, EVE, TWO_STEPS, log, run_first_step, types_of, until

from runbook_tui.app.session import Session
from runbook_tui.engine.autopilot import drive
from runbook_tui.engine.controller import Actor

# -- the two-person rule --------------------------------------------------------------------


def test_the_assignee_is_the_operator_of_a_ticketed_run(session_for: Callable[..., Any]) -> None:
    async def body(s: Session) -> None:
        assert s.actor == ALICE
        assert s.controller.state.session["verifier"] == "bob"

    session_for(TWO_STEPS)(body)


def test_the_person_at_the_keyboard_acts_not_the_ticket_assignee(session_for: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """root runs alice's ticket: the journal names root as the actor and keeps alice as the planned assignee."""
    monkeypatch.delenv("RUNBOOK_TUI_USER")
    monkeypatch.setenv("LOGNAME", "root")

    async def body(s: Session) -> None:
        assert s.actor.name == "root"
        session = s.controller.state.session
        assert (session["assignee"], session["planned_assignee"], session["actor"]) == ("root", "alice", "root")
        assert s.controller.run_current(s.actor).ok
        await s.controller.wait_idle()
        assert s.controller.confirm(Actor("root", "verifier")).message.endswith("(two-person rule)")

    session_for(TWO_STEPS)(body)


def test_the_assignee_cannot_confirm_their_own_step(session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        await run_first_step(c)
        assert c.state.steps["a"].status == "awaiting_verification"
        reply = c.confirm(ALICE)
        assert not reply.ok
        assert "two-person rule" in reply.message
        assert c.state.steps["a"].status == "awaiting_verification"
        assert c.state.checkpoint is None

    session_for(TWO_STEPS)(body)
    assert types_of(journal_events, tmp_path, type="step_confirmed") == []
    assert types_of(journal_events, tmp_path, type="checkpoint_reached") == []


def test_a_verifier_with_the_assignees_name_is_refused_too(session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        await run_first_step(c)
        confirm = c.confirm(ALICE_AS_VERIFIER)
        assert not confirm.ok and "two-person rule" in confirm.message
        reject = c.reject(ALICE_AS_VERIFIER, "looks wrong to me")
        assert not reject.ok and "two-person rule" in reject.message
        assert c.state.steps["a"].status == "awaiting_verification"

    session_for(TWO_STEPS)(body)
    assert types_of(journal_events, tmp_path, type="step_confirmed") == []
    assert types_of(journal_events, tmp_path, type="step_rejected") == []


def test_only_the_assignee_runs_steps(session_for: Callable[..., Any], tmp_path: Path) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        for actor in (BOB, EVE):
            reply = c.run_current(actor)
            assert not reply.ok and "only the assignee" in reply.message
        await c.wait_idle()
        assert c.state.steps["a"].status == "pending"

    session_for(TWO_STEPS)(body)
    assert log(tmp_path) == []


# -- verification ---------------------------------------------------------------------------


def test_verify_after_waits_for_the_verifier_then_reaches_the_checkpoint(session_for: Callable[..., Any], tmp_path: Path,
                                                                         journal_events: Callable[..., Any]) -> None:  # fmt: skip
    async def body(s: Session) -> None:
        c = s.controller
        driver = asyncio.create_task(drive(c, ALICE))
        await until(lambda: c.state.steps["a"].status == "awaiting_verification", "step a to await verification")
        await asyncio.sleep(0.3)  # the driver must sit and wait, not move on
        assert c.state.steps["a"].status == "awaiting_verification"
        assert log(tmp_path) == ["a"]
        assert c.state.checkpoint is None
        waiting = c.run_current(ALICE)
        assert not waiting.ok and "waiting for the verifier" in waiting.message
        assert c.confirm(BOB).ok
        assert await asyncio.wait_for(driver, 5) == "done"
        assert c.state.steps["a"].confirmed_by == "bob" and c.state.steps["a"].verified is True

    session_for(TWO_STEPS)(body)
    assert log(tmp_path) == ["a", "b"]
    events = journal_events(tmp_path / "journal.jsonl")
    kinds = [(e["type"], e.get("step")) for e in events]
    finished_a = kinds.index(("step_finished", "a"))
    confirmed_a = kinds.index(("step_confirmed", "a"))
    checkpoint_a = kinds.index(("checkpoint_reached", "a"))
    started_b = kinds.index(("step_started", "b"))
    assert finished_a < confirmed_a < checkpoint_a < started_b
    assert events[finished_a]["status"] == "awaiting_verification"
    assert events[confirmed_a]["actor"] == "bob" and events[confirmed_a]["phase"] == "after"
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "done"


BEFORE = """\
- id: risky
  title: Risky step
  run: echo risky >> log
  undo: echo undo-risky >> log
  verify: before
"""


def test_verify_before_needs_a_go_ahead_before_running(session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        asked = c.run_current(ALICE)
        assert asked.ok and "go-ahead" in asked.message
        await c.wait_idle()
        await asyncio.sleep(0.1)  # a window for the wrong thing to happen: nothing may run
        assert log(tmp_path) == [], "nothing runs before the verifier's go-ahead"
        assert c.state.steps["risky"].status == "pending"
        c.run_current(ALICE)  # pressing enter again still does not run it
        await c.wait_idle()
        assert log(tmp_path) == []
        assert not c.confirm(ALICE).ok
        go = c.confirm(BOB)
        assert go.ok and "go-ahead" in go.message
        assert c.state.steps["risky"].go_ahead_by == "bob"
        assert c.run_current(ALICE).ok
        await c.wait_idle()
        assert c.state.steps["risky"].status == "done"

    session_for(BEFORE)(body)
    assert log(tmp_path) == ["risky"]
    kinds = [(e["type"], e.get("step"), e.get("phase")) for e in journal_events(tmp_path / "journal.jsonl")]
    assert kinds.index(("step_confirmed", "risky", "before")) < kinds.index(("step_started", "risky", "run"))
    assert kinds.count(("step_started", "risky", "run")) == 1


def test_a_rejection_stops_the_run_at_that_step_with_the_reason_in_the_journal(session_for: Callable[..., Any], tmp_path: Path,
                                                                                journal_events: Callable[..., Any]) -> None:  # fmt: skip
    async def body(s: Session) -> str:
        c = s.controller
        driver = asyncio.create_task(drive(c, ALICE))
        await until(lambda: c.state.steps["a"].status == "awaiting_verification", "step a to await verification")
        no_reason = c.reject(BOB, "   ")
        assert not no_reason.ok and "reason" in no_reason.message
        assert c.reject(BOB, "the diff shows the wrong file").ok
        outcome = await asyncio.wait_for(driver, 5)
        assert c.state.steps["a"].status == "rejected"
        assert c.state.steps["a"].reason == "the diff shows the wrong file"
        assert c.state.current == "a"
        # 'a' is a checkpoint, but a rejected one is not a safe point: rolling back to the last checkpoint undoes it
        # (before, it counted as reached, the list said nothing ran since, and 'a''s change stayed in place).
        plan = c.plan_rollback("checkpoint")
        assert plan.checkpoint_step is None
        assert [(e.step_id, e.command) for e in plan.entries] == [("a", "echo undo-a >> log")]
        return outcome

    assert session_for(TWO_STEPS)(body) == "failed"
    assert log(tmp_path) == ["a"], "nothing after the rejected step ran"
    [rejected] = types_of(journal_events, tmp_path, type="step_rejected")
    assert rejected["actor"] == "bob" and rejected["step"] == "a" and rejected["reason"] == "the diff shows the wrong file"
    assert types_of(journal_events, tmp_path, type="checkpoint_reached") == []
    assert types_of(journal_events, tmp_path, type="session_finished")[0]["outcome"] == "failed"


def test_x_before_a_verify_after_step_has_run_is_refused_with_what_is_waited_for(session_for: Callable[..., Any], tmp_path: Path,
                                                                                  journal_events: Callable[..., Any]) -> None:  # fmt: skip
    """Before: bob's x on 'a' (verify: after, not run yet) was journaled as a go-ahead refused, his screen said "it does
    not start", and alice's enter ran it at once. A step that asks no go-ahead has nothing to refuse before it ran: x is
    refused (and not offered), saying his word comes once it has run; p (hold) is the way to stop it starting."""

    async def body(s: Session) -> None:
        c = s.controller
        early = c.reject(BOB, "not while the DBA backs up")
        assert not early.ok, early
        assert early.message == "'a' has not run yet: your word on it comes once it has (c confirms or x rejects then); p asks to hold, u asks for a rollback"
        assert c.state.steps["a"].status == "pending"
        await run_first_step(c)
        assert c.state.steps["a"].status == "awaiting_verification"
        assert c.reject(BOB, "the diff shows the wrong file").ok, "once it has run, x rejects it"

    session_for(TWO_STEPS)(body)
    assert [e["phase"] for e in types_of(journal_events, tmp_path, type="step_rejected")] == ["after"], "no go-ahead refused was journaled"


def test_a_solo_run_records_every_step_unverified(session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]) -> None:
    async def body(s: Session) -> str:
        return await asyncio.wait_for(drive(s.controller, s.actor), 5)

    assert session_for(TWO_STEPS + BEFORE, solo="night shift, no second engineer")(body) == "done"
    assert log(tmp_path) == ["a", "b", "risky"]
    finished = types_of(journal_events, tmp_path, type="step_finished")
    assert [e["step"] for e in finished] == ["a", "b", "risky"]
    assert all(e["verified"] is False and e["status"] == "done" for e in finished)
    [started] = types_of(journal_events, tmp_path, type="session_started")
    assert started["solo"] == "night shift, no second engineer"
    assert started["verifier"] is None
    assert types_of(journal_events, tmp_path, type="step_confirmed") == []


def test_a_verifier_cannot_reject_a_failed_step_or_a_running_one(session_for: Callable[..., Any], tmp_path: Path,
                                                                 journal_events: Callable[..., Any]) -> None:  # fmt: skip
    """A failed step has stopped the run already: bob's `x` on it was journaled as `go-ahead refused`, the step turned
    REJECTED (the failure and its exit code gone from the status row) and enter re-ran it anyway. Now it is refused,
    saying what the verifier can do (u, n); a running step is refused naming it. A `verify: none` step is refused too:
    bob's x refused it a go-ahead it never needed, and the run stopped."""
    steps = """
      - id: free
        title: Free
        verify: none
        run: "true"
      - id: a
        title: A
        run: i=0; while [ ! -e go ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; exit 3
"""

    async def body(s: Session) -> None:
        c = s.controller
        free = c.reject(BOB, "not needed")
        assert not free.ok and free.message == "'free' needs no verifier's word (verify: none): nothing to reject; p asks to hold, u asks for a rollback"
        assert c.run_current(ALICE).ok
        await until(lambda: c.state.current == "a", "free to finish without a word")
        assert c.run_current(ALICE).ok
        await until(lambda: c.state.steps["a"].status == "running", "a to run")
        running = c.reject(BOB, "too early")
        assert not running.ok and running.message == "'a' is still running; ask to hold (p) or reject when it finished"
        (tmp_path / "go").touch()
        await c.wait_idle()
        assert c.state.steps["a"].status == "failed"
        failed = c.reject(BOB, "nope")
        assert not failed.ok, failed
        assert failed.message == "'a' failed: the run has stopped at it already; u asks the assignee to roll back, n adds a note"
        assert c.state.steps["a"].status == "failed"

    session_for(steps)(body)
    assert types_of(journal_events, tmp_path, type="step_rejected") == []


def test_a_verifier_cannot_reject_a_step_rejected_already(session_for: Callable[..., Any], tmp_path: Path,
                                                          journal_events: Callable[..., Any]) -> None:  # fmt: skip
    """bob rejected 'a' after it ran; a second x on it was journaled as a go-ahead refused (phase before), and every
    screen then called the step GO-AHEAD REFUSED, as if it had never run. Now it is refused, saying the run stands
    stopped at it; one rejection stays on the record, phase after."""
    steps = """
      - id: a
        title: A
        run: "true"
"""

    async def body(s: Session) -> None:
        c = s.controller
        assert c.run_current(ALICE).ok
        await c.wait_idle()
        assert c.reject(BOB, "wrong output").ok
        again = c.reject(BOB, "still wrong")
        assert not again.ok, again
        assert again.message == "'a' is rejected already: the run stands stopped at it until the assignee re-runs, skips or rolls back; n adds a note"
        assert c.state.steps["a"].status == "rejected" and c.state.steps["a"].decision == "rejected"

    session_for(steps)(body)
    assert [e["phase"] for e in types_of(journal_events, tmp_path, type="step_rejected")] == ["after"]


def test_x_on_a_failed_step_under_a_standing_rollback_request_says_the_request_waits(session_for: Callable[..., Any], tmp_path: Path,
                                                                                     journal_events: Callable[..., Any]) -> None:  # fmt: skip
    """Walked at 140x45: bob asked for a rollback of the failed 'a', then pressed x; he was told `u asks the assignee to
    roll back`, as if he had not asked already. The refusal says his request stands and waits for alice."""
    steps = """
      - id: a
        title: A
        run: exit 3
"""

    async def body(s: Session) -> None:
        c = s.controller
        await run_first_step(c)
        assert c.state.steps["a"].status == "failed"
        assert c.request_rollback(BOB, "reload broke it").ok
        refused = c.reject(BOB, "nope")
        assert not refused.ok, refused
        assert refused.message == (
            "'a' failed: the run has stopped at it already, and your rollback request stands (reload broke it): "  # bob's own
            "it waits for alice to start it or decline it; n adds a note"
        ), refused.message
        assert "u asks" not in refused.message

    session_for(steps)(body)
    assert types_of(journal_events, tmp_path, type="step_rejected") == []


@pytest.mark.parametrize("verify", ["after", "before"])
def test_a_step_rolled_back_to_its_checkpoint_has_nothing_to_reject(session_for: Callable[..., Any], tmp_path: Path,
                                                                    journal_events: Callable[..., Any], verify: str) -> None:  # fmt: skip
    """Walked at 140x45: after alice's `u`, `y` (back to the checkpoint), bob's footer offered `x reject` on the undone
    step next again; pressed, it turned `undone` into GO-AHEAD REFUSED, and enter re-ran it anyway (verify: after). A
    step rolled back is refused saying so; where its re-run needs bob's go-ahead (verify: before), x still refuses it."""
    steps = f"""
      - id: base
        title: Base
        run: "true"
        checkpoint: true
        verify: none
      - id: a
        title: A
        run: echo a
        undo: echo undo-a
        verify: {verify}
      - id: b
        title: B
        run: exit 3
        undo: echo undo-b
"""

    async def body(s: Session) -> None:
        c = s.controller
        await run_first_step(c)
        if verify == "before":
            assert c.confirm(BOB).ok  # the go-ahead
        await run_first_step(c)
        if verify == "after":
            assert c.confirm(BOB).ok
        await run_first_step(c)
        assert c.state.steps["b"].status == "failed"
        assert c.rollback(ALICE, "checkpoint", acknowledged=True).ok
        await c.wait_idle()
        assert c.state.current == "a" and c.state.steps["a"].status == "undone"
        answer = c.reject(BOB, "no")
        if verify == "before":  # the rollback voided the go-ahead: the re-run waits for a new one, and x refuses it
            assert answer.ok and c.state.steps["a"].decision == "go-ahead refused", answer
            return
        assert not answer.ok, answer
        assert answer.message == (
            "'a' was rolled back: nothing of it stands to reject; it waits for alice to run it again (then your word), p asks to hold, n adds a note"
        ), answer.message
        assert c.state.steps["a"].status == "undone"

    session_for(steps)(body)
    assert len(types_of(journal_events, tmp_path, type="step_rejected")) == (verify == "before")


def test_a_pause_is_said_once_in_the_refusal_and_the_resume_summary(session_for: Callable[..., Any]) -> None:
    """alice's bare p journals `paused by alice`: enter's refusal read `the run is paused (paused by alice)`, and the
    resume summary `The run is paused (paused by alice): ...`. The journal's reason stays; the words say it once."""
    from runbook_tui.app.resume_words import paused

    async def body(s: Session) -> None:
        c = s.controller
        assert c.pause(ALICE).ok
        assert c.state.pause_reason == "paused by alice", "the journal's reason is the contract's"
        refused = c.run_current(ALICE)
        assert not refused.ok and refused.message.startswith("the run is paused (by alice); lift the pause first"), refused.message
        said = paused(c.state, "J.jsonl")
        assert said[0].startswith("The run is paused (by alice): no step starts until a person lifts it"), said

    session_for(TWO_STEPS)(body)


def test_a_second_hold_asked_or_one_while_paused_is_refused_and_not_journaled(
    session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]
) -> None:
    """Before: the verifier's screen stopped offering p under a standing hold, but the controller took every press
    (a hostile or older client's too): each journaled another hold_requested, and one while paused asked a paused run to
    hold. The refusals are the screen's own words."""

    async def body(s: Session) -> None:
        c = s.controller
        assert c.request_hold(BOB, "checking the dashboards").ok
        again = c.request_hold(BOB, "still checking")
        assert not again.ok and again.message.startswith("your hold stands already (checking the dashboards): it waits for alice"), again
        assert c.pause(ALICE).ok
        paused = c.request_hold(BOB)
        assert not paused.ok and paused.message == "the run is paused already: the assignee resumes it with p", paused
        assert c.pause(ALICE).ok  # resumed: a new hold may be asked
        assert c.request_hold(BOB, "one more look").ok

    session_for(TWO_STEPS)(body)
    assert [e["reason"] for e in types_of(journal_events, tmp_path, type="hold_requested")] == ["checking the dashboards", "one more look"]


def test_a_second_rollback_request_or_one_during_a_rollback_is_refused_and_not_journaled(
    session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]
) -> None:
    """Before: the verifier's screen stopped offering u under a standing request, but the controller took every one (a
    hostile or older client's at 5 a second too): each journaled another rollback_requested, a line in everyone's log."""
    steps = """
      - {id: base, title: Base, run: "true", checkpoint: true, verify: none}
      - {id: a, title: A, run: "exit 3", undo: "while [ ! -e undo-may-end ]; do sleep 0.02; done"}
"""

    async def body(s: Session) -> None:
        c = s.controller
        await run_first_step(c)
        await run_first_step(c)
        assert c.state.steps["a"].status == "failed"
        assert c.request_rollback(BOB, "reload broke it").ok
        for _ in range(5):
            again = c.request_rollback(BOB, "again")
            assert not again.ok and again.message == ("your rollback request stands (reload broke it): it waits for alice to start it or decline it"), again
        assert c.rollback(ALICE, "checkpoint", acknowledged=True).ok
        await until(lambda: c.state.rollback is not None and c.state.rollback.running_step == "a", "the undo of 'a' running")
        during = c.request_rollback(BOB, "hurry")
        assert not during.ok and during.message.startswith("a rollback is under way already (checkpoint)"), during
        (tmp_path / "undo-may-end").touch()
        await c.wait_idle()
        assert c.state.current == "a" and c.state.steps["a"].status == "undone"
        assert c.request_rollback(BOB, "once more").ok, "the request was answered by the rollback: a new one may be asked"

    session_for(steps)(body)
    assert [e["reason"] for e in types_of(journal_events, tmp_path, type="rollback_requested")] == ["reload broke it", "once more"]


def test_a_hold_asked_is_answered_by_a_rollback_to_the_checkpoint_as_a_pause_is(session_for: Callable[..., Any]) -> None:
    """Before: bob asked to hold, alice rolled back to the checkpoint (which ends a pause), and `HOLD asked: bob: …` stood
    over the rolled-back run on every screen, with `p pause` offered to alice, and bob's p refused as 'a hold asked
    stands already', until alice paused and resumed for nothing. The rollback answers the hold; bob may ask again."""
    steps = """
      - {id: base, title: Base, run: "true", checkpoint: true, verify: none}
      - {id: a, title: A, run: "exit 3", undo: "true"}
"""

    async def body(s: Session) -> None:
        import datetime as dt

        from runbook_tui.ui.status_stack import statuses

        c = s.controller
        await run_first_step(c)
        await run_first_step(c)
        assert c.request_hold(BOB, "dashboards look odd").ok
        assert any(row.text.startswith("HOLD asked: bob: dashboards look odd") for row in statuses(c.state, dt.datetime.now(dt.UTC)))
        assert c.rollback(ALICE, "checkpoint", acknowledged=True).ok
        await c.wait_idle()
        assert c.state.current == "a" and c.state.steps["a"].status == "undone"
        assert c.state.hold_requested is None
        assert not [row.text for row in statuses(c.state, dt.datetime.now(dt.UTC)) if "HOLD" in row.text]
        assert c.request_hold(BOB, "before the re-run").ok

    session_for(steps)(body)
