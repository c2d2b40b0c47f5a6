"""The controller's rules as the assignee, the verifier and an observer meet them (real `sh` steps in tmp_path)."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from runbook_tui.app.session import Session
from runbook_tui.engine.autopilot import drive
from runbook_tui.engine.controller import Actor, Controller

ALICE = Actor("alice", "assignee")
BOB = Actor("bob", "verifier")
ALICE_AS_VERIFIER = Actor("alice", "verifier")
EVE = Actor("eve", "observer")

HEADER = """\
runbook: 1
id: rules-demo
title: Rules demo
ticket:
  id: CHG-1
  subject: Rules
  assignee: alice
  verifier: bob
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
"""


def runbook_text(steps: str) -> str:
    return HEADER + textwrap.indent(textwrap.dedent(steps), " " * 6)


TWO_STEPS = """\
- id: a
  title: Step a
  run: echo a >> log
  undo: echo undo-a >> log
  checkpoint: true
  verify: after
- id: b
  title: Step b
  run: echo b >> log
  verify: none
"""


@pytest.fixture
def session_for(tmp_path: Path, write_runbook: Callable[..., Path], open_local_session: Callable[..., Session],
                monkeypatch: pytest.MonkeyPatch) -> Callable[..., Callable[[Callable[[Session], Awaitable[Any]]], Any]]:  # fmt: skip
    """`session_for(steps_yaml, solo=None)(body)`: runs `await body(session)` in a fresh event loop, alice at the keyboard."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")

    def make(steps: str, solo: str | None = None) -> Callable[[Callable[[Session], Awaitable[Any]]], Any]:
        runbook = write_runbook(runbook_text(steps))

        def run(body: Callable[[Session], Awaitable[Any]]) -> Any:
            async def main() -> Any:
                session = open_local_session(runbook, solo=solo)
                try:
                    return await body(session)
                finally:
                    await session.controller.wait_idle()
                    await session.close()

            return asyncio.run(main())

        return run

    return make


def log(tmp_path: Path) -> list[str]:
    path = tmp_path / "log"
    return path.read_text().splitlines() if path.exists() else []


def types_of(journal_events: Callable[[Path], list[dict[str, Any]]], tmp_path: Path, **match: Any) -> list[dict[str, Any]]:
    return [e for e in journal_events(tmp_path / "journal.jsonl") if all(e.get(k) == v for k, v in match.items())]


async def until(predicate: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    end = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > end:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def run_first_step(c: Controller) -> None:
    assert c.run_current(ALICE).ok
    await c.wait_idle()


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


# -- the assignee's own rules ---------------------------------------------------------------


def test_skip_needs_a_reason(session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        for empty in ("", "   "):
            reply = c.skip(ALICE, empty)
            assert not reply.ok and "reason" in reply.message
        assert c.state.steps["a"].status == "pending"
        assert not c.skip(BOB, "not mine to skip").ok
        assert c.skip(ALICE, "done by hand during INC-42").ok
        assert c.state.steps["a"].status == "skipped"
        assert c.state.current == "b"

    session_for(TWO_STEPS)(body)
    [skipped] = types_of(journal_events, tmp_path, type="step_skipped")
    assert skipped["step"] == "a" and skipped["reason"] == "done by hand during INC-42" and skipped["actor"] == "alice"
    assert log(tmp_path) == []


def test_an_observer_cannot_add_notes(session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        reply = c.note(EVE, "I think this is fine")
        assert not reply.ok and "read-only" in reply.message
        assert c.note(BOB, "watching the dashboards").ok
        assert c.note(ALICE, "starting").ok
        assert not c.confirm(EVE).ok
        assert not c.pause(EVE).ok

    session_for(TWO_STEPS)(body)
    notes = types_of(journal_events, tmp_path, type="note")
    assert [(n["actor"], n["text"]) for n in notes] == [("bob", "watching the dashboards"), ("alice", "starting")]
    assert types_of(journal_events, tmp_path, type="paused") == []


def test_a_paused_run_refuses_to_run_the_next_step(session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        assert c.pause(ALICE, "DBA asked to wait").ok
        assert c.state.paused
        reply = c.run_current(ALICE)
        assert not reply.ok and "paused" in reply.message
        await c.wait_idle()
        assert log(tmp_path) == []
        assert await asyncio.wait_for(drive(c, ALICE), 5) == "paused", "the headless driver does not run through a pause either"
        assert log(tmp_path) == []
        assert not c.state.finished, "nor does it end the run: a person lifts the pause (before: `aborted`, the journal closed)"

    session_for(TWO_STEPS, solo="test")(body)
    assert types_of(journal_events, tmp_path, type="step_started") == []
    [paused] = types_of(journal_events, tmp_path, type="paused")
    assert paused["reason"] == "DBA asked to wait"


def test_resuming_a_paused_run_lets_the_next_step_run(session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        c.pause(ALICE, "hold")
        assert c.pause(ALICE).ok and not c.state.paused
        assert c.run_current(ALICE).ok
        await c.wait_idle()

    session_for(TWO_STEPS, solo="test")(body)
    assert log(tmp_path) == ["a"]
    assert [e["type"] for e in journal_events(tmp_path / "journal.jsonl")][1:5] == ["step_ready", "paused", "resumed", "step_started"]


CONFIRM = """\
- id: drop
  title: Drop the legacy table
  run: echo dropped >> log
  confirm: "This drops table {{ ticket.id }}_legacy; it cannot be undone"
  verify: none
"""


def test_a_step_with_confirm_refuses_without_acknowledgement(session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        reply = c.run_current(ALICE)
        assert not reply.ok
        assert "This drops table CHG-1_legacy; it cannot be undone" in reply.message
        await c.wait_idle()
        assert log(tmp_path) == []
        assert c.state.steps["drop"].status == "pending"
        assert c.run_current(ALICE, acknowledged=True).ok
        await c.wait_idle()
        assert c.state.steps["drop"].status == "done"

    session_for(CONFIRM)(body)
    assert log(tmp_path) == ["dropped"]
    assert len(types_of(journal_events, tmp_path, type="step_started", step="drop")) == 1


def test_the_assignee_cannot_skip_past_a_step_awaiting_the_verifier(session_for: Callable[..., Any], tmp_path: Path,
                                                                     journal_events: Callable[..., Any]) -> None:  # fmt: skip
    async def body(s: Session) -> None:
        c = s.controller
        await run_first_step(c)
        assert c.state.steps["a"].status == "awaiting_verification"
        reply = c.skip(ALICE, "the verifier is slow")
        assert not reply.ok
        assert c.state.steps["a"].status == "awaiting_verification"
        assert c.state.current == "a"

    session_for(TWO_STEPS)(body)
    assert types_of(journal_events, tmp_path, type="step_skipped") == []


# -- structured answers: front ends ask, they do not parse words ----------------------------


ACKNOWLEDGE_AND_ASK = """\
- id: drop
  title: Drop the old table
  run: echo drop >> log
  confirm: the old table is gone for good
- id: q
  title: Which way
  ask: left or right?
"""


def test_refusals_carry_a_kind_and_what_to_show(session_for: Callable[..., Any], tmp_path: Path) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        reply = c.run_current(ALICE)
        assert (reply.ok, reply.kind, reply.detail) == (False, "needs_acknowledgement", "the old table is gone for good")
        assert not (tmp_path / "log").exists(), "nothing runs before the acknowledgement"
        assert c.confirm(ALICE).kind == "rule"
        assert c.run_current(ALICE, acknowledged=True).ok
        await c.wait_idle()
        reply = c.run_current(ALICE)
        assert (reply.ok, reply.kind, reply.detail) == (False, "needs_answer", "left or right?")

    session_for(ACKNOWLEDGE_AND_ASK, solo="rules test")(body)


def test_the_allowed_intents_follow_the_state(session_for: Callable[..., Any]) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        assert c.allowed_intents() == {"run", "skip", "rollback", "pause"}
        assert c.pause(ALICE).ok
        assert c.allowed_intents() == {"skip", "rollback", "pause"}, "a paused run offers no run"
        assert c.pause(ALICE).ok
        await run_first_step(c)
        assert c.state.steps["a"].status == "awaiting_verification"
        assert c.allowed_intents() == {"rollback", "pause"}, "a step waiting for the verifier offers no run and no skip"
        assert c.confirm(BOB).ok
        await run_first_step(c)
        assert c.state.finished
        assert c.allowed_intents() == frozenset(), "a finished run offers nothing"

    session_for(TWO_STEPS)(body)


def test_a_pause_from_the_run_screen_is_acted_on_once_on_disk_and_in_the_journal_order(
    session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]
) -> None:
    """`pause_durably` (the run screen's p) awaits the decision's fsync with the event loop free: output emitted
    meanwhile waits behind it, listeners hear the events in the journal's order, the pause only once it is on disk."""

    async def body(s: Session) -> None:
        c = s.controller
        heard: list[tuple[str, bool, bool]] = []
        c.subscribe(lambda event, state: heard.append((event["type"], state.paused, c.journal.durable_seq >= event["seq"])))
        queued_before = c.journal.seq
        pausing = asyncio.create_task(c.pause_durably(ALICE, "DBA asked to wait"))
        for _ in range(100):  # until the pause is journaled (queued) and its fsync under way
            if c.journal.seq > queued_before:
                break
            await asyncio.sleep(0)
        else:
            raise AssertionError("the pause never reached the journal's queue")
        assert not c.state.paused, "applied before it was on disk"
        c.emit("output", "system", step="a", host="local", stream="stdout", text="meanwhile\n", phase="run")
        reply = await pausing
        assert reply.ok and c.state.paused
        assert [(kind, paused) for kind, paused, _ in heard[:2]] == [("paused", True), ("output", True)]
        assert heard[0][2], "the pause was applied before it was on disk"
        assert c.state.steps["a"].output[-1].text == "meanwhile"
        # p pressed twice at once: the second press sees the first one's resume and pauses again
        first, second = await asyncio.gather(c.pause_durably(ALICE), c.pause_durably(ALICE))
        assert (first.message, second.message) == ("resumed", "paused: no new step starts until you press p again")
        assert c.state.paused

    session_for(TWO_STEPS)(body)
    journal = types_of(journal_events, tmp_path)
    tail = [e["type"] for e in journal if e["type"] in ("paused", "resumed", "output")]
    assert tail == ["paused", "output", "resumed", "paused"], "the journal's order"


def test_no_forward_step_runs_or_is_skipped_while_a_rollback_stands_stopped(
    session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]
) -> None:
    """A failed undo stops the rollback half way: enter ran the failed step again on a half-undone change (seen at 80x24).

    Forward steps wait until `u` has finished the rollback; the keys are not offered and the refusal says why.
    """
    steps = """\
    - {id: a, title: Step a, run: echo a >> log, undo: echo undo-a >> log, checkpoint: true, verify: none}
    - {id: b, title: Step b, run: echo b >> log, undo: test -f fixed && echo undo-b >> log, verify: none}
    - {id: c, title: Step c, run: echo c >> log; exit 1, undo: echo undo-c >> log, verify: none}
    """

    async def body(s: Session) -> None:
        c = s.controller
        for _ in range(3):
            assert c.run_current(ALICE).ok
            await c.wait_idle()
        assert c.rollback(ALICE, "checkpoint", finish=False).ok
        await c.wait_idle()
        assert c.state.rollback is not None and c.state.rollback.failed_step == "b"
        assert not {"run", "skip"} & c.allowed_intents(), "run and skip are not offered while the rollback stands stopped"
        assert "rollback" in c.allowed_intents()
        for reply in (c.run_current(ALICE), c.skip(ALICE, "go on anyway")):
            assert not reply.ok and reply.message.startswith("the rollback stopped at 'b': u goes on with it"), reply
        (tmp_path / "fixed").touch()  # fixed by hand: u again finishes it
        assert c.rollback(ALICE, "checkpoint", finish=False).ok
        await c.wait_idle()
        assert c.state.rollback is not None and c.state.rollback.ok
        assert {"run", "skip"} <= c.allowed_intents()

    session_for(steps, solo="test")(body)
    assert log(tmp_path) == ["a", "b", "c", "undo-c", "undo-b"], "c never ran again; the retry undid only what was left"
    assert types_of(journal_events, tmp_path, type="step_skipped") == []
