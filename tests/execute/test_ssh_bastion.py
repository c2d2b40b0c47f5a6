"""Bastions over real sshd: a target only a bastion can reach, by `via:` and by `ProxyJump` in an ssh config.

As root, each test makes a network namespace joined to this machine by a
veth pair. Inside it run two sshds: the bastion, on the namespace's end of
the veth (reachable from here), and the target, on the namespace's own
loopback (127.0.0.1 there is not 127.0.0.1 here: only the bastion reaches
it). The bastion logs at DEBUG1, so its `direct-tcpip` channel requests
prove the hop. Keys: one client key per sshd, or both in an `ssh-agent`
started for the test and killed after.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import asyncssh
import pytest
import yaml
from netns import cannot_set_up, free_subnet, ip
from peers import PeerError, Sshd, make_sshd, public_line

from runbook_tui.engine.fanout import HostOutcome
from runbook_tui.engine.host_result import host_result
from runbook_tui.engine.host_tally import failed_words
from runbook_tui.engine.ports import Command, Result
from runbook_tui.engine.state_model import HostState
from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.runbook.loader import load_runbook
from runbook_tui.runbook.model import Host, Step

pytestmark = pytest.mark.peers

BASTION_PORT, TARGET_PORT, CLOSED_PORT = 2222, 2223, 2299
#: What the target says about the connection it got: from its own loopback, i.e. from the bastion.
WHO = 'echo "$SSH_CONNECTION"; echo "agent=${SSH_AUTH_SOCK:-none}"'


@dataclass
class JumpNet:
    bastion: Sshd
    target: Sshd
    known_hosts: Path  # both hosts' keys
    tmp: Path

    def runbook(self, hosts: dict[str, list[dict[str, object]]]) -> dict[str, tuple[Host, ...]]:
        doc = {"runbook": 1, "id": "jump", "title": "Jump", "hosts": hosts, "sections": [{"id": "s", "steps": [{"id": "a", "note": "n"}]}]}
        path = self.tmp / f"rb-{uuid.uuid4().hex[:6]}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        return dict(load_runbook(path).runbook.hosts)

    def bastion_entry(self, name: str = "bastion1", **changes: object) -> dict[str, object]:
        entry: dict[str, object] = {
            "name": name,
            "address": self.bastion.address,
            "port": BASTION_PORT,
            "user": "root",
            "identity": str(self.bastion.client_key),
        }
        entry.update(changes)
        return {key: value for key, value in entry.items() if value is not None}

    def target_entry(self, name: str = "db1", **changes: object) -> dict[str, object]:
        entry: dict[str, object] = {
            "name": name,
            "address": "127.0.0.1",
            "port": TARGET_PORT,
            "user": "root",
            "identity": str(self.target.client_key),
            "via": "bastion1",
        }
        entry.update(changes)
        return {key: value for key, value in entry.items() if value is not None}

    def bastion_log(self) -> str:
        return (self.bastion.dir / "sshd.log").read_text(errors="replace")


@pytest.fixture
def jumpnet(tmp_path: Path) -> Iterator[JumpNet]:
    if os.geteuid() != 0:
        cannot_set_up("not root")
    if shutil.which("ip") is None:
        cannot_set_up("the ip command (iproute2) is missing")
    suffix = secrets.token_hex(3)
    name, here, there = f"rbj-{suffix}", f"rbjA{suffix}", f"rbjB{suffix}"
    made = ip("netns", "add", name, check=False)
    if made.returncode != 0:
        cannot_set_up(f"ip netns add: {made.stderr.strip()}")
    started: list[Sshd] = []
    try:
        _, local, remote = free_subnet()
        ip("link", "add", here, "type", "veth", "peer", "name", there)
        ip("link", "set", there, "netns", name)
        ip("addr", "add", f"{local}/30", "dev", here)
        ip("-n", name, "addr", "add", f"{remote}/30", "dev", there)
        ip("-n", name, "link", "set", "lo", "up")
        ip("-n", name, "link", "set", there, "up")
        ip("link", "set", here, "up")
        inside = ("ip", "netns", "exec", name)
        (tmp_path / "bastion").mkdir()
        (tmp_path / "target").mkdir()
        bastion = make_sshd(tmp_path / "bastion", {"LogLevel": "DEBUG1", "AllowTcpForwarding": "yes"}, address=remote, port=BASTION_PORT, wrapper=inside)
        started.append(bastion)
        target = make_sshd(tmp_path / "target", address="127.0.0.1", port=TARGET_PORT, wrapper=inside, reachable=False)
        started.append(target)
        known = tmp_path / "known_hosts"
        known.write_text(bastion.known_hosts.read_text() + target.known_hosts.read_text())
        yield JumpNet(bastion, target, known, tmp_path)
    except PeerError as exc:
        pytest.fail(str(exc), pytrace=False)
    finally:
        for sshd in started:
            sshd.stop()
        for pid in ip("netns", "pids", name, check=False).stdout.split():  # detached commands the tests started there
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        ip("link", "del", here, check=False)
        ip("netns", "del", name, check=False)


def run_on(executor: SshExecutor, hosts: list[Host], command: str) -> list[tuple[Result, str]]:
    async def main() -> list[tuple[Result, str]]:
        async def one(host: Host) -> tuple[Result, str]:
            out: list[bytes] = []
            key = f"t/{uuid.uuid4().hex[:8]}/1"
            result = await executor.run(Command(host=host, command=command, key=key), lambda stream, data: out.append(data) if stream == "stdout" else None)
            return result, b"".join(out).decode()

        try:
            return list(await asyncio.gather(*(one(h) for h in hosts)))
        finally:
            await executor.close()

    return asyncio.run(main())


def make_executor(net: JumpNet, **kw: object) -> SshExecutor:
    kw = {"known_hosts": str(net.known_hosts), "reconnect_attempts": 0, **kw}
    return SshExecutor(remote_dir=str(net.tmp / "runs"), connect_timeout=5, **kw)  # type: ignore[arg-type]


def came_through_the_bastion(output: str) -> bool:
    """The target saw the connection come from its own loopback: the bastion's sshd opened it."""
    return re.match(rf"127\.0\.0\.1 \d+ 127\.0\.0\.1 {TARGET_PORT}\n", output) is not None


def test_via_reaches_a_host_only_the_bastion_can_reach_over_one_shared_bastion_connection(jumpnet: JumpNet) -> None:
    groups = jumpnet.runbook({"jump": [jumpnet.bastion_entry()], "db": [jumpnet.target_entry("db1"), jumpnet.target_entry("db2")]})
    db1, db2 = groups["db"]
    assert (db1.path, db2.path) == ("db1 via bastion1", "db2 via bastion1")
    ex = make_executor(jumpnet)

    async def main() -> tuple[list[Result], int]:
        try:
            results = await asyncio.gather(*(ex.run(Command(host=h, command=WHO, key=f"t/{h.name}/1"), lambda s, d: None) for h in (db1, db2)))
            return list(results), len(ex.connections)
        finally:
            await ex.close()

    results, connections = asyncio.run(main())
    assert results == [Result("ok", exit_code=0)] * 2
    assert connections == 3, "one connection to the bastion, shared by both targets, and one per target"
    log = jumpnet.bastion_log()
    assert log.count("Accepted publickey") == 1, "both targets must share one bastion connection"
    assert len(re.findall(rf"direct-tcpip.*\n?.*127\.0\.0\.1.*{TARGET_PORT}", log)) >= 1, log[-2000:]
    assert len(re.findall(r"server_request_direct_tcpip", log)) == 2, log[-2000:]
    [(result, output)] = run_on(make_executor(jumpnet), [db1], WHO)
    assert result.status == "ok" and came_through_the_bastion(output), output
    assert "agent=none" in output, "agent forwarding must be off unless the host asks"
    # Without the bastion, the target cannot be reached from here at all: the hop is real.
    direct = jumpnet.runbook({"db": [jumpnet.target_entry("db1", via=None)]})
    [(result, _)] = run_on(make_executor(jumpnet), list(direct["db"]), "true")
    assert result.status == "error" and "cannot connect to db1 (127.0.0.1:2223)" in (result.error or ""), result


def test_proxyjump_in_the_ssh_config_reaches_the_same_target_and_plan_says_where_values_came_from(jumpnet: JumpNet) -> None:
    config = jumpnet.tmp / "ssh_config"  # never the real ~/.ssh/config
    config.write_text(
        f"Host nsdb\n  HostName 127.0.0.1\n  Port {TARGET_PORT}\n  User root\n  IdentityFile {jumpnet.target.client_key}\n"
        f"  ProxyJump jumpbox\n  UserKnownHostsFile {jumpnet.known_hosts}\n"
        f"Host jumpbox\n  HostName {jumpnet.bastion.address}\n  Port {BASTION_PORT}\n  User root\n"
        f"  IdentityFile {jumpnet.bastion.client_key}\n  UserKnownHostsFile {jumpnet.known_hosts}\n"
    )
    groups = jumpnet.runbook({"db": [{"name": "nsdb"}]})
    # The settings' known_hosts trusts nothing: the config's UserKnownHostsFile must be the one used, on both hops.
    ex = make_executor(jumpnet, known_hosts=str(jumpnet.tmp / "empty_known_hosts"), ssh_config=str(config))
    [(result, output)] = run_on(ex, list(groups["db"]), WHO)
    assert result == Result("ok", exit_code=0), result
    assert came_through_the_bastion(output), output
    assert "server_request_direct_tcpip" in jumpnet.bastion_log()
    # Turned off, the alias means nothing: nsdb is looked up as a host name and not found.
    [(off, _)] = run_on(make_executor(jumpnet), list(groups["db"]), "true")
    assert off.status == "error" and "cannot connect to nsdb" in (off.error or ""), off
    # plan shows the route and where each value came from.
    rb = jumpnet.tmp / "plan.yaml"
    rb.write_text(yaml.safe_dump({
        "runbook": 1, "id": "p", "title": "P", "hosts": {"db": [{"name": "nsdb", "user": "deploy"}]},
        "sections": [{"id": "s", "steps": [{"id": "a", "run": "true", "on": "db"}]}],
    }), encoding="utf-8")  # fmt: skip
    settings = jumpnet.tmp / "settings.yaml"
    settings.write_text(yaml.safe_dump({"ssh": {"config": str(config)}}), encoding="utf-8")
    env = {**os.environ, "RUNBOOK_TUI_SETTINGS": str(settings), "XDG_CONFIG_HOME": str(jumpnet.tmp / "xdg")}
    plan = subprocess.run(
        [str(Path(os.sys.executable).with_name("runbook-tui")), "plan", str(rb)], capture_output=True, text=True, env=env, timeout=30, check=False
    )
    assert plan.returncode == 0, plan.stderr
    assert "on db (nsdb)" in plan.stdout
    assert "  nsdb via jumpbox\n" in plan.stdout, plan.stdout
    assert f"nsdb: address 127.0.0.1 ({config}); port {TARGET_PORT} ({config}); user deploy (runbook)" in plan.stdout, plan.stdout
    assert f"via jumpbox ({config} ProxyJump)" in plan.stdout


def test_which_hop_failed_is_said_and_host_keys_are_checked_on_both_hops(jumpnet: JumpNet) -> None:
    bastion_down = jumpnet.runbook({"jump": [jumpnet.bastion_entry(port=CLOSED_PORT)], "db": [jumpnet.target_entry()]})
    [(result, _)] = run_on(make_executor(jumpnet), list(bastion_down["db"]), "true")
    assert result.status == "error"
    assert (result.error or "").startswith(f"db1: through bastion bastion1: cannot connect to bastion1 ({jumpnet.bastion.address}:{CLOSED_PORT})"), result

    refused = jumpnet.runbook({"jump": [jumpnet.bastion_entry()], "db": [jumpnet.target_entry(port=CLOSED_PORT)]})
    [(result, _)] = run_on(make_executor(jumpnet), list(refused["db"]), "true")
    assert result.status == "error"
    assert f"bastion bastion1 could not reach db1 (127.0.0.1:{CLOSED_PORT})" in (result.error or ""), result

    only_bastion_trusted = jumpnet.tmp / "only_bastion"
    only_bastion_trusted.write_text(jumpnet.bastion.known_hosts.read_text())
    good = jumpnet.runbook({"jump": [jumpnet.bastion_entry()], "db": [jumpnet.target_entry()]})
    [(result, _)] = run_on(make_executor(jumpnet, known_hosts=str(only_bastion_trusted)), list(good["db"]), "true")
    assert result.status == "error" and f"host key for db1 (127.0.0.1:{TARGET_PORT}) not verified" in (result.error or ""), result

    only_target_trusted = jumpnet.tmp / "only_target"
    only_target_trusted.write_text(jumpnet.target.known_hosts.read_text())
    [(result, _)] = run_on(make_executor(jumpnet, known_hosts=str(only_target_trusted)), list(good["db"]), "true")
    assert result.status == "error" and "db1: through bastion bastion1: host key for bastion1" in (result.error or ""), result


def test_a_target_whose_packets_the_bastion_loses_is_said_to_be_beyond_the_bastion(jumpnet: JumpNet) -> None:
    """Inside the namespace, 10.77.0.9 is on the veth with a fixed neighbour whose MAC nobody has: the bastion's SYNs to
    it vanish and its connect hangs. Before: `cannot connect to db1 (…): no connection within 5 s (packets dropped on
    the way …)`, as if between this machine and db1, which it never talks to; the hop that waited went unnamed."""
    namespace = jumpnet.bastion.wrapper[-1]
    [veth] = ip("-n", namespace, "-o", "link", "show", "type", "veth").stdout.split(":")[1:2]
    veth = veth.strip().split("@")[0]
    ip("-n", namespace, "route", "add", "10.77.0.9/32", "dev", veth)
    ip("-n", namespace, "neigh", "add", "10.77.0.9", "lladdr", "02:00:00:00:77:09", "dev", veth, "nud", "permanent")
    groups = jumpnet.runbook({"jump": [jumpnet.bastion_entry()], "db": [jumpnet.target_entry(address="10.77.0.9", port=22)]})
    [(result, _)] = run_on(make_executor(jumpnet), list(groups["db"]), "true")
    assert result.status == "error" and not result.started, result
    assert (result.error or "") == (
        "cannot connect to db1 (10.77.0.9:22): bastion bastion1 got no answer from it within 5 s (packets dropped between"
        " the bastion and it: a firewall there, or an address or route wrong as the bastion sees it)"
    ), result.error


def test_a_bastions_changed_host_key_is_found_by_the_status_row_of_the_hosts_behind_it(jumpnet: JumpNet) -> None:
    """Before: the row read `on 2 of 3 hosts (2 never started)`: the hosts' errors begin `through bastion bastion1: `,
    and the refusal words were looked for only at the start (a host reached directly read `host key CHANGED`)."""
    changed = jumpnet.tmp / "changed"
    other = public_line(asyncssh.generate_private_key("ssh-ed25519"))
    changed.write_text(f"[{jumpnet.bastion.address}]:{BASTION_PORT} {other}\n" + jumpnet.target.known_hosts.read_text())
    groups = jumpnet.runbook({"jump": [jumpnet.bastion_entry()], "db": [jumpnet.target_entry("db1"), jumpnet.target_entry("db2")]})
    ran = run_on(make_executor(jumpnet, known_hosts=str(changed)), list(groups["db"]), "true")
    step = cast(Step, None)  # an executor's error: how it ended does not depend on the step
    hosts: dict[str, HostState] = {}
    for (result, _), name in zip(ran, ("db1", "db2"), strict=True):
        assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in (result.error or ""), result
        said = host_result(step, HostOutcome(name, result), None, [])
        assert str(said["error"]).startswith("through bastion bastion1: host key for bastion1"), said
        hosts[name] = HostState(said["status"], said["exit_code"], said["error"], said.get("started", True))
    hosts["db3"] = HostState("done", 0, None)
    assert failed_words(hosts, {}) == " on 2 of 3 hosts (2 never started: 2 bastion host key CHANGED)"
    assert failed_words({"db1": hosts["db1"]}, {}) == " (bastion host key CHANGED)"


def test_the_refusal_is_found_after_every_bastion_on_the_way() -> None:
    """Two bastions (`via` a host itself behind one): the words of each hop come before the refusal."""
    changed = "host key for b1 (10.0.0.9:22) not verified: WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! ..."
    hosts = {
        "db1": HostState("failed", None, f"through bastion b2: b2: through bastion b1: {changed}", False),
        "db2": HostState("failed", None, "through bastion b2: cannot connect to b2 (10.0.0.8:22): Connection refused", False),
        "db3": HostState("failed", None, "cannot connect to db3: host key for db3 REMOTE HOST IDENTIFICATION HAS CHANGED", False),
    }
    assert failed_words(hosts, {}) == " on 3 of 3 hosts (3 never started: 1 bastion host key CHANGED)"


def test_a_bastion_dying_mid_step_is_named_by_every_host_behind_it_and_its_return_is_used(jumpnet: JumpNet) -> None:
    """Before: each host said only `lost connection to db1; the command may still be running there`, never why."""
    groups = jumpnet.runbook({"jump": [jumpnet.bastion_entry()], "db": [jumpnet.target_entry("db1"), jumpnet.target_entry("db2")]})
    executor = make_executor(jumpnet, reconnect_attempts=2, keepalive_interval=0.5)
    count = "for i in $(seq 1 50); do echo $i; sleep 0.1; done"

    said: list[str] = []  # the status rows while it reconnects

    async def main() -> tuple[list[Result], list[tuple[Result, str]]]:
        seen: dict[str, list[bytes]] = {host.name: [] for host in groups["db"]}

        async def one(host: Host) -> Result:
            command = Command(host=host, command=count, key=f"t/{uuid.uuid4().hex[:8]}/1")
            return await executor.run(command, lambda _s, data: seen[host.name].append(data), said.append)

        running = [asyncio.create_task(one(host)) for host in groups["db"]]
        deadline = time.monotonic() + 10
        while not all(seen.values()):
            assert time.monotonic() < deadline, f"no output through the bastion from {[name for name, got in seen.items() if not got]}"
            await asyncio.sleep(0.02)
        await asyncio.to_thread(jumpnet.bastion.stop)
        async with asyncio.timeout(30):
            lost = list(await asyncio.gather(*running))
        await asyncio.to_thread(jumpnet.bastion.start)
        return lost, await asyncio.to_thread(run_on, make_executor(jumpnet), list(groups["db"]), "echo back")

    lost, again = asyncio.run(main())
    bastion = f"bastion1 ({jumpnet.bastion.address}:{BASTION_PORT})"
    for host, result in zip(("db1", "db2"), lost, strict=True):
        assert result.status == "error", result
        # which hop went, which host it cut off, why the reconnect failed, and what to do (before: `lost connection to db1
        # and could not reconnect (2 attempts; the last: … cannot connect to bastion1 (…): Connect call failed ('…', 2222))`)
        assert (result.error or "").startswith(
            f"lost connection to {host}: bastion {bastion} dropped its connection (Connection lost), and {host}'s with it;"
            f" could not reconnect (2 attempts; the last: {host}: through bastion bastion1: cannot connect to {bastion}: connection refused ("
        ), result
        assert "the command may still be running there (detached in " in (result.error or ""), result
        assert (result.error or "").endswith(f": once bastion bastion1 and {host} answer again, check whether it still runs before re-running the step")
        assert "Connect call failed" not in (result.error or "")
        assert f"{host}: bastion {bastion} dropped its connection (Connection lost), and {host}'s with it; reconnecting (1/2)..." in said, said
    assert [(result.status, output) for result, output in again] == [("ok", "back\n")] * 2, again


def test_agent_held_keys_open_both_hops_and_forwarding_is_only_on_where_a_host_asks(jumpnet: JumpNet, agent: Path) -> None:
    no_keys = {"jump": [jumpnet.bastion_entry(identity=None)], "db": [jumpnet.target_entry(identity=None)]}
    groups = jumpnet.runbook(no_keys)
    [(result, _)] = run_on(make_executor(jumpnet), list(groups["db"]), "true")
    assert result.status == "error" and "authentication as root on bastion1" in (result.error or ""), "the agent is empty yet: nothing may let us in"
    for key in (jumpnet.bastion.client_key, jumpnet.target.client_key):
        subprocess.run(["ssh-add", str(key)], capture_output=True, timeout=10, check=True, env={**os.environ, "SSH_AUTH_SOCK": str(agent)})
    [(result, output)] = run_on(make_executor(jumpnet), list(groups["db"]), WHO)
    assert result == Result("ok", exit_code=0), result
    assert came_through_the_bastion(output) and "agent=none" in output, output
    forwarding = jumpnet.runbook({"jump": [jumpnet.bastion_entry(identity=None)], "db": [jumpnet.target_entry(identity=None, forward_agent=True)]})
    [(result, output)] = run_on(make_executor(jumpnet), list(forwarding["db"]), WHO)
    assert result == Result("ok", exit_code=0), result
    assert "agent=none" not in output, "forward_agent: true must forward the agent to that host"
