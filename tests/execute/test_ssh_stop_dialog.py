"""`k`'s dialog on a group step over real SSH says where the step still runs, not where it started.

Before: with one host of five still running (the others had ended, no event says so until the step or wave ends),
the dialog read `'roll' is running on 5 hosts (peer01, ..., peer05)`: the assignee weighing a stop could not tell
that four had finished.
"""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from peers import Sshd
from rich.console import Console

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.ui.stop_key import stop_dialog_body
from tests.engine.rules_helpers import until

pytestmark = pytest.mark.peers

ALIASES = [f"peer{i:02d}" for i in range(1, 6)]


def text_of(body: Any) -> str:
    console = Console(record=True, width=400, file=io.StringIO())
    console.print(body)
    return " ".join(console.export_text().split())


def test_the_stop_dialog_counts_the_hosts_still_running_and_those_that_ended(tmp_path: Path, sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    hosts = [{"name": name, "address": sshd.address, "port": sshd.port, "user": sshd.user, "identity": str(sshd.client_key)} for name in ALIASES]
    command = 'case "{{ host.name }}" in peer03) echo slow one started; sleep 30;; esac; echo ok'
    step = {"id": "roll", "run": command, "on": "fleet", "verify": "none"}
    doc = {"runbook": 1, "id": "stopdialog", "title": "Stop dialog", "hosts": {"fleet": hosts}, "sections": [{"id": "impl", "steps": [step]}]}
    path = tmp_path / "rb.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    journal = tmp_path / "j.jsonl"

    async def main() -> tuple[str, str]:
        settings = Settings(known_hosts=str(sshd.known_hosts), ssh_config=None)
        session = open_session(load(str(path), {}), journal=str(journal), settings=settings, verifier_in_process=True)
        controller = session.controller
        try:
            controller.run_current(session.actor)
            ended = [h for h in ALIASES if h != "peer03"]
            await until(lambda: sorted(h for h, p in controller.live_hosts[1].items() if p == "ended") == ended, "four hosts to end", timeout=30)
            assert controller.state.steps["roll"].status == "running"
            live = text_of(stop_dialog_body(controller.state, "roll", "run", controller.live_hosts))
            as_journaled = text_of(stop_dialog_body(controller.state, "roll", "run"))  # no live word: another process ran it
            assert controller.stop_step(session.actor).ok
            await controller.wait_idle()
            return live, as_journaled
        finally:
            await session.close()

    live, as_journaled = asyncio.run(main())
    assert "'roll' is running on peer03; 4 have ended." in live, live
    # each host's end is journaled as it comes (`host_finished`): a verifier's dialog (another process) says it too
    assert "'roll' is running on peer03; 4 have ended." in as_journaled, as_journaled  # it read: running on 5 hosts
    events = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines() if line.strip()]
    [finished] = [e for e in events if e["type"] == "step_finished"]
    assert finished["hosts"]["peer03"]["error"] == "stopped by alice", finished["hosts"]
