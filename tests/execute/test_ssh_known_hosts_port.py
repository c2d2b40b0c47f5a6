"""A host on another port than 22, and known_hosts lines under its bare name, over real sshd: looked up as ssh does.

OpenSSH (sshconnect.c, `check_host_key`) looks a non-22 port up under `[host]:port`; only when nothing is listed
there for the key it is offered does it look under the bare `host` (the name ssh-keyscan writes without `-p`), and
there it takes only the very key: another key under the bare name is not "changed", the host is unknown for that
port (`No ED25519 host key is known for [127.0.0.1]:2222`). Checked with the installed ssh against these sshd.
"""

from __future__ import annotations

from pathlib import Path

import asyncssh
import pytest
from peers import Sshd, public_line
from ssh_helpers import arun, cmd, run_one

from runbook_tui.engine.ports import Result
from runbook_tui.execute.ssh import SshExecutor

pytestmark = pytest.mark.peers


def _run(sshd: Sshd, tmp_path: Path, known_lines: str) -> Result:
    known = tmp_path / "known_hosts"
    known.write_text(known_lines)

    async def main() -> Result:
        ex = SshExecutor(remote_dir=str(tmp_path / "runs"), known_hosts=str(known), ssh_config=None, connect_timeout=10)
        try:
            result, _, _ = await run_one(ex, cmd(sshd.host("db1"), "true"))
        finally:
            await ex.close()
        return result

    return arun(main)


def test_the_very_key_under_the_bare_name_is_taken_as_ssh_takes_it(sshd: Sshd, tmp_path: Path) -> None:
    assert _run(sshd, tmp_path, f"127.0.0.1 {public_line(sshd.host_key)}\n") == Result("ok", exit_code=0)


def test_another_key_under_the_port_is_a_changed_key_though_the_bare_name_holds_the_very_one(sshd: Sshd, tmp_path: Path) -> None:
    other = public_line(asyncssh.generate_private_key("ssh-ed25519"))
    result = _run(sshd, tmp_path, f"[127.0.0.1]:{sshd.port} {other}\n127.0.0.1 {public_line(sshd.host_key)}\n")
    assert result.status == "error" and result.final and not result.started, result
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in (result.error or "") and "known_hosts:1" in (result.error or ""), result.error


@pytest.mark.parametrize("kind", ["ssh-ed25519", "ecdsa-sha2-nistp256"])
def test_another_key_under_the_bare_name_is_an_unknown_host_for_that_port(sshd: Sshd, tmp_path: Path, kind: str) -> None:
    """Before: of the same type, `Host key is not trusted for host 127.0.0.1`, naming no port; of another type (asyncssh
    asked only for the listed type), `cannot connect to db1: Connection reset by peer`, retried as a host out of reach."""
    result = _run(sshd, tmp_path, f"127.0.0.1 {public_line(asyncssh.generate_private_key(kind))}\n")
    error = result.error or ""
    assert result.status == "error" and result.final and not result.started, result
    assert f"No ssh-ed25519 host key is known for [127.0.0.1]:{sshd.port}" in error and sshd.host_key.get_fingerprint() in error, error
    assert "CHANGED" not in error and "known_hosts:1" in error, error
