"""ProxyJump as ssh writes it and ProxyCommand, over real sshd: the bastion an sshd on ::1, the target the session's sshd.

The bastion logs at DEBUG1, so its `direct-tcpip` channel requests prove the
hop. Every config is a temp file (never the real ~/.ssh/config).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from peers import PeerError, Sshd, make_sshd
from ssh_helpers import arun, cmd, run_one

from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.runbook.model import Host, Mark

pytestmark = pytest.mark.peers

MARK = Mark("rb.yaml", 1, 1)


@pytest.fixture
def bastion(tmp_path: Path) -> Iterator[Sshd]:
    (tmp_path / "bastion").mkdir()
    try:
        server = make_sshd(tmp_path / "bastion", {"LogLevel": "DEBUG1", "AllowTcpForwarding": "yes"}, address="::1")
    except PeerError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


def config_for(sshd: Sshd, bastion: Sshd, tmp_path: Path, **routes: str) -> Path:
    """An ssh config: one alias of the target per route (`ProxyJump X`, `ProxyCommand X`), and the bastion's key for `::1`."""
    known = tmp_path / "known_both"
    known.write_text(sshd.known_hosts.read_text() + bastion.known_hosts.read_text())
    text = "".join(
        f"Host {alias}\n  HostName 127.0.0.1\n  Port {sshd.port}\n  User {sshd.user}\n  IdentityFile {sshd.client_key}\n"
        f"  UserKnownHostsFile {known}\n  {route}\n"
        for alias, route in routes.items()
    )
    text += f"Host ::1\n  User {bastion.user}\n  IdentityFile {bastion.client_key}\n  UserKnownHostsFile {known}\n"
    path = tmp_path / "ssh_config"
    path.write_text(text)
    return path


def run_via_config(config: Path, tmp_path: Path, alias: str, command: str) -> tuple[str, str | None, str]:
    async def main() -> tuple[str, str | None, str]:
        ex = SshExecutor(remote_dir=str(tmp_path / "runs"), known_hosts=str(tmp_path / "trusts_nothing"), ssh_config=str(config), connect_timeout=10)
        try:
            result, sink, _notes = await run_one(ex, cmd(Host(alias, alias, MARK), command))
        finally:
            await ex.close()
        return result.status, result.error, sink.data("stdout").decode()

    return arun(main)


def tunnels(bastion: Sshd) -> int:
    return (bastion.dir / "sshd.log").read_text(errors="replace").count("server_request_direct_tcpip")


@pytest.mark.parametrize("jump", ["ssh://{user}@[::1]:{port}", "{user}@[::1]:{port}", "ssh://[::1]:{port}/"])
def test_a_proxyjump_as_ssh_writes_it_goes_through_that_bastion(sshd: Sshd, bastion: Sshd, tmp_path: Path, jump: str) -> None:
    """Before: `ssh://root@[::1]:P` logged in to `[::1]:P` as the user `ssh://root`, `root@[::1]:P` took `[::1]:P` for a
    host name (port 22): neither reached the target, which `ssh ALIAS` reaches through the bastion."""
    config = config_for(sshd, bastion, tmp_path, target=f"ProxyJump {jump.format(user=bastion.user, port=bastion.port)}")
    before = tunnels(bastion)
    status, error, _out = run_via_config(config, tmp_path, "target", "true")
    assert (status, error) == ("ok", None), error
    assert tunnels(bastion) == before + 1, "the target was not reached through the bastion's direct-tcpip channel"


def test_a_proxycommand_route_is_refused_in_words_not_replaced_by_a_direct_connection(sshd: Sshd, bastion: Sshd, tmp_path: Path) -> None:
    """Before: the ProxyCommand was ignored and the target reached directly, a route `ssh ALIAS` never takes (from
    here the address may be another machine), and the step ran there."""
    ran = tmp_path / "ran"
    config = config_for(sshd, bastion, tmp_path, target="ProxyCommand ssh -W %h:%p jumpbox", plain="ProxyCommand none")
    status, error, _out = run_via_config(config, tmp_path, "target", f"touch {ran}")
    assert status == "error", error
    assert "ProxyCommand" in (error or "") and "via:" in (error or "") and "ProxyJump" in (error or ""), error
    assert not ran.exists(), "the step ran over a route the ssh config does not give"
    status, error, _out = run_via_config(config, tmp_path, "plain", f"touch {ran}")  # `ProxyCommand none`: no proxy, as ssh reads it
    assert (status, error) == ("ok", None) and ran.exists(), error


def test_every_file_of_user_known_hosts_file_is_read_as_ssh_reads_them(sshd: Sshd, tmp_path: Path) -> None:
    """`UserKnownHostsFile A B C`: A missing, B holding other hosts only, C holding this sshd's key. Before: A alone was
    read, and the step was refused with `host key … not verified: … expected it in A`."""
    other = tmp_path / "other_hosts"
    other.write_text("[10.9.9.9]:22 " + sshd.known_hosts.read_text().split(" ", 1)[1])
    config = tmp_path / "ssh_config"
    files = f"{tmp_path / 'missing'} {other} {sshd.known_hosts}"
    config.write_text(
        f"Host target\n  HostName 127.0.0.1\n  Port {sshd.port}\n  User {sshd.user}\n  IdentityFile {sshd.client_key}\n  UserKnownHostsFile {files}\n"
        f"Host untrusted\n  HostName 127.0.0.1\n  Port {sshd.port}\n  User {sshd.user}\n  IdentityFile {sshd.client_key}\n"
        f"  UserKnownHostsFile {tmp_path / 'missing'} {other}\n"
    )
    status, error, out = run_via_config(config, tmp_path, "target", "echo reached")
    assert (status, error, out) == ("ok", None, "reached\n"), error
    status, error, _out = run_via_config(config, tmp_path, "untrusted", "echo reached")  # still refused when none holds it
    assert status == "error" and "not verified" in (error or "") and f"expected it in {tmp_path / 'missing'}, {other}" in (error or ""), error
    from runbook_tui.execute.ssh_config import SshConfigResolver

    said = SshConfigResolver(str(config), str(tmp_path / "settings_known")).endpoint(Host("target", "target", MARK)).describe()
    assert f"known_hosts {tmp_path / 'missing'}, {other}, {sshd.known_hosts} ({config})" in said, said


def test_a_match_exec_of_the_config_runs_once_per_host_not_at_every_command(sshd: Sshd, tmp_path: Path) -> None:
    """`Match exec` (a VPN check such as `nc -z -w2 gw 22` is common) runs a program while the config is read, on the
    program's event loop. Before: the config was read again for every command and every release, so each command on
    each host ran it again (3 times per host for two commands), each time freezing the screen for as long as it took.
    A change to the file is still seen by the next command."""
    count = tmp_path / "match_count"
    config = tmp_path / "ssh_config"
    config.write_text(
        f'Match exec "echo x >> {count}"\n  User {sshd.user}\n'
        f"Host peer*\n  HostName 127.0.0.1\n  Port {sshd.port}\n  IdentityFile {sshd.client_key}\n  UserKnownHostsFile {sshd.known_hosts}\n"
    )
    hosts = [Host(f"peer{i:02d}", f"peer{i:02d}", MARK) for i in range(1, 5)]

    async def main() -> list[str]:
        ex = SshExecutor(remote_dir=str(tmp_path / "runs"), known_hosts=str(tmp_path / "trusts_nothing"), ssh_config=str(config), connect_timeout=10)
        try:
            results = [(await run_one(ex, cmd(host, "true")))[0].status for _ in range(2) for host in hosts]
            await ex.release(hosts)
            config.write_text(config.read_text() + "# edited\n")
            results.append((await run_one(ex, cmd(hosts[0], "true")))[0].status)
        finally:
            await ex.close()
        return results

    assert arun(main) == ["ok"] * 9
    assert count.read_text().count("x") == len(hosts) + 1, "once per host, and once more after the file changed"


def test_a_refusal_after_an_identity_file_of_the_config_that_is_not_there_says_what_was_offered(
    sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`IdentityFile ~/.ssh/id_db` of the config, not there: skipped, as ssh skips it, and the agent and default keys
    offered in its place. Before: the refusal said `tried identity ~/.ssh/id_db`, a key never read nor offered."""
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host db1\n  HostName 127.0.0.1\n  Port {sshd.port}\n  User {sshd.user}\n  IdentityFile ~/.ssh/id_db\n  UserKnownHostsFile {sshd.known_hosts}\n"
    )
    status, error, _out = run_via_config(config, tmp_path, "db1", "true")
    assert status == "error" and "tried identity" not in (error or ""), error
    assert (error or "").endswith(
        f"no key was offered: no SSH agent (SSH_AUTH_SOCK is not set); no default key ({home}/.ssh/id_*)"
        " (identity ~/.ssh/id_db of the ssh config is not there: skipped, as ssh skips it)"
    ), error


def test_a_slow_match_exec_is_read_off_the_event_loop(sshd: Sshd, tmp_path: Path) -> None:
    """A `Match exec` that takes 2 s (a VPN check timing out): before, each host's first command read the config on
    the event loop, which stood still 2 s per host (8 s for 4 hosts: no key, no repaint, no keepalive meanwhile)."""
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host peer*\n  HostName 127.0.0.1\n  Port {sshd.port}\n  User {sshd.user}\n  IdentityFile {sshd.client_key}\n  UserKnownHostsFile {sshd.known_hosts}\n"
        'Match exec "sleep 2"\n  ForwardAgent no\n'
    )
    hosts = [Host(f"peer{i:02d}", f"peer{i:02d}", MARK) for i in range(1, 5)]

    async def main() -> tuple[list[str], float]:
        ex = SshExecutor(remote_dir=str(tmp_path / "runs"), known_hosts=str(tmp_path / "trusts_nothing"), ssh_config=str(config), connect_timeout=30)
        loop, gaps, last = asyncio.get_running_loop(), [0.0], [0.0]

        async def tick() -> None:
            last[0] = loop.time()
            while True:
                await asyncio.sleep(0.05)
                gaps.append(loop.time() - last[0])
                last[0] = loop.time()

        ticker = asyncio.create_task(tick())
        try:
            results = await asyncio.gather(*(run_one(ex, cmd(host, "true")) for host in hosts))
        finally:
            ticker.cancel()
            await ex.close()
        return [result.status for result, _, _ in results], max(gaps)

    statuses, stood_still = arun(main)
    assert statuses == ["ok"] * 4
    assert stood_still < 1.5, f"the event loop stood still {stood_still:.1f}s while the config was read"
