"""A ProxyJump hop's port as ssh reads it: `jump:5432` (no user: the hop's own `User`), in one hop and in a chain. The real
`ssh -G` and the real `ssh` are the judges; the bastion is a real sshd on port 5432 (the port /etc/services gives
`postgresql`, unprivileged) of a loopback address of its own. A port may be a tcp service name, as in `Port` (ssh's
`a2port`): `jump:postgresql`. Before: `host:port` without a user, and a service name, were refused (`expected
[user@]host[:port]`) where ssh connects through the bastion."""

from __future__ import annotations

import random
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from peers import PeerError, Sshd, make_sshd
from ssh_g import ssh_says
from ssh_helpers import arun, cmd, run_one

from runbook_tui.engine.ports import Result
from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.execute.ssh_config import SshConfigError, SshConfigResolver
from runbook_tui.runbook.model import Host, Mark

pytestmark = pytest.mark.peers

MARK = Mark("rb.yaml", 1, 1)


@pytest.fixture
def bastion(tmp_path: Path) -> Iterator[Sshd]:
    (tmp_path / "bastion").mkdir()
    address = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"
    try:
        server = make_sshd(tmp_path / "bastion", {"LogLevel": "DEBUG1", "AllowTcpForwarding": "yes"}, address=address, port=5432)
    except PeerError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


def _config(sshd: Sshd, bastion: Sshd, tmp_path: Path, jump: str) -> Path:
    known = tmp_path / "known_both"
    known.write_text(sshd.known_hosts.read_text() + bastion.known_hosts.read_text())
    path = tmp_path / "ssh_config"
    path.write_text(
        f"Host target\n  HostName 127.0.0.1\n  Port {sshd.port}\n  User {sshd.user}\n  IdentityFile {sshd.client_key}\n"
        f"  UserKnownHostsFile {known}\n  ProxyJump {jump}\n"
        f"Host {bastion.address} hop0\n  User {bastion.user}\n  IdentityFile {bastion.client_key}\n  UserKnownHostsFile {known}\n"
        f"Host hop0\n  HostName {bastion.address}\n"
    )
    return path


def _run(config: Path, tmp_path: Path) -> Result:
    async def main() -> Result:
        ex = SshExecutor(remote_dir=str(tmp_path / "runs"), known_hosts=str(tmp_path / "trusts_nothing"), ssh_config=str(config), connect_timeout=20)
        try:
            result, _, _ = await run_one(ex, cmd(Host("target", "target", MARK), "true"))
        finally:
            await ex.close()
        return result

    return arun(main)


def _tunnels(server: Sshd) -> int:
    return (server.dir / "sshd.log").read_text(errors="replace").count("server_request_direct_tcpip")


@pytest.mark.parametrize(("form", "shown"), [("{address}:5432", "[{address}]:5432"), ("hop0:5432", "hop0:5432"), ("ssh://hop0:5432", "hop0:5432")])
def test_a_hop_s_port_without_a_user_is_read_as_ssh_reads_it(sshd: Sshd, bastion: Sshd, tmp_path: Path, form: str, shown: str) -> None:
    config = _config(sshd, bastion, tmp_path, form.format(address=bastion.address))
    assert ssh_says(config, "target", "proxyjump") == [shown.format(address=bastion.address)]
    argv = ["ssh", "-F", str(config), "-o", "BatchMode=yes", "target", "true"]
    ssh = subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert ssh.returncode == 0, ssh.stderr
    before = _tunnels(bastion)
    result = _run(config, tmp_path)
    assert result == Result("ok", exit_code=0), result
    assert _tunnels(bastion) == before + 1, "the target was not reached through the bastion"


def test_a_chain_of_hops_with_ports_and_no_users_reads_the_same(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("Host target\n  ProxyJump hop0:5432,other:2222\nHost hop0\n  User ops\n")
    via = SshConfigResolver(str(config), "/kh").endpoint(Host("target", "target", MARK)).via
    assert via is not None and via.via is not None, via
    assert (via.name, via.port, via.via.name, via.via.port, via.via.user) == ("other", 2222, "hop0", 5432, "ops"), via


@pytest.mark.parametrize("form", ["{user}@{address}:postgresql", "ssh://{user}@{address}:postgresql", "hop0:postgresql"])
def test_a_hop_s_service_name_is_its_port_as_ssh_reads_it(sshd: Sshd, bastion: Sshd, tmp_path: Path, form: str) -> None:
    config = _config(sshd, bastion, tmp_path, form.format(user=bastion.user, address=bastion.address))
    argv = ["ssh", "-F", str(config), "-o", "BatchMode=yes", "target", "true"]
    ssh = subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert ssh.returncode == 0, ssh.stderr
    before = _tunnels(bastion)
    result = _run(config, tmp_path)
    assert result == Result("ok", exit_code=0), result
    assert _tunnels(bastion) == before + 1, "the target was not reached through the bastion"


def test_a_chain_s_service_names_read_the_same_and_an_unknown_one_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("Host target\n  ProxyJump hop0:postgresql,other:ssh\n")
    assert ssh_says(config, "target", "proxyjump") == ["hop0:postgresql,other:22"]  # ssh reads the last hop at once
    via = SshConfigResolver(str(config), "/kh").endpoint(Host("target", "target", MARK)).via
    assert via is not None and via.via is not None and (via.name, via.port, via.via.name, via.via.port) == ("other", 22, "hop0", 5432), via
    config.write_text("Host target\n  ProxyJump jump:no-such-service\n")
    said = subprocess.run(["ssh", "-G", "-F", str(config), "target"], capture_output=True, text=True, timeout=30)
    assert said.returncode == 255 and 'Invalid ProxyJump "jump:no-such-service"' in said.stderr, said.stderr
    with pytest.raises(SshConfigError, match="ProxyJump 'jump:no-such-service'"):
        SshConfigResolver(str(config), "/kh").endpoint(Host("target", "target", MARK))
