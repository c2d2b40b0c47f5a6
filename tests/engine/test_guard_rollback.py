"""A guard with `on_critical: rollback`: the engine pauses the run and asks for the rollback, whoever drives.

The trip is journaled as the metrics layer journals it (`guard_tripped` from
the system); real `sh` steps run in tmp_path. Exec takes the runbook's word
and rolls back; the run screen shows the undo list first (tests/metrics:
test_metric_panels, test_metric_guards_live).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from runbook_tui.app.session import Session
from runbook_tui.engine.autopilot import drive
from runbook_tui.engine.controller import SYSTEM

CHANGE = """\
    runbook: 1
    id: guarded
    title: Guarded change
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - {id: safe, title: Safe point, run: "echo safe >> log", checkpoint: true}
          - {id: edit, title: Edit, run: "echo edit >> log; touch started; while [ ! -e go ]; do sleep 0.05; done", undo: "echo undo-edit >> log"}
          - {id: next, title: Next, run: "echo next >> log"}
"""

TRIP = {"panel": "err", "value": 9.0, "threshold": 5.0, "for": 1.0, "action": "rollback", "words": "guard 'err' tripped: 9% above 5% for 1s -> rollback"}


async def _until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


@pytest.fixture
def guarded(
    tmp_path: Path, write_runbook: Callable[..., Path], open_local_session: Callable[..., Session], monkeypatch: pytest.MonkeyPatch
) -> Callable[[], Session]:
    """Opens the guarded change, solo, with its `log` and marker files in tmp_path (call inside the event loop)."""
    monkeypatch.chdir(tmp_path)
    runbook = write_runbook(CHANGE)
    return lambda: open_local_session(runbook, solo="guard test")


@pytest.mark.asyncio
async def test_a_trip_during_a_step_pauses_and_asks_for_the_rollback_nothing_else_runs(tmp_path: Path, guarded: Callable[[], Session]) -> None:
    session = guarded()
    controller = session.controller
    try:
        assert controller.run_current(session.actor).ok
        await controller.wait_idle()
        assert controller.run_current(session.actor).ok
        await _until(lambda: (tmp_path / "started").exists(), "the edit to start")
        controller.emit("guard_tripped", SYSTEM, **TRIP)
        assert controller.state.paused, "the trip pauses the run at once"
        assert "run" not in controller.allowed_intents(), "no key may start a step meanwhile"
        (tmp_path / "go").touch()
        await controller.wait_idle()
        state = controller.state
        assert state.rollback is None, "nothing is undone before someone has seen the undo list (or exec takes the runbook's word)"
        assert state.rollback_requested == TRIP["words"] + ": the guard asks to roll back to the last checkpoint"
        assert "run" not in controller.allowed_intents() and "rollback" in controller.allowed_intents()
        assert (tmp_path / "log").read_text().split() == ["safe", "edit"], "'next' never ran"
        assert controller.roll_back_for_guard(state.rollback_requested).ok
        await controller.wait_idle()
        rollback = controller.state.rollback
        assert rollback is not None and rollback.ok and rollback.scope == "checkpoint"
        assert (tmp_path / "log").read_text().split() == ["safe", "edit", "undo-edit"], "back to the checkpoint"
        started = next(e for e in _journal(session) if e["type"] == "rollback_started")
        assert started["actor"] == "system" and started["reason"].startswith("guard 'err' tripped")
        assert controller.state.rollback_requested is None and not controller.state.paused
        assert controller.state.current == "edit" and not controller.state.finished, "a person may run it again, or stop"
    finally:
        await session.close()


@pytest.mark.asyncio
async def test_exec_s_driver_stops_rolled_back_after_the_engine_s_rollback(tmp_path: Path, guarded: Callable[[], Session]) -> None:
    session = guarded()
    controller = session.controller

    async def trip_while_editing() -> None:
        await _until(lambda: (tmp_path / "started").exists(), "the edit to start")
        controller.emit("guard_tripped", SYSTEM, **TRIP)
        (tmp_path / "go").touch()

    try:
        tripping = asyncio.create_task(trip_while_editing())
        outcome = await drive(controller, session.actor)
        await tripping
        assert outcome == "rolled_back" and controller.state.outcome == "rolled_back"
        assert (tmp_path / "log").read_text().split() == ["safe", "edit", "undo-edit"]
        types = [e["type"] for e in _journal(session)]
        assert types.count("rollback_started") == 1, "one rollback, the driver's answer to the guard"
        # exec ends with the rollback: no step is announced "as it will run" after it (before: step_ready of 'edit')
        assert "step_ready" not in types[types.index("rollback_finished") :], types
    finally:
        await session.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("action", ["pause", "rollback"])
async def test_a_trip_during_the_last_step_keeps_the_session_open_until_a_person_decides(
    tmp_path: Path, write_runbook: Callable[..., Path], open_local_session: Callable[..., Session], monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    """Before: the last step ended after the trip and the session finished `done` (exec exit 0): the pause, or the
    rollback the guard asked for, was never seen by anyone."""
    monkeypatch.chdir(tmp_path)
    session = open_local_session(write_runbook(CHANGE.replace('          - {id: next, title: Next, run: "echo next >> log"}\n', "")), solo="guard test")
    controller = session.controller

    async def trip_while_editing() -> None:
        await _until(lambda: (tmp_path / "started").exists(), "the edit to start")
        controller.emit("guard_tripped", SYSTEM, **{**TRIP, "action": action})
        (tmp_path / "go").touch()

    try:
        tripping = asyncio.create_task(trip_while_editing())
        outcome = await drive(controller, session.actor)
        await tripping
        if action == "rollback":
            assert outcome == "rolled_back" and (tmp_path / "log").read_text().split() == ["safe", "edit", "undo-edit"]
            return
        assert outcome == "paused" and controller.state.paused and not controller.state.finished
        assert controller.state.steps["edit"].status == "done" and controller.state.current is None
        assert controller.pause(session.actor).ok, "p lifts the pause"
        await controller.wait_idle()
        assert controller.state.outcome == "done", "once the person lifts the pause, the run ends as its last step would have"
    finally:
        await session.close()


def _journal(session: Session) -> list[dict[str, object]]:
    session.flush()
    return [json.loads(line) for line in session.journal_path.read_text().splitlines()]


@pytest.mark.asyncio
async def test_a_guard_rollback_left_unanswered_by_a_dead_exec_is_carried_out_by_resume_continue(
    tmp_path: Path, guarded: Callable[[], Session], run_cli: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    """exec takes the runbook's `on_critical: rollback` as the decision when the guard trips; a process that died after the
    trip and its pause were on disk left the request unanswered. Before: `resume --continue` answered it as a verifier's
    request, by `--on-failure` (default stop): the session ended `failed`, the change left in place."""
    (tmp_path / "go").touch()
    session = guarded()
    controller = session.controller
    try:
        for _ in range(2):
            assert controller.run_current(session.actor).ok
            await controller.wait_idle()
        controller.emit("guard_tripped", SYSTEM, **TRIP)
        assert controller.state.paused and controller.state.rollback is None
    finally:
        await session.close()
    looked = run_cli("resume", str(session.journal_path), "--headless")
    assert "--continue rolls back to the last checkpoint" in looked.stdout, looked.stdout
    went = run_cli("resume", str(session.journal_path), "--continue")
    assert went.returncode == 1 and "session_finished   outcome ROLLED BACK" in went.stdout, went.stdout + went.stderr
    assert (tmp_path / "log").read_text().split() == ["safe", "edit", "undo-edit"], "back to the checkpoint; 'next' never ran"
    started = next(e for e in _journal(session) if e["type"] == "rollback_started")
    assert started["actor"] == "system" and started["reason"].startswith("guard 'err' tripped")
