"""A value written to a file run later in the step's folder on a host over real SSH: `cwd:` from a capture (`~/.ssh`).

The folder is known only as the step runs, so `validate` cannot read it; the command ran in the remote folder and
`echo "{{ line }}" >> rc` wrote `$(touch F)` to ~/.ssh/rc, which sshd runs with sh at the next login. The step now fails
before the command starts on the host, saying why, and the file is never written. (Session 33 wrote `.bashrc` here; a
`.bashrc` is refused at validate now, in any folder.)
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from peers import Sshd
from waiting import until

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings

pytestmark = pytest.mark.peers


def test_a_value_for_the_remote_ssh_rc_is_refused_before_the_command_starts(tmp_path: Path, sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.setenv("SHELL", "/bin/sh")
    host = {"name": "web1", "address": sshd.address, "port": sshd.port, "user": sshd.user, "identity": str(sshd.client_key)}
    marker = tmp_path / "marker"
    steps = [
        {"id": "where", "run": "echo '~/.ssh'", "capture": "home", "verify": "none"},
        {"id": "rc", "on": "web1", "cwd": "{{ captured.home }}", "run": f'echo "{{{{ line }}}}" >> rc; echo ran > {marker}', "verify": "none"},
    ]
    doc = {
        "runbook": 1,
        "id": "r",
        "title": "T",
        "params": {"line": {"type": "string"}},
        "hosts": {"web": [host]},
        "sections": [{"id": "impl", "steps": steps}],
    }
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    loaded = load(str(path), {"line": f"$(touch {tmp_path / 'made'})"})

    async def main() -> None:
        session = open_session(loaded, journal=str(tmp_path / "j.jsonl"), solo="test", settings=Settings(known_hosts=str(sshd.known_hosts), ssh_config=None))
        controller, alice = session.controller, session.actor
        try:
            controller.run_current(alice)
            await until(lambda: controller.state.steps["where"].status == "done", "the capture step done", timeout=60)
            await controller.wait_idle()
            controller.run_current(alice)
            await until(lambda: controller.state.steps["rc"].status in ("done", "failed"), "the rc step ended", timeout=60)
            await controller.wait_idle()
            assert controller.state.steps["rc"].status == "failed"
            error = controller.state.steps["rc"].hosts["web1"].error or ""
            assert "is code to sshd" in error and "give the parameter a pattern" in error, error
        finally:
            await session.close()

    asyncio.run(main())
    assert not marker.exists(), "the command ran on the host"
