"""A ProxyJump chain of two bastions in the ssh config, over real sshd: `ProxyJump j1,j2` and a j2 with its own
`ProxyJump j1`; then j2's host key changed, and j1 refusing the login. Every config is a temp file.

Each bastion logs at DEBUG1, so its `direct-tcpip` channel requests prove which hop reached which.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest
from peers import PeerError, Sshd, make_sshd, public_line
from ssh_helpers import arun, cmd, run_one

from runbook_tui.engine.ports import Result
from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.runbook.model import Host, Mark

pytestmark = pytest.mark.peers

MARK = Mark("rb.yaml", 1, 1)


def _bastion(tmp_path: Path, name: str, address: str) -> Sshd:
    (tmp_path / name).mkdir()
    try:
        return make_sshd(tmp_path / name, {"LogLevel": "DEBUG1", "AllowTcpForwarding": "yes"}, address=address)
    except PeerError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def jumps(tmp_path: Path) -> Iterator[tuple[Sshd, Sshd]]:
    j1 = _bastion(tmp_path, "j1", "::1")
    try:
        j2 = _bastion(tmp_path, "j2", "127.0.0.1")
    except BaseException:
        j1.stop()
        raise
    yield j1, j2
    j2.stop()
    j1.stop()


def _entry(alias: str, server: Sshd, known: Path, extra: str = "", identity: Path | None = None) -> str:
    return (
        f"Host {alias}\n  HostName {server.address}\n  Port {server.port}\n  User {server.user}\n"
        f"  IdentityFile {identity or server.client_key}\n  UserKnownHostsFile {known}\n{extra}"
    )


def _config(tmp_path: Path, sshd: Sshd, j1: Sshd, j2: Sshd, *, target_jump: str, j2_extra: str = "", j1_identity: Path | None = None) -> Path:
    known = tmp_path / "known_all"
    known.write_text(sshd.known_hosts.read_text() + j1.known_hosts.read_text() + j2.known_hosts.read_text())
    path = tmp_path / "ssh_config"
    path.write_text(
        _entry("target", sshd, known, f"  ProxyJump {target_jump}\n") + _entry("j1", j1, known, identity=j1_identity) + _entry("j2", j2, known, j2_extra)
    )
    return path


def _run(config: Path, tmp_path: Path) -> Result:
    async def main() -> Result:
        ex = SshExecutor(remote_dir=str(tmp_path / "runs"), known_hosts=str(tmp_path / "trusts_nothing"), ssh_config=str(config), connect_timeout=10)
        try:
            result, _, _ = await run_one(ex, cmd(Host("target", "target", MARK), "true"))
        finally:
            await ex.close()
        return result

    return arun(main)


def _tunnels(server: Sshd) -> list[str]:
    return [line for line in (server.dir / "sshd.log").read_text(errors="replace").splitlines() if "server_request_direct_tcpip" in line]


@pytest.mark.parametrize("how", ["comma", "nested"])
def test_two_bastions_are_passed_in_order(sshd: Sshd, jumps: tuple[Sshd, Sshd], tmp_path: Path, how: str) -> None:
    j1, j2 = jumps
    if how == "comma":
        config = _config(tmp_path, sshd, j1, j2, target_jump="j1,j2")
    else:
        config = _config(tmp_path, sshd, j1, j2, target_jump="j2", j2_extra="  ProxyJump j1\n")
    result = _run(config, tmp_path)
    assert result == Result("ok", exit_code=0), result
    assert len(_tunnels(j1)) == 1 and str(j2.port) in _tunnels(j1)[0], _tunnels(j1)  # j1 opened the way to j2
    assert len(_tunnels(j2)) == 1 and str(sshd.port) in _tunnels(j2)[0], _tunnels(j2)  # j2 opened the way to the target


def test_the_second_bastions_changed_key_is_refused_naming_that_hop_and_the_fix(sshd: Sshd, jumps: tuple[Sshd, Sshd], tmp_path: Path) -> None:
    j1, j2 = jumps
    config = _config(tmp_path, sshd, j1, j2, target_jump="j1,j2")
    known = tmp_path / "known_all"
    other = asyncssh.generate_private_key("ssh-ed25519")
    known.write_text(known.read_text().replace(public_line(j2.host_key), public_line(other)))
    result = _run(config, tmp_path)
    assert result.status == "error" and not result.started and result.final, result
    error = result.error or ""
    assert f"through bastion j2: host key for j2 (127.0.0.1:{j2.port}) not verified" in error, error
    assert "ssh-keygen -R" in error and str(known) in error, error
    assert _tunnels(j2) == [], "nothing went past the bastion whose key changed"


def test_the_first_bastion_refusing_the_login_is_named(sshd: Sshd, jumps: tuple[Sshd, Sshd], tmp_path: Path) -> None:
    j1, j2 = jumps
    wrong = tmp_path / "wrong"
    asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(wrong))
    wrong.chmod(0o600)
    result = _run(_config(tmp_path, sshd, j1, j2, target_jump="j1,j2", j1_identity=wrong), tmp_path)
    assert result.status == "error" and not result.started, result
    error = result.error or ""
    # an IPv6 address in brackets, as ssh writes it (before: `j1 (::1:PORT)`, which reads as another address)
    assert "through bastion j1" in error and f"authentication as {j1.user} on j1 ([::1]:{j1.port})" in error, error
    assert "Traceback" not in error and _tunnels(j1) == [], error
