"""A step on a group that failed: the detail pane lists each host's problem once, then the table of hosts by status.

Walked at 140x45: the problems (`✗ peer02: timed out after 2s`, `✗ peer03-down: <the connection's error>`) were
followed by a table whose rows said the same words again beside the status (`peer02  ⏱ TIMED OUT  timed out`,
`peer03-down  ✗ FAILED  <the error again>`): a long connection error twice in a pane of a 45-row screen. Against
aliases of the real sshd, one at a closed port.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from peers import Sshd, _free_port
from run_screen_helpers import painted, prepare_workdir, read_to_end, screen_is, settled, started, until

from runbook_tui.app.session import Session, load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.widgets import StepDetail

pytestmark = pytest.mark.peers


def _app(folder: Path, sshd: Sshd) -> RunbookApp:
    login = {"address": sshd.address, "port": sshd.port, "user": sshd.user, "identity": str(sshd.client_key)}
    hosts = [{"name": "peer01", **login}, {"name": "peer02", **login}, {"name": "peer03-down", **login, "port": _free_port()}]
    step = {"id": "push", "on": "fleet", "run": 'case "{{ host.name }}" in peer02) sleep 30;; esac', "undo": "true", "timeout": "2s"}
    doc = {"runbook": 1, "id": "said-once", "title": "said once", "hosts": {"fleet": hosts}, "sections": [{"id": "impl", "kind": "implement", "steps": [step]}]}
    path = folder / "runbook.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    loaded = load(str(path), {})

    def starter(override: str | None) -> Session:
        settings = Settings(known_hosts=str(sshd.known_hosts), ssh_config=None)
        return open_session(loaded, solo="ui test", journal="j.jsonl", override_window=override, settings=settings)

    return RunbookApp(starter)


@pytest.mark.asyncio
async def test_each_hosts_problem_is_said_once_above_the_table_of_hosts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sshd: Sshd) -> None:
    prepare_workdir(tmp_path, monkeypatch)
    app = _app(tmp_path, sshd)
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        await pilot.press("enter")
        if type(app.screen).__name__ != "RunScreen":  # the pane could not show every host's command: read it whole first
            await screen_is(pilot, "ConfirmPrompt")
            await read_to_end(pilot)
            await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["push"].status == "failed" and not controller.busy, "push to fail", seconds=60)
        await settled(pilot)
        error = controller.state.steps["push"].hosts["peer03-down"].error
        assert error, "the closed port's host has an error"
        lines = painted(app.screen.query_one(StepDetail)).splitlines()
        pane = " ".join(" ".join(lines).split())
        assert "✗ peer02: timed out after 2s" in pane and pane.count("timed out") == 1, pane
        assert pane.count(" ".join(error.split())[:40]) == 1, pane  # the connection's error, once
        rows = {line.split()[0]: " ".join(line.split()[1:]) for line in lines if line.split() and line.split()[0].startswith("peer")}
        assert rows == {"peer01": "✓ done exit 0", "peer02": "⏱ TIMED OUT", "peer03-down": "✗ FAILED"}, lines
