"""The verifier's own hold and rollback request read as theirs on their own screen.

Walked in tmux at 80x24: bob pressed p, and his own status row read `HOLD asked: bob asks to hold; waiting for alice to
pause`, in the third person, where his other rows say `Your word on 'pre'`. Now bob reads `HOLD asked by you; waiting
for alice to pause` (and `ROLLBACK REQUESTED by you: …` for his request); the assignee reads the request with the keys
that answer it, and a second verifier, carol, reads who asked: the same row, made from the same facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import FakeClient, prepare_workdir, settled, shared_session_events, until
from textual.geometry import Region

from runbook_tui.engine import events as ev
from runbook_tui.engine.state import RunState, apply, hold_stands, request_stands
from runbook_tui.ui.status_stack import StatusStack, statuses
from runbook_tui.ui.verifier_app import VerifierApp

FROZEN = dt.datetime(2026, 3, 14, 2, 0, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    prepare_workdir(tmp_path, monkeypatch)
    yield tmp_path


def _asked(state: RunState, kind: str, actor: str, reason: str = "") -> RunState:
    return apply(state, {"type": kind, "seq": 9, "ts": "2026-03-14T02:00:00Z", "actor": actor, "reason": reason})


def _rows(widget: Any) -> str:
    width, height = widget.outer_size
    return "\n".join(strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, width, height)))


def test_each_reader_of_bobs_hold_and_request() -> None:
    base = FakeClient(shared_session_events(Path.cwd())).state
    assignee = str(base.session.get("assignee"))
    (hold,) = statuses(_asked(base, ev.HOLD_REQUESTED, "bob"), FROZEN)
    assert hold.read_by("bob", "verifier").words("verifier") == f"HOLD asked by you; waiting for {assignee} to pause"
    assert hold.read_by("carol", "verifier").words("verifier") == f"HOLD asked: bob asks to hold; waiting for {assignee} to pause"
    assert hold.read_by(assignee, "assignee").words("assignee") == "HOLD asked: bob asks to hold"
    (hold,) = statuses(_asked(base, ev.HOLD_REQUESTED, "bob", "replica lag 40s"), FROZEN)
    assert hold.read_by("bob", "verifier").words("verifier") == f"HOLD asked by you: replica lag 40s; waiting for {assignee} to pause"
    (request,) = statuses(_asked(base, ev.ROLLBACK_REQUESTED, "bob", "reload broke it"), FROZEN)
    mine = f"ROLLBACK REQUESTED by you: reload broke it; waiting for {assignee} to start it or decline it"
    assert request.read_by("bob", "verifier").words("verifier") == mine
    assert (
        request.read_by("carol", "verifier").words("verifier") == f"ROLLBACK REQUESTED: bob: reload broke it; waiting for {assignee} to start it or decline it"
    )
    assert request.read_by(assignee, "assignee").words("assignee") == "ROLLBACK REQUESTED: bob: reload broke it"
    (request,) = statuses(_asked(base, ev.ROLLBACK_REQUESTED, "bob"), FROZEN)
    assert request.read_by("bob", "verifier").words("verifier") == f"ROLLBACK REQUESTED by you; waiting for {assignee} to start it or decline it"


def test_the_refusals_of_a_second_hold_and_request_name_whose_they_are() -> None:
    """p and u while bob's own hold or request stands: the toast (the screen's, and the controller's for any client)."""
    base = FakeClient(shared_session_events(Path.cwd())).state
    assignee = str(base.session.get("assignee"))
    held = _asked(base, ev.HOLD_REQUESTED, "bob", "replica lag 40s")
    assert hold_stands(held, "bob") == f"your hold stands already (replica lag 40s): it waits for {assignee} to pause"
    assert hold_stands(held, "carol") == f"a hold asked stands already (bob: replica lag 40s): it waits for {assignee} to pause"
    assert hold_stands(_asked(base, ev.HOLD_REQUESTED, "bob"), "bob") == f"your hold stands already: it waits for {assignee} to pause"
    requested = _asked(base, ev.ROLLBACK_REQUESTED, "bob")
    assert request_stands(requested, "bob") == f"your rollback request stands: it waits for {assignee} to start it or decline it"
    assert request_stands(requested) == f"a rollback request stands (bob requests a rollback): it waits for {assignee} to start it or decline it"


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_bobs_own_hold_on_his_screen(size: tuple[int, int]) -> None:
    """On bob's own screen, at both sizes, painted: his hold in his words (the fake client joined as bob)."""
    client = FakeClient(shared_session_events(Path.cwd()))
    client.state = _asked(client.state, ev.HOLD_REQUESTED, "bob")
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: type(app.screen).__name__ == "VerifierScreen", "the verifier's screen")
        await settled(pilot)
        stack = app.screen.query_one(StatusStack)
        assignee = str(client.state.session.get("assignee"))
        await until(pilot, lambda: f"HOLD asked by you; waiting for {assignee} to pause" in _rows(stack), f"bob's own hold as his: {_rows(stack)}")
        assert "bob asks to hold" not in _rows(stack)


def _rejected(state: RunState, phase: str) -> RunState:
    """bob rejects the current step: after it ran (`phase` after), or its go-ahead before it ran (before)."""
    step = str(state.current)
    at = {"seq": 9, "ts": "2026-03-14T02:00:00Z", "step": step, "attempt": 1}
    if phase == "after":
        state = apply(state, {**at, "type": ev.STEP_STARTED, "actor": "alice", "hosts": ["local"], "phase": "run"})
        state = apply(state, {**at, "type": ev.STEP_FINISHED, "actor": "system", "status": "awaiting_verification", "hosts": {}})
    return apply(state, {**at, "type": ev.STEP_REJECTED, "actor": "bob", "phase": phase, "reason": "p99 doubled"})


@pytest.mark.parametrize(("phase", "words"), [("after", "REJECTED"), ("before", "GO-AHEAD REFUSED")])
def test_bobs_own_rejection_reads_as_his(phase: str, words: str) -> None:
    """Walked in tmux: after bob's x, his status row read `'manual' REJECTED by bob 11:46:04: …` where his hold reads
    `by you`; the assignee and a second verifier still read bob's name."""
    state = _rejected(FakeClient(shared_session_events(Path.cwd())).state, phase)
    (row,) = [status for status in statuses(state, FROZEN) if words in status.text]
    step = state.current
    assert row.read_by("bob", "verifier").words("verifier") == f"'{step}' {words} by you 02:00:00: p99 doubled"
    assert row.read_by("carol", "verifier").words("verifier") == f"'{step}' {words} by bob 02:00:00: p99 doubled"
    assert row.read_by("alice", "assignee").words("assignee") == f"'{step}' {words} by bob 02:00:00: p99 doubled"
