"""Preflight's host checks: one finding per cause, each saying what to do.

For every host a step runs on: can we reach it, is its host key the one we
trust, do we get in, and (where a step asks for sudo) does `sudo -n` work.
These are separate findings because they have separate fixes: a firewall
rule, a known_hosts entry checked out of band, an authorized key, a sudoers
rule. A host that fails one check is not asked the next.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable

from runbook_tui.app.secrets import identity_passphrase
from runbook_tui.app.settings import Settings
from runbook_tui.engine.ports import Command, Executor, Result, Stream
from runbook_tui.execute.local import LocalExecutor
from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.execute.ssh_config import NAMELESS_TODO, login_name
from runbook_tui.execute.ssh_connect import ConnectFailed
from runbook_tui.execute.ssh_ended import CSH_LOGIN
from runbook_tui.execute.ssh_endpoint import Endpoint
from runbook_tui.execute.sudo_probe import NO_SUDO, SUDO_PROBE  # the one a sudo step's run asks first too
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.model import Host, Runbook, Step
from runbook_tui.runbook.safe_text import visible_line

CHECK_TIMEOUT = 15.0


@dataclass(frozen=True, slots=True)
class HostFinding:
    host: Host
    cause: str  # local user | ssh config | reachability | host key | authentication | login | runs folder | sudo | ssh
    detail: str
    todo: str
    where: str = ""  # `address:port` as connected (the ssh config may differ from the runbook); else the runbook's

    def __str__(self) -> str:
        where = f"host {self.host.name} ({self.where or f'{self.host.address}:{self.host.port}'})"
        return visible_line(f"{where}: {self.cause}: {self.detail.rstrip('.')}. What to do: {self.todo}")


def hosts_to_check(runbook: Runbook) -> dict[str, tuple[Host, bool]]:
    """Every host some step (or undo) runs on, and whether any step there uses sudo."""
    hosts: dict[str, tuple[Host, bool]] = {}
    steps: Iterable[Step] = (s for s in runbook.steps if s.kind == "run" or s.undo is not None)
    for step in steps:
        for host in runbook.targets(step):
            known, sudo = hosts.get(host.name, (host, False))
            hosts[host.name] = (known, sudo or step.sudo)
    return hosts


def _user(host: Host) -> str:
    return host.user or "your user"


@dataclass(frozen=True, slots=True)
class Hop:
    """The hop a connection failed at: the host itself, or a bastion on its way; what to do is said about it."""

    name: str
    address: str
    port: int
    user: str
    known_hosts: str
    behind: str | None = None  # the bastion this hop is reached from; None: from this machine
    key_alias: str | None = None  # the ssh config's HostKeyAlias: known_hosts names its key so

    @classmethod
    def of(cls, route: Endpoint) -> Hop:
        behind = route.via.name if route.via is not None else None
        return cls(route.name, route.address, route.port, route.user, route.known_hosts, behind, route.host_key_alias)

    @property
    def origin(self) -> str:
        return "this machine" if self.behind is None else f"{self.behind}, the bastion it is reached through"

    @property
    def entry(self) -> str:
        """How known_hosts names it (`ssh-keygen -R` wants that spelling)."""
        return self.key_alias or (self.address if self.port == 22 else f"[{self.address}]:{self.port}")


def connection_finding(host: Host, error: str, hop: Hop, *, where: str = "") -> HostFinding:
    """What a failed connection means, from the executor's one-line reason; what to do is about `hop`, where it failed."""
    lowered = error.lower()
    if "known_hosts file" in lowered and "cannot be read" in lowered:  # the file here: no host was asked
        return HostFinding(
            host, "host key", error,
            f"fix or remove the line named in {hop.known_hosts} (`ssh-keygen -F '{hop.entry}' -f {hop.known_hosts}` shows what ssh finds there), "
            "or point ssh.known_hosts in the settings at a good file",
            where,
        )  # fmt: skip
    if "revoked host key detected" in lowered:  # never to be added: the key may be stolen (before: the advice to add it)
        # the file the error names: a system known_hosts or a RevokedHostKeys file (before: the user's, which may trust it)
        revoked_in = found[1] if (found := re.search(r"revoked (?:in|by file) (.+?):\d+", error)) else hop.known_hosts
        return HostFinding(
            host, "host key", error,
            f"do not connect to {hop.name} with that key: tell its owner that it offers a key revoked in {revoked_in}; "
            "once its new key is installed, check the fingerprint out of band and add that key (the revoked line stays)",
            where,
        )  # fmt: skip
    if "host key" in lowered:
        return HostFinding(
            host, "host key", error,
            f"get {hop.name}'s key fingerprint from its owner or console (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub there), "
            f"compare it with `ssh-keyscan -p {hop.port} {hop.address} | ssh-keygen -lf -` run on {hop.origin}, and only then add it "
            f"to {hop.known_hosts}; if the host was rebuilt, remove the old entry first (ssh-keygen -R '{hop.entry}')",
            where,
        )  # fmt: skip
    if CSH_LOGIN in error:
        return HostFinding(
            host, "login", error,
            f"give {hop.user or 'the user'} on {hop.name} a login shell of the sh family (chsh -s /bin/sh {hop.user or 'USER'} there;"
            f" bash, dash, ksh or zsh read it too), or log in as another user (user: on {hop.name} in the runbook)",
            where,
        )  # fmt: skip
    if "ran something else in its place" in lowered:  # logged in, but a ForceCommand, command= or nologin ran instead
        return HostFinding(
            host, "login", error,
            f"let {hop.user or 'the user'} run commands on {hop.name}: remove the ForceCommand that applies to it in sshd_config, "
            "the command=\"...\" before your key in its ~/.ssh/authorized_keys, or give the account a shell (chsh); "
            f"or log in as another user (user: on {hop.name} in the runbook)",
            where,
        )  # fmt: skip
    if "cannot read identity" in lowered or "cannot use identity" in lowered:  # the key file here, not the host: no server was asked
        return HostFinding(
            host, "authentication", error,
            f"fix the key file's path in identity: on {hop.name} in the runbook (or IdentityFile in your ssh config): "
            "it must be a private key (not the .pub) that you can read on this machine",
            where,
        )  # fmt: skip
    if "of the ssh config is not there" in lowered:  # the config's IdentityFile: nothing of it was offered
        return HostFinding(
            host, "authentication", error,
            f"fix IdentityFile for {hop.name} in your ssh config: the key file it names is not there (ssh skips it too); "
            f"or name the key with identity: on {hop.name} in the runbook",
            where,
        )  # fmt: skip
    if "encrypted" in lowered:  # a key that needs its passphrase: the agent is where it can be used from
        return HostFinding(
            host, "authentication", error,
            "ssh-add the key in the shell runbook-tui runs from (an agent running, SSH_AUTH_SOCK set), and check `ssh-add -l` lists it;"
            " or store its passphrase in the keyring: keyring set runbook-tui KEYFILE (the key file's path)",
            where,
        )  # fmt: skip
    if "does not forward connections" in lowered:  # the bastion's sshd forbids the hop (`hop` is the bastion)
        return HostFinding(
            host, "bastion", error,
            f"on {hop.name}, allow TCP forwarding for {hop.user or 'your user'} in /etc/ssh/sshd_config (AllowTcpForwarding yes, "
            f"in a `Match User {hop.user or 'USER'}` block if only for you) and reload sshd; or name another bastion with via:",
            where,
        )  # fmt: skip
    if "authentication" in lowered or "identity" in lowered or "passphrase" in lowered:
        return HostFinding(
            host, "authentication", error,
            f"put your public key in {hop.user or 'your user'}'s ~/.ssh/authorized_keys on {hop.name}, load the key in your agent "
            f"(ssh-add), or name it with identity: on {hop.name} in the runbook",
            where,
        )  # fmt: skip
    if "cannot connect" in lowered or "timed out" in lowered or "refused" in lowered or "unreachable" in lowered:
        return HostFinding(
            host, "reachability", error,
            f"check {hop.name}'s address and port (the runbook, or your ssh config), that sshd runs there, and that no firewall, "
            f"VPN or bastion is in the way (`nc -vz {hop.address} {hop.port}` on {hop.origin})",
            where,
        )  # fmt: skip
    if "cannot create the run's files" in lowered:  # logged in, but the runs folder (~/.cache/runbook-tui/runs) takes no file
        return HostFinding(
            host, "runs folder", error,
            f"free space on {hop.name}, or give {hop.user or 'the user'} a home it can write ~/.cache/runbook-tui/runs in "
            "(steps run detached, their output and exit status kept there)",
            where,
        )  # fmt: skip
    return HostFinding(host, "ssh", error, f"run `ssh -v` to {hop.name} to see where the session fails", where)


def sudo_finding(host: Host, result: Result, stderr: str, where: str = "") -> HostFinding | None:
    if result.status == "ok" and result.exit_code == 0:
        return None
    if result.status == "ok" and result.exit_code == NO_SUDO:
        return HostFinding(
            host, "sudo", f"steps here ask for sudo, but sudo is not installed for {_user(host)}",
            "install sudo with a NOPASSWD rule for the steps' commands, or connect as root (user: root on the host)",
            where,
        )  # fmt: skip
    said = stderr.strip().splitlines()[-1] if stderr.strip() else (result.error or f"exit code {result.exit_code}")
    return HostFinding(
        host, "sudo", f"`sudo -n true` failed as {_user(host)}: {said}",
        f"give {_user(host)} passwordless sudo for the steps' commands (a NOPASSWD rule in /etc/sudoers.d), or connect as a user who has it",
        where,
    )  # fmt: skip


async def _check(executor: Executor, host: Host, sudo: bool, known_hosts: str) -> list[HostFinding]:
    where, route = "", None  # route: where the host is reached, as the ssh config resolves it
    runbook_hop = Hop(host.name, host.address, host.port, host.user or "", known_hosts)
    if isinstance(executor, SshExecutor):  # connect first: a failure names the hop (a bastion's) where it is to be fixed
        try:
            route = await executor.endpoint(host)  # off the event loop: a `Match exec` runs a program as the config is read
        except ConnectFailed as exc:  # the ssh config cannot be used for it (or no ssh can log in from here): no host was asked
            if login_name() is None:
                return [HostFinding(host, "local user", str(exc), NAMELESS_TODO)]
            todo = f"fix the ssh config where it says (`ssh -G {host.name}` shows how ssh reads it), or set ssh.config: false in the settings"
            return [HostFinding(host, "ssh config", str(exc), todo)]
        where = route.hostport
        try:
            await asyncio.wait_for(executor.connect(route), CHECK_TIMEOUT)
        except ConnectFailed as exc:
            return [connection_finding(host, str(exc), Hop.of(exc.hop) if exc.hop is not None else runbook_hop, where=where)]
        except TimeoutError:
            error = f"cannot connect to {host.name}: no connection within {CHECK_TIMEOUT:g} s"
            return [connection_finding(host, error, Hop.of(route), where=where)]
    connected = await executor.run(Command(host, "true", timeout=CHECK_TIMEOUT), lambda *_: None)
    if connected.status != "ok":
        return [connection_finding(host, connected.error or connected.status, Hop.of(route) if route else runbook_hop, where=where)]
    if not sudo:
        return []
    stderr = bytearray()

    def keep(stream: Stream, data: bytes) -> None:
        if stream == "stderr" and len(stderr) < 4096:
            stderr.extend(data)

    probed = await executor.run(Command(host, SUDO_PROBE, timeout=CHECK_TIMEOUT), keep)
    found = sudo_finding(host, probed, stderr.decode("utf-8", "replace"), where)
    return [found] if found else []


async def host_findings(runbook: Runbook, settings: Settings) -> list[HostFinding]:
    """Connect to each host (host key verified), then try sudo where a step asks for it."""
    ssh = SshExecutor(
        settings.known_hosts,
        max_concurrency=settings.max_concurrency,
        reconnect_attempts=1,
        ssh_config=settings.ssh_config,
        system_config=settings.system_ssh_config,
        known_hosts_given=settings.known_hosts_given,
        passphrase_lookup=identity_passphrase,
    )
    local = LocalExecutor()
    known_hosts = ssh.known_hosts
    checks = [_check(local if host.is_local else ssh, host, sudo, known_hosts) for host, sudo in hosts_to_check(runbook).values() if not host.is_local or sudo]
    try:
        results = await asyncio.gather(*checks)
    finally:
        await ssh.close()
    return [finding for found in results for finding in found]
