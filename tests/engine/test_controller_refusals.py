"""The controller's refusals and structured answers: the assignee's own rules (skip needs a reason, a paused run,
confirm needs an acknowledgement) and what front ends are told (real `sh` steps in tmp_path)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rules_helpers import ALICE, BOB, EVE, TWO_STEPS, log, run_first_step, run_steps, types_of

from runbook_tui.app.session import Session
from runbook_tui.engine.autopilot import drive

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


@pytest.mark.forged_sequence  # the output emitted by hand stands for a runner's, of a step that never started
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
        await run_steps(c, 3)
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


def test_a_resume_mode_change_says_what_changed(session_for: Callable[..., Any], tmp_path: Path, journal_events: Callable[..., Any]) -> None:
    """`resume --share` of a run shared already journaled "shared from now on", as if nobody could have verified it
    before; it says "shared again". A solo run shared, and a shared run made solo, say "from now on"."""

    async def body(s: Session) -> None:
        c = s.controller
        c.change_mode(ALICE, solo=None, shared=True)  # shared since it started
        c.change_mode(ALICE, solo="bob went home", shared=False)
        c.change_mode(ALICE, solo=None, shared=True)

    session_for(TWO_STEPS)(body)
    reasons = [e["reason"] for e in types_of(journal_events, tmp_path, type="mode_changed")]
    assert reasons == ["shared again: a verifier may join", "solo from now on: bob went home", "shared from now on: a verifier may join"], reasons
