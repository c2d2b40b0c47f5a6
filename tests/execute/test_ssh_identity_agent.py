"""The ssh config's `IdentityAgent`, over real sshd and a real ssh-agent: the agent `ssh NAME` uses is the one used.

Before, only SSH_AUTH_SOCK was read: with `IdentityAgent ~/.1password/agent.sock` (a password manager's agent, the
usual way to hold keys on a laptop) a host `ssh NAME` logs in to refused every step here, and with `IdentityAgent none`
the keys of SSH_AUTH_SOCK's agent were still offered to a host the user had kept them from.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from peers import Sshd
from ssh_helpers import arun, cmd, run_one

from runbook_tui.engine.ports import Result
from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.runbook.model import Host, Mark

pytestmark = pytest.mark.peers

MARK = Mark("rb.yaml", 1, 1)


def _config(sshd: Sshd, tmp_path: Path, agent_line: str) -> Path:
    path = tmp_path / "ssh_config"
    path.write_text(f"Host db1\n  HostName 127.0.0.1\n  Port {sshd.port}\n  User {sshd.user}\n  UserKnownHostsFile {sshd.known_hosts}\n  {agent_line}\n")
    return path


def _run(config: Path, tmp_path: Path) -> Result:
    async def main() -> Result:
        ex = SshExecutor(remote_dir=str(tmp_path / "runs"), known_hosts=str(tmp_path / "trusts_nothing"), ssh_config=str(config), connect_timeout=10)
        try:
            result, _, _ = await run_one(ex, cmd(Host("db1", "db1", MARK), "true"))
        finally:
            await ex.close()
        return result

    return arun(main)


def _load(sshd: Sshd) -> None:
    subprocess.run(["ssh-add", "-q", str(sshd.client_key)], check=True, capture_output=True, timeout=10)


def test_the_agent_the_config_names_logs_in_without_ssh_auth_sock(sshd: Sshd, tmp_path: Path, agent: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _load(sshd)
    monkeypatch.delenv("SSH_AUTH_SOCK")
    result = _run(_config(sshd, tmp_path, f"IdentityAgent {agent}"), tmp_path)
    assert result == Result("ok", exit_code=0), result


def test_the_agent_named_through_an_environment_variable_logs_in(sshd: Sshd, tmp_path: Path, agent: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _load(sshd)
    monkeypatch.delenv("SSH_AUTH_SOCK")
    monkeypatch.setenv("PASSWORD_MANAGER_SOCK", str(agent))
    result = _run(_config(sshd, tmp_path, "IdentityAgent $PASSWORD_MANAGER_SOCK"), tmp_path)
    assert result == Result("ok", exit_code=0), result


def test_identity_agent_none_keeps_the_agents_keys_from_the_host(sshd: Sshd, tmp_path: Path, agent: Path) -> None:
    _load(sshd)
    result = _run(_config(sshd, tmp_path, "IdentityAgent none"), tmp_path)
    assert result.status == "error" and not result.started, result
    assert "IdentityAgent none" in (result.error or ""), result.error


def test_plan_says_which_agent_and_where_that_came_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from runbook_tui import cli

    config = tmp_path / "ssh_config"
    config.write_text("Host db1\n  IdentityAgent ~/.1password/agent.sock\nHost db2\n  IdentityAgent none\n")
    settings = tmp_path / "settings.yaml"
    settings.write_text(f"ssh: {{config: {config}}}\n")
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(settings))
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(
        "runbook: 1\nid: demo\ntitle: Demo\nhosts:\n  db: [{name: db1}, {name: db2}]\n"
        "sections:\n  - id: main\n    steps:\n      - {id: hello, run: echo hello, on: db}\n"
    )
    assert cli.main(["plan", str(runbook)]) == 0
    out = capsys.readouterr().out
    assert f"agent ~/.1password/agent.sock ({config})" in out and f"agent none ({config})" in out, out
    assert cli.main(["plan", "--json", str(runbook)]) == 0
    hops = json.loads(capsys.readouterr().out)["connections"]
    assert [(h[0]["agent"], h[0]["sources"]["agent"]) for h in (hops["db1"], hops["db2"])] == [
        ("~/.1password/agent.sock", str(config)),
        ("none", str(config)),
    ], hops
