"""The undo list after a rollback already undid a rollout that `max_fail` stopped: the hosts it never reached are not
said again. Walked at 140x45: after `u` `y` undid `reload` (done on web1, failed on web2, never run on web3), the next
`u` titled its list `…, 1 host left out (never started)` and ended `reload: nothing to undo on web3: the command never
started there`, of a run the first rollback had undone and no step had run again. Against aliases of the real sshd."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import painted, prepare_workdir, read_to_end, screen_is, settled, started, until
from test_rollback_left_out import aliases, app_for

from runbook_tui.engine.controller import Controller

pytestmark = pytest.mark.peers


async def _undo_list(pilot: object, controller: Controller) -> tuple[str, str]:
    await pilot.press("u")  # type: ignore[attr-defined]
    modal = await screen_is(pilot, "RollbackModal")  # type: ignore[arg-type]
    return " ".join(painted(modal.query_one("#dialog-title")).split()), " ".join(painted(modal.query_one("#dialog-body")).split())


@pytest.mark.asyncio
async def test_the_hosts_a_rollout_never_reached_are_not_left_out_again_once_it_is_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sshd: object
) -> None:
    prepare_workdir(tmp_path, monkeypatch)
    step = {"id": "roll", "on": "fleet", "run": 'case "{{ host.name }}" in peer02) exit 3;; esac', "undo": "true", "serial": 1}
    app = app_for(tmp_path, sshd, step, aliases(sshd, 3))  # type: ignore[arg-type]
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: controller.state.steps["mark"].status == "done" and not controller.busy, "the checkpoint")
        await settled(pilot)
        await pilot.press("enter")
        if type(app.screen).__name__ != "RunScreen":
            await screen_is(pilot, "ConfirmPrompt")
            await read_to_end(pilot)
            await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["roll"].status == "failed" and not controller.busy, "roll to fail")
        await settled(pilot)
        title, body = await _undo_list(pilot, controller)
        assert title.endswith("2 undo commands, 1 host left out (never started)"), title  # the first list says it
        assert "roll: nothing to undo on peer03: the command never started there" in body, body
        await read_to_end(pilot)
        await pilot.press("y")
        await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.finished and not controller.busy, "the rollback")
        await settled(pilot)
        title, body = await _undo_list(pilot, controller)
        assert "left out" not in title and "never started" not in body, (title, body)
        assert "Nothing to roll back" in body or "nothing to undo" in body, body
        await pilot.press("escape")
