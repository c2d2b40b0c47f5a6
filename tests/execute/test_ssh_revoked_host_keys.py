"""`RevokedHostKeys FILE` in the ssh config: ssh refuses a host key listed there (one public key a line), and refuses every
host key when the file is not there or is a KRL it cannot read here. The real `ssh` against the same sshd is the judge.
Before: the option was never read, and a key the site revoked there ran the step (a stolen key trusted)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import asyncssh
import pytest
from peers import Sshd, public_line
from ssh_g import ssh_says
from ssh_helpers import arun, cmd, run_one

from runbook_tui.engine.ports import Result
from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.execute.ssh_config import SshConfigResolver
from runbook_tui.runbook.model import Host, Mark

pytestmark = pytest.mark.peers


def _config(sshd: Sshd, tmp_path: Path, revoked: Path) -> Path:
    config = tmp_path / "config"
    config.write_text(
        f"Host db1\n  HostName {sshd.address}\n  Port {sshd.port}\n  User {sshd.user}\n  IdentityFile {sshd.client_key}\n"
        f"  UserKnownHostsFile {sshd.known_hosts}\n  GlobalKnownHostsFile none\n  RevokedHostKeys {revoked}\n"
    )
    return config


def _ssh(config: Path) -> subprocess.CompletedProcess[str]:
    argv = ["ssh", "-F", str(config), "-o", "BatchMode=yes", "db1", "true"]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def _run(tmp_path: Path, config: Path) -> Result:
    async def go() -> Result:
        ex = SshExecutor(str(tmp_path / "unused"), remote_dir=str(tmp_path / "runs"), ssh_config=str(config), connect_timeout=20)
        try:
            result, _, _ = await run_one(ex, cmd(Host("db1", "db1", Mark("rb.yaml", 1, 1)), f"touch {tmp_path / 'ran'}"))
        finally:
            await ex.close()
        return result

    return arun(go)


def test_a_key_listed_in_revoked_host_keys_is_refused_as_ssh_refuses_it(sshd: Sshd, tmp_path: Path) -> None:
    revoked = tmp_path / "revoked_keys"
    revoked.write_text(f"# the stolen laptop's copy\n{public_line(sshd.host_key)} old-db1\n")
    config = _config(sshd, tmp_path, revoked)
    assert ssh_says(config, "db1", "revokedhostkeys") == [str(revoked)]
    ssh = _ssh(config)
    assert ssh.returncode == 255 and f"revoked by file {revoked}" in ssh.stderr, ssh.stderr
    result = _run(tmp_path, config)
    assert result.status == "error" and result.final and not result.started, result
    assert result.error is not None and "REVOKED HOST KEY DETECTED" in result.error, result.error
    assert f"revoked by file {revoked}:2 (RevokedHostKeys)" in result.error and sshd.host_key.get_fingerprint() in result.error, result.error
    assert not (tmp_path / "ran").exists()


def test_another_key_there_lets_the_host_in(sshd: Sshd, tmp_path: Path) -> None:
    revoked = tmp_path / "revoked_keys"
    revoked.write_text(f"{public_line(asyncssh.generate_private_key('ssh-ed25519'))}\n")
    config = _config(sshd, tmp_path, revoked)
    assert _ssh(config).returncode == 0
    assert _run(tmp_path, config).status == "ok"
    assert (tmp_path / "ran").exists()


def test_a_revoked_host_keys_file_that_is_not_there_refuses_every_host_as_ssh_does(sshd: Sshd, tmp_path: Path) -> None:
    revoked = tmp_path / "no_such_file"
    config = _config(sshd, tmp_path, revoked)
    ssh = _ssh(config)
    assert ssh.returncode == 255 and "Host key verification failed" in ssh.stderr, ssh.stderr
    result = _run(tmp_path, config)
    assert result.status == "error" and not result.started, result
    assert result.error is not None and f"RevokedHostKeys {revoked}" in result.error, result.error
    assert not (tmp_path / "ran").exists()


def test_a_krl_is_refused_in_words_never_read_as_no_revocation(sshd: Sshd, tmp_path: Path) -> None:
    """ssh reads a binary KRL (`ssh-keygen -k`); runbook-tui does not, and refuses every host rather than trust past it."""
    other = tmp_path / "other.pub"
    other.write_text(public_line(asyncssh.generate_private_key("ssh-ed25519")) + "\n")
    krl = tmp_path / "revoked.krl"
    subprocess.run(["ssh-keygen", "-k", "-f", str(krl), str(other)], check=True, capture_output=True, timeout=30)
    result = _run(tmp_path, _config(sshd, tmp_path, krl))
    assert result.status == "error" and not result.started and result.final, result
    assert result.error is not None and f"RevokedHostKeys {krl} of the ssh config is a key revocation list (KRL)" in result.error, result.error
    assert not (tmp_path / "ran").exists()


def test_plan_names_the_file_and_where_it_came_from(sshd: Sshd, tmp_path: Path) -> None:
    config = _config(sshd, tmp_path, tmp_path / "revoked_keys")
    said = SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", Mark("rb.yaml", 1, 1))).describe()
    assert f"revoked host keys {tmp_path / 'revoked_keys'} ({config})" in said, said
