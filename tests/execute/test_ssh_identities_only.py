"""The ssh config's `IdentitiesOnly yes`, over real sshd and a real ssh-agent: only the identity files are offered.

People set it where an agent holds many keys: sshd ends a login after `MaxAuthTries` (6) refused keys, so `ssh NAME`
offers only the host's IdentityFile (or the default ~/.ssh/id_* keys), and no other key of the agent reaches that
host. Before, it was not read: the agent's keys were offered all the same (first, with no IdentityFile), and a login
`ssh NAME` makes with ~/.ssh/id_ed25519 ended in `Too many authentication failures`.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import asyncssh
import pytest
from peers import Sshd
from ssh_helpers import arun, cmd, run_one

from runbook_tui.engine.ports import Result
from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.runbook.model import Host, Mark

pytestmark = pytest.mark.peers

MARK = Mark("rb.yaml", 1, 1)


def _key(path: Path) -> Path:
    asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(path))
    path.chmod(0o600)
    return path


def _add(*paths: Path) -> None:
    for path in paths:
        subprocess.run(["ssh-add", "-q", str(path)], check=True, capture_output=True, timeout=10)


def _run(sshd: Sshd, tmp_path: Path, lines: str) -> Result:
    config = tmp_path / "ssh_config"
    config.write_text(f"Host db1\n  HostName 127.0.0.1\n  Port {sshd.port}\n  User {sshd.user}\n  UserKnownHostsFile {sshd.known_hosts}\n{lines}")

    async def main() -> Result:
        ex = SshExecutor(remote_dir=str(tmp_path / "runs"), known_hosts=str(tmp_path / "trusts_nothing"), ssh_config=str(config), connect_timeout=10)
        try:
            result, _, _ = await run_one(ex, cmd(Host("db1", "db1", MARK), "true"))
        finally:
            await ex.close()
        return result

    return arun(main)


def test_the_default_key_logs_in_past_an_agent_full_of_other_keys(sshd: Sshd, tmp_path: Path, agent: Path) -> None:
    _add(*(_key(tmp_path / f"other{i}") for i in range(8)))
    home_keys = Path.home() / ".ssh"
    home_keys.mkdir(exist_ok=True)
    try:
        shutil.copy(sshd.client_key, home_keys / "id_ed25519")
        (home_keys / "id_ed25519").chmod(0o600)
        result = _run(sshd, tmp_path, "  IdentitiesOnly yes\n")
    finally:
        (home_keys / "id_ed25519").unlink()
    assert result == Result("ok", exit_code=0), result


def test_the_agents_other_keys_never_reach_a_host_whose_identity_is_refused(sshd: Sshd, tmp_path: Path, agent: Path) -> None:
    """ssh refuses here: the IdentityFile is not the host's key, and the agent's (which is) is kept from it."""
    _add(sshd.client_key)
    result = _run(sshd, tmp_path, f"  IdentityFile {_key(tmp_path / 'wrong')}\n  IdentitiesOnly yes\n")
    assert result.status == "error" and not result.started, result
    assert "IdentitiesOnly" in (result.error or ""), result.error


def test_an_encrypted_identity_is_still_used_from_the_agent(sshd: Sshd, tmp_path: Path, agent: Path) -> None:
    """ssh uses the agent's copy of an IdentityFile it cannot decrypt, IdentitiesOnly or not."""
    locked = tmp_path / "locked"
    asyncssh.read_private_key(str(sshd.client_key)).write_private_key(str(locked), passphrase="pw")
    locked.chmod(0o600)
    asyncssh.read_private_key(str(sshd.client_key)).write_public_key(str(locked) + ".pub")
    _add(sshd.client_key, _key(tmp_path / "other"))
    result = _run(sshd, tmp_path, f"  IdentityFile {locked}\n  IdentitiesOnly yes\n")
    assert result == Result("ok", exit_code=0), result


def test_plan_says_identities_only_and_where_it_came_from(tmp_path: Path) -> None:
    from runbook_tui.execute.ssh_config import SshConfigResolver

    config = tmp_path / "ssh_config"
    config.write_text("Host db1\n  IdentitiesOnly yes\nHost db2\n  IdentitiesOnly no\n")
    resolver = SshConfigResolver(str(config), "/kh")
    assert f"IdentitiesOnly yes ({config})" in resolver.endpoint(Host("db1", "db1", MARK)).describe()
    assert "IdentitiesOnly" not in resolver.endpoint(Host("db2", "db2", MARK)).describe()
