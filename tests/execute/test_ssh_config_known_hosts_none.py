"""`UserKnownHostsFile none` in the ssh config: ssh then reads no user known_hosts file (the system's GlobalKnownHostsFile
alone), so it trusts no key the settings' file holds. With no system file there, the host is refused in words before any
connection, and `plan` says why; with one, it is checked against that file alone, as ssh checks it. Before: the settings'
known_hosts was used in its place (`plan` showed it, `(settings)`), and a key ssh would not trust there ran the step."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from peers import Sshd
from ssh_g import ssh_says
from ssh_helpers import arun, cmd, run_one

from runbook_tui.cli import main
from runbook_tui.engine.ports import Result
from runbook_tui.execute.ssh import SshExecutor

pytestmark = pytest.mark.peers


def _config(sshd: Sshd, tmp_path: Path) -> Path:
    """The system's file (`GlobalKnownHostsFile`) named, and not there: the machine's own /etc/ssh ones play no part."""
    config = tmp_path / "config"
    system = f"GlobalKnownHostsFile {tmp_path / 'ssh_known_hosts'}"
    config.write_text(f"Host db1\n  HostName 127.0.0.1\n  Port {sshd.port}\n  User {sshd.user}\n  UserKnownHostsFile none\n  {system}\n")
    return config


def _words(config: Path, known: Path) -> str:
    return (
        f"cannot use the ssh config {config}: it gives db1 `UserKnownHostsFile none`, and ssh then trusts no key of a known_hosts"
        f" file of yours, only the system's ({config.parent / 'ssh_known_hosts'}: none of them is there): no host key of db1 could"
        f" be checked. Name the file its key is in there, or remove that line to check it against the settings' {known}"
    )


def test_a_step_host_whose_config_says_none_is_refused_as_ssh_refuses_it(sshd: Sshd, tmp_path: Path) -> None:
    config = _config(sshd, tmp_path)
    assert ssh_says(config, "db1", "userknownhostsfile") == ["none"]
    argv = ["ssh", "-F", str(config), "-o", "BatchMode=yes", "-i", str(sshd.client_key), "db1", "true"]
    ssh = subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert ssh.returncode == 255 and "Host key verification failed" in ssh.stderr, ssh.stderr  # the settings' file holds the key

    async def go() -> Result:
        ex = SshExecutor(str(sshd.known_hosts), remote_dir=str(tmp_path / "runs"), ssh_config=str(config), connect_timeout=20)
        try:
            result, _, _ = await run_one(ex, cmd(sshd.host("db1", address="db1", port=22, user=None, given=frozenset({"identity"})), "touch ran"))
        finally:
            await ex.close()
        return result

    result = arun(go)
    assert result.status == "error" and not result.started, result
    assert result.error is not None and _words(config, sshd.known_hosts) in result.error, result.error
    assert not (tmp_path / "ran").exists()


def test_plan_says_why_it_cannot_check_the_key(sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(sshd, tmp_path)
    (tmp_path / "settings.yaml").write_text(f"ssh: {{config: {config}, known_hosts: {sshd.known_hosts}}}\n")
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "settings.yaml"))
    runbook = tmp_path / "rb.yaml"
    runbook.write_text("runbook: 1\nid: t\ntitle: t\nhosts:\n  g: [{name: db1}]\nsections:\n  - id: s\n    steps:\n      - {id: a, run: 'true', on: g}\n")
    assert main(["plan", str(runbook)]) == 0
    out = capsys.readouterr().out
    assert f"  db1: CANNOT RESOLVE: {_words(config, sshd.known_hosts)}" in out, out
    assert f"known_hosts {sshd.known_hosts}" not in out, out


def test_with_the_key_in_the_system_file_it_connects_as_ssh_does(sshd: Sshd, tmp_path: Path) -> None:
    config = _config(sshd, tmp_path)
    (tmp_path / "ssh_known_hosts").write_text(sshd.known_hosts.read_text())
    argv = ["ssh", "-F", str(config), "-o", "BatchMode=yes", "-i", str(sshd.client_key), "db1", "true"]
    ssh = subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert ssh.returncode == 0, ssh.stderr

    async def go() -> Result:
        ex = SshExecutor(str(tmp_path / "empty"), remote_dir=str(tmp_path / "runs"), ssh_config=str(config), connect_timeout=20)
        try:
            result, _, _ = await run_one(ex, cmd(sshd.host("db1", address="db1", port=22, user=None, given=frozenset({"identity"})), "touch ran"))
        finally:
            await ex.close()
        return result

    result = arun(go)
    assert result.status == "ok", result
