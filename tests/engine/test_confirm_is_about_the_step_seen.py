"""A verifier's confirmation is about the step they looked at: it never lands on the next one."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from runbook_tui.app.session import load, open_session
from runbook_tui.engine.controller import Actor

RUNBOOK = """\
runbook: 1
id: seen
title: Seen
sections:
  - id: impl
    kind: implement
    steps:
      - {id: one, run: "echo one", undo: "echo undo-one"}
      - {id: two, run: "echo two", undo: "echo undo-two"}
"""


def test_a_late_confirm_for_the_previous_step_does_not_confirm_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "none.yaml").touch()  # an empty settings file: the defaults (a named file that is missing is an error)
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "none.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    path = tmp_path / "seen.yaml"
    path.write_text(RUNBOOK, encoding="utf-8")
    bob = Actor("bob", "verifier")

    async def main() -> None:
        session = open_session(load(str(path), {}), journal=str(tmp_path / "j.jsonl"), verifier_in_process=True)
        controller, alice = session.controller, session.actor
        controller.run_current(alice)
        await controller.wait_idle()
        assert controller.confirm(bob, "one").ok
        controller.run_current(alice)
        await controller.wait_idle()
        assert controller.state.steps["two"].status == "awaiting_verification"
        retried = controller.confirm(bob, "one")  # the retry of a confirmation whose reply was lost
        assert not retried.ok and "'two'" in retried.message
        assert controller.state.steps["two"].status == "awaiting_verification"
        assert not controller.reject(bob, "late", "one").ok
        assert controller.confirm(bob, "two").ok
        await session.close()

    asyncio.run(main())
