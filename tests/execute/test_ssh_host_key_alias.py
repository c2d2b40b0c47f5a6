"""The ssh config's `HostKeyAlias`, over real sshd: the host key is looked up under the alias, as ssh looks it up.

Used where one name stands for several addresses (a cluster behind a bastion, hosts reached by changing ports) or for
a host reached through a tunnel. Before, it was not read: the key was looked up under the address, and a host `ssh
NAME` connects to was refused (`host key … not verified`).
"""

from __future__ import annotations

from pathlib import Path

import asyncssh
import pytest
from peers import Sshd, public_line
from ssh_helpers import arun, cmd, run_one

from runbook_tui.engine.ports import Result
from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.execute.ssh_config import SshConfigResolver
from runbook_tui.runbook.model import Host, Mark

MARK = Mark("rb.yaml", 1, 1)


def _run(sshd: Sshd, tmp_path: Path, known_line: str) -> Result:
    known = tmp_path / "known_alias"
    known.write_text(known_line + "\n")
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host target\n  HostName 127.0.0.1\n  Port {sshd.port}\n  User {sshd.user}\n  IdentityFile {sshd.client_key}\n"
        f"  HostKeyAlias dbcluster\n  UserKnownHostsFile {known}\n"
    )

    async def main() -> Result:
        ex = SshExecutor(remote_dir=str(tmp_path / "runs"), known_hosts=str(tmp_path / "trusts_nothing"), ssh_config=str(config), connect_timeout=10)
        try:
            result, _, _ = await run_one(ex, cmd(Host("target", "target", MARK), "true"))
        finally:
            await ex.close()
        return result

    return arun(main)


@pytest.mark.peers
def test_the_key_under_the_alias_lets_the_step_run(sshd: Sshd, tmp_path: Path) -> None:
    result = _run(sshd, tmp_path, f"dbcluster {public_line(sshd.host_key)}")  # as ssh writes it: the alias, no port
    assert result == Result("ok", exit_code=0), result


@pytest.mark.peers
def test_another_key_under_the_alias_is_a_changed_key_named_so(sshd: Sshd, tmp_path: Path) -> None:
    result = _run(sshd, tmp_path, f"dbcluster {public_line(asyncssh.generate_private_key('ssh-ed25519'))}")
    assert result.status == "error" and not result.started and result.final, result
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in (result.error or "") and "ssh-keygen -R 'dbcluster'" in (result.error or ""), result.error


def test_plan_says_the_alias_and_where_it_came_from(tmp_path: Path) -> None:
    config = tmp_path / "ssh_config"
    config.write_text("Host db1\n  HostKeyAlias dbcluster\n")
    assert f"host key alias dbcluster ({config})" in SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK)).describe()


def test_preflight_tells_to_remove_the_key_under_the_alias(tmp_path: Path) -> None:
    from runbook_tui.app.preflight_hosts import Hop, connection_finding

    config = tmp_path / "ssh_config"
    config.write_text("Host db1\n  HostName 10.1.1.1\n  Port 2222\n  HostKeyAlias dbcluster\n")
    route = SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))
    finding = connection_finding(Host("db1", "db1", MARK), "host key for db1 (10.1.1.1:2222) not verified: …", Hop.of(route))
    assert finding.cause == "host key" and "ssh-keygen -R 'dbcluster'" in finding.todo, finding.todo
