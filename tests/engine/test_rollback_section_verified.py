"""A rollback section's steps, run by a full rollback of a shared run, do not wait for the verifier's confirmation.

The rollback goes on from one to the next and the session ends ROLLED BACK; a step left "waiting for verifier" after
the end could never be confirmed (the verifier's `c` is refused on a finished session), and every screen, replay and
the report showed it waiting forever. They are done, recorded unconfirmed, as the undo commands before them are.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from runbook_tui.app.session import load, open_session
from runbook_tui.engine.controller import Actor
from runbook_tui.engine.journal import read_events

RUNBOOK = """\
runbook: 1
id: back
title: Back
sections:
  - id: impl
    kind: implement
    steps:
      - {id: one, run: "echo one", undo: "echo undo-one"}
      - {id: two, run: "echo two", undo: "echo undo-two"}
  - id: restore
    kind: rollback
    steps:
      - {id: restore, run: "echo restored"}
"""


def test_a_full_rollbacks_section_steps_end_done_not_waiting_for_the_verifier(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "none.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "none.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    path = tmp_path / "back.yaml"
    path.write_text(RUNBOOK, encoding="utf-8")
    bob = Actor("bob", "verifier")

    async def main() -> None:
        session = open_session(load(str(path), {}), journal=str(tmp_path / "j.jsonl"), verifier_in_process=True)
        controller, alice = session.controller, session.actor
        controller.run_current(alice)
        await controller.wait_idle()
        assert controller.confirm(bob, "one").ok
        assert controller.rollback(alice, "full", acknowledged=True, reason="abort the change").ok
        await controller.wait_idle()
        state = controller.state
        assert state.finished and state.outcome == "rolled_back", state.outcome
        assert state.steps["restore"].status == "done", state.steps["restore"].status
        await session.close()

    asyncio.run(main())
    [restore] = [e for e in read_events(tmp_path / "j.jsonl").events if e["type"] == "step_finished" and e["step"] == "restore"]
    assert restore["status"] == "done" and restore["verified"] is False, restore
