"""The undo list (`u`) of a step on a group where some hosts never started the command: against aliases of the real
sshd, one of them at a closed port, and a rollout that `max_fail` stopped before its later hosts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from peers import Sshd, _free_port
from run_screen_helpers import painted, read_to_end, screen_is, settled, started, until

from runbook_tui.app.session import Session, load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.ui.app import RunbookApp

pytestmark = pytest.mark.peers

SMALL = (80, 24)


def app_for(folder: Path, sshd: Sshd, step: dict[str, Any], hosts: list[dict[str, Any]], *after: dict[str, Any]) -> RunbookApp:
    """The checkpoint `mark`, then `step` on `fleet` (`hosts`), then the steps `after` it."""
    doc = {
        "runbook": 1, "id": "left-out", "title": "left out", "hosts": {"fleet": hosts},
        "sections": [{"id": "impl", "kind": "implement", "steps": [{"id": "mark", "run": "true", "checkpoint": True}, step, *after]}],
    }  # fmt: skip
    path = folder / "runbook.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    loaded = load(str(path), {})

    def starter(override: str | None) -> Session:
        settings = Settings(known_hosts=str(sshd.known_hosts), ssh_config=None)
        return open_session(loaded, solo="ui test", journal="j.jsonl", override_window=override, settings=settings)

    return RunbookApp(starter)


def aliases(sshd: Sshd, n: int) -> list[dict[str, Any]]:
    return [{"name": f"peer{i:02d}", "address": sshd.address, "port": sshd.port, "user": sshd.user, "identity": str(sshd.client_key)} for i in range(1, n + 1)]


async def undo_list(app: RunbookApp, step: str, *, cut: bool = False) -> tuple[str, str]:
    """Run the checkpoint and `step` (which fails), press u: the list's title and body. `cut`: the pane cannot show the
    step's commands whole at 80x24 (one per host), so enter shows them whole first and y runs it, read to the end (test_read_first.py)."""
    async with app.run_test(size=SMALL) as pilot:
        controller = await started(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: controller.state.steps["mark"].status == "done" and not controller.busy, "the checkpoint")
        await settled(pilot)
        await pilot.press("enter")
        if cut:
            await screen_is(pilot, "ConfirmPrompt")
            await read_to_end(pilot)  # y counts once the last host's command has been in view
            await pilot.press("y")
        await until(pilot, lambda: controller.state.steps[step].status == "failed" and not controller.busy, f"{step} to fail")
        await settled(pilot)
        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        title, body = painted(modal.query_one("#dialog-title")), painted(modal.query_one("#dialog-body"))
        await pilot.press("escape")
        return " ".join(title.split()), " ".join(body.split())


@pytest.mark.asyncio
async def test_the_undo_list_says_which_hosts_it_leaves_out_because_the_command_never_started_there(workdir: Path, sshd: Sshd) -> None:
    """Before: `3 undo commands` for a step on 4 hosts, and nothing said why peer04-down had none."""
    down = {**aliases(sshd, 1)[0], "name": "peer04-down", "port": _free_port()}
    step = {"id": "push", "on": "fleet", "run": "echo pushed", "undo": "echo undone"}
    title, body = await undo_list(app_for(workdir, sshd, step, [*aliases(sshd, 3), down]), "push")
    assert title == "Roll back to the last checkpoint (mark): 3 undo commands, 1 host left out (never started)", title
    assert "push: nothing to undo on peer04-down: the command never started there" in body, body
    assert "on peer04-down echo" not in body  # no undo entry for it


@pytest.mark.asyncio
async def test_the_undo_list_of_a_rollout_stopped_by_max_fail_counts_the_hosts_never_run(workdir: Path, sshd: Sshd) -> None:
    step = {"id": "roll", "on": "fleet", "run": 'case "{{ host.name }}" in peer02) exit 3;; esac', "undo": "true", "serial": 1}
    title, body = await undo_list(app_for(workdir, sshd, step, aliases(sshd, 9)), "roll", cut=True)
    assert title == "Roll back to the last checkpoint (mark): 2 undo commands, 7 hosts left out (never started)", title
    assert "roll: nothing to undo on peer03, peer04, peer05, peer06, peer07, peer08 and 1 more: the command never started there" in body, body
