"""The undo list names every step that runs again after the rollback, a failed check of the verify section too.

Walked at 140x45: 'edit' done, the verify section's 'health' done, its 'check' failed; `u` said "'look' (the check:
nothing to undo) is next again. With nothing to undo, not in the list, this runs again too: the check 'health'." The
failed 'check', which runs again once the run reaches it (it has nothing to undo, so no line of the list), was not
named: the person could not tell it would be run again.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, prepare_workdir, run_step, screen_is, settled, started

RUNBOOK = """\
runbook: 1
id: failed-check
title: A failed check runs again
sections:
  - id: pre
    title: Pre
    kind: precheck
    steps:
      - {id: look, title: Look first, run: echo ok}
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: edit, title: Edit, run: echo edit, undo: echo undo-edit}
  - id: ver
    title: Verify
    kind: verify
    steps:
      - {id: health, title: Health ok, run: echo fine}
      - {id: check, title: Check fails, run: "false"}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_the_undo_list_names_the_failed_check_that_runs_again(workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(workdir, monkeypatch, RUNBOOK)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await settled(pilot)
        for step in ("look", "edit", "health"):
            await run_step(pilot, step)
        await run_step(pilot, "check", "failed")
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        said = " ".join(painted(modal.query_one("#dialog-keys")).split())
        assert "'look' (the check: nothing to undo) is next again." in said, said
        assert "these run again too: the check 'health', the check 'check' (FAILED)." in said, said


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
async def test_a_changing_step_that_began_nowhere_is_not_called_a_check(workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    """An implement step with an undo on two hosts whose SSH connections were refused. Before: the undo list's foot said
    `this runs again too: the check 'edit' (FAILED)`, as if it were a look of a precheck or verify section."""
    from test_run_screen_skip_words import closed_port

    port = closed_port()
    hosts = f"hosts:\n  far:\n    - {{name: far1, address: 127.0.0.1, port: {port}}}\n    - {{name: far2, address: 127.0.0.1, port: {port}}}\n"
    text = RUNBOOK.replace("sections:\n", hosts + "sections:\n", 1).replace("{id: edit, title: Edit,", "{id: edit, title: Edit, on: far,")
    prepare_workdir(workdir, monkeypatch, text)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await settled(pilot)
        await run_step(pilot, "look")
        await run_step(pilot, "edit", "failed")
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        said = " ".join(painted(modal.query_one("#dialog-keys")).split())
        body = " ".join(painted(modal.query_one("#dialog-body")).split())
        assert "edit: nothing to undo on far1, far2: the command never started there" in body, body
        assert "this runs again too: the step 'edit' (FAILED)." in said, said
        assert "the check 'edit'" not in said, said
