"""Practice of a night that rolled back over nothing (a precheck failed first; `resume --rollback` then, as `exec
--on-failure rollback` itself did before session 30): the trainee can make the night's move.

The run screen's undo list says `Nothing to roll back` and offers no `y` there (a rollback of nothing, journaled and
reported as completed); in practice the night's own rollback is a decision the trainee is scored against, so `y` stays
offered, the list saying why.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from replay_helpers import text_of, until

from runbook_tui.app import practice
from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.ui.practice_screens import PracticeApp
from runbook_tui.ui.run_screen import RunScreen

RUNBOOK = """\
runbook: 1
id: precheck-fails
title: A precheck fails
sections:
  - id: pre
    title: Prechecks
    kind: precheck
    steps:
      - {id: look, title: Look around, run: "false"}
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: edit, title: Edit, run: echo edit, undo: echo undo-edit}
"""


async def empty_rollback_night() -> None:
    """night.jsonl as `exec --on-failure rollback` (then `resume --rollback`) wrote it before session 30: the look
    failed, a rollback of nothing, the run ROLLED BACK. Neither writes it now (they say `nothing to roll back`,
    tests/engine/test_resume_nothing_to_roll_back.py); the controller they drove still does, as they did."""
    night = open_session(load("r.yaml", {}), solo="night", journal="night.jsonl", settings=Settings())
    controller = night.controller
    assert controller.run_current(night.actor, acknowledged=True).ok
    await controller.wait_idle()
    assert controller.state.steps["look"].status == "failed"
    assert controller.rollback(night.actor, "checkpoint", acknowledged=True, reason="exec --on-failure rollback: 'look' failed").ok
    await controller.wait_idle()
    assert controller.finish(night.actor, "rolled_back").ok
    await night.close()


@pytest.mark.asyncio
async def test_the_trainee_can_roll_back_over_nothing_as_the_night_did(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.yaml").write_text(RUNBOOK, encoding="utf-8")
    await empty_rollback_night()
    monkeypatch.setenv("RUNBOOK_TUI_USER", "carol")
    run = practice.open_practice(str(tmp_path / "night.jsonl"), out_journal=str(tmp_path / "practice.jsonl"))
    controller = run.session.controller
    app = PracticeApp(run, out=str(tmp_path / "results.md"))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, RunScreen), pilot, "the run screen")
        await pilot.press("enter")
        await until(lambda: controller.state.steps["look"].status == "failed" and not controller.busy, pilot, "look to fail as on the night")
        await pilot.press("u")
        await until(lambda: type(app.screen).__name__ == "RollbackModal", pilot, "the undo list")
        said = " ".join(text_of(app.screen.query_one("#dialog-keys")).split())
        assert "Nothing to roll back" in said and "y start this rollback" in said, said
        await pilot.press("y")
        await until(lambda: controller.state.rollback is not None and controller.state.rollback.finished, pilot, "the trainee's rollback")
        await pilot.press("q")  # where exec ended the night: after its rollback
        await until(lambda: type(app.screen).__name__ == "PracticeResultsScreen", pilot, "the results")
    results = run.results()
    # it ended FAILED beside the night's ROLLED BACK: the run stood at the failed look, not at an undone step
    assert (results.night_ended, results.you_ended) == ("rolled_back", "rolled_back"), (results.night_ended, results.you_ended)
    rollbacks = [p for p in results.points if p.night is not None and p.night.kind == "roll back"]
    assert rollbacks and all(p.same for p in rollbacks), results.points
