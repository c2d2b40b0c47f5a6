"""The system's known_hosts files, read as ssh reads them: `GlobalKnownHostsFile` (by default /etc/ssh/ssh_known_hosts
and /etc/ssh/ssh_known_hosts2) beside the user's file, a key listed there trusted, a key `@revoked` there refused.

The real `ssh` against the same sshd is the judge. Before: never read; a host whose key the site ships in
/etc/ssh/ssh_known_hosts was refused, and a key the site revoked there still ran the step (a stolen key trusted).
"""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest
from peers import Sshd, public_line
from ssh_g import ssh_says
from ssh_helpers import arun, cmd, run_one

from runbook_tui.app.preflight_hosts import host_findings
from runbook_tui.app.settings import Settings
from runbook_tui.engine.ports import Result
from runbook_tui.execute import ssh_config
from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.runbook.loader import load_text

pytestmark = pytest.mark.peers


def _config(sshd: Sshd, tmp_path: Path, known: Path, global_line: str) -> Path:
    config = tmp_path / "config"
    config.write_text(
        f"Host db1\n  HostName localhost\n  Port {sshd.port}\n  User {sshd.user}\n  IdentityFile {sshd.client_key}\n"
        f"  UserKnownHostsFile {known}\n  {global_line}\n"
    )
    return config


def _ssh(config: Path) -> subprocess.CompletedProcess[str]:
    argv = ["ssh", "-F", str(config), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "db1", "true"]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def _run(sshd: Sshd, tmp_path: Path, config: Path | None, known: Path) -> Result:
    async def go() -> Result:
        ex = SshExecutor(str(known), remote_dir=str(tmp_path / "runs"), ssh_config=str(config) if config else None, connect_timeout=20)
        try:
            host = sshd.host("db1", address="db1", port=22, user=None, identity=None, given=frozenset())
            if config is None:
                host = sshd.host("db1", address="localhost")
            result, _, _ = await run_one(ex, cmd(host, f"touch {tmp_path / 'ran'}"))
        finally:
            await ex.close()
        return result

    return arun(go)


def test_a_host_known_only_in_the_global_file_connects_as_ssh_connects(sshd: Sshd, tmp_path: Path) -> None:
    known, system = tmp_path / "known_hosts", tmp_path / "ssh_known_hosts"
    known.write_text("")
    system.write_text(f"[localhost]:{sshd.port} {public_line(sshd.host_key)}\n")
    config = _config(sshd, tmp_path, known, f"GlobalKnownHostsFile {tmp_path / 'nowhere'} {system}")
    assert ssh_says(config, "db1", "globalknownhostsfile") == [f"{tmp_path / 'nowhere'} {system}"]
    ssh = _ssh(config)
    assert ssh.returncode == 0, ssh.stderr
    result = _run(sshd, tmp_path, config, known)
    assert result.status == "ok", result
    assert (tmp_path / "ran").exists()


def test_a_key_revoked_in_the_global_file_is_refused_as_ssh_refuses_it(sshd: Sshd, tmp_path: Path) -> None:
    known, system = tmp_path / "known_hosts", tmp_path / "ssh_known_hosts"
    known.write_text(f"[localhost]:{sshd.port} {public_line(sshd.host_key)}\n")
    system.write_text(f"# stolen\n@revoked * {public_line(sshd.host_key)}\n")
    config = _config(sshd, tmp_path, known, f"GlobalKnownHostsFile {system}")
    ssh = _ssh(config)
    assert ssh.returncode == 255 and "REVOKED HOST KEY DETECTED" in ssh.stderr, ssh.stderr
    result = _run(sshd, tmp_path, config, known)
    assert result.status == "error" and result.final and not result.started, result
    assert result.error is not None and "REVOKED HOST KEY DETECTED" in result.error and f"revoked in {system}:2" in result.error, result.error
    assert not (tmp_path / "ran").exists()


def test_without_a_config_the_default_global_files_are_read(sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No ssh config at all: ssh still reads /etc/ssh/ssh_known_hosts (here a stand-in for it, the real one being the machine's)."""
    done = subprocess.run(["ssh", "-G", "-F", "/dev/null", "db1"], capture_output=True, text=True, timeout=30, check=True)
    assert "globalknownhostsfile /etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2" in done.stdout.splitlines()
    assert ssh_config.GLOBAL_KNOWN_HOSTS == ("/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2")
    known, system = tmp_path / "known_hosts", tmp_path / "ssh_known_hosts"
    known.write_text(f"[localhost]:{sshd.port} {public_line(sshd.host_key)}\n")
    system.write_text(f"@revoked [localhost]:{sshd.port} {public_line(sshd.host_key)}\n")
    monkeypatch.setattr(ssh_config, "GLOBAL_KNOWN_HOSTS", (str(system),))
    result = _run(sshd, tmp_path, None, known)
    assert result.status == "error" and result.error is not None and "REVOKED HOST KEY DETECTED" in result.error, result
    assert not (tmp_path / "ran").exists()


def test_plan_names_the_system_files_read_and_where_they_came_from(sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    known, system = tmp_path / "known_hosts", tmp_path / "ssh_known_hosts"
    system.write_text("")
    config = _config(sshd, tmp_path, known, f"GlobalKnownHostsFile {tmp_path / 'nowhere'} {system}")
    resolver = ssh_config.SshConfigResolver(str(config), str(known))
    said = resolver.endpoint(sshd.host("db1", address="db1", port=22, user=None, identity=None, given=frozenset())).describe()
    assert f"known_hosts {known} ({config}); system known_hosts {system} ({config})" in said, said  # the missing one is not read
    monkeypatch.setattr(ssh_config, "GLOBAL_KNOWN_HOSTS", (str(system),))
    said = ssh_config.SshConfigResolver(None, str(known)).endpoint(sshd.host("db1")).describe()
    assert f"system known_hosts {system} (default)" in said, said
    monkeypatch.setattr(ssh_config, "GLOBAL_KNOWN_HOSTS", (str(tmp_path / "nowhere"),))
    assert "system known_hosts" not in ssh_config.SshConfigResolver(None, str(known)).endpoint(sshd.host("db1")).describe()


def test_preflight_names_the_file_the_key_is_revoked_in(sshd: Sshd, tmp_path: Path) -> None:
    """Before: `tell its owner that it offers a key revoked in ~/.ssh/known_hosts` (the user's file, which trusts it)."""
    known, system = tmp_path / "known_hosts", tmp_path / "ssh_known_hosts"
    known.write_text(f"[localhost]:{sshd.port} {public_line(sshd.host_key)}\n")
    system.write_text(f"@revoked * {public_line(sshd.host_key)}\n")
    config = _config(sshd, tmp_path, known, f"GlobalKnownHostsFile {system}")
    text = "runbook: 1\nid: r\ntitle: R\nhosts:\n  db: [{name: db1}]\nsections:\n  - id: main\n    kind: precheck\n    steps:\n      - {id: look, on: db, run: 'true'}\n"
    runbook = load_text(text.encode(), "r.yaml").runbook
    assert runbook is not None
    found = asyncio.run(host_findings(runbook, Settings(known_hosts=str(known), ssh_config=str(config))))
    assert len(found) == 1 and "REVOKED HOST KEY DETECTED" in str(found[0]), [str(f) for f in found]
    assert f"revoked in {system}" in found[0].todo and str(known) not in found[0].todo, found[0].todo
