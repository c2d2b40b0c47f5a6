"""known_hosts looked up as ssh looks it up: under the name connected to alone, for the step hosts (execute/ssh_connect.py)
and for `join`'s session (share/client.py), which may not import each other's layer."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import asyncssh
from asyncssh.known_hosts import _KnownHostsResult


class KnownByName(asyncssh.SSHKnownHosts):
    """known_hosts matched as ssh matches it (CheckHostIP off, its default since OpenSSH 8.5): under the name connected to,
    or its HostKeyAlias, alone. asyncssh took a line for the address the name resolved to as well: a name never listed
    was accepted on another host's line (`prod,10.0.0.5 KEY`, as an older ssh wrote them, took `staging` once a DNS
    record sent it to 10.0.0.5). A key revoked under the address stays revoked."""

    def match(self, host: str, addr: str, port: int | None) -> _KnownHostsResult:
        by_name, by_address = super().match(host, "", port), super().match(host, addr, port)
        # asyncssh, finding no key under `[host]:port`, looked again under the bare name and dropped the revocations found
        # under `[host]:port`: `@revoked [host]:port KEY` beside a `host KEY` line connected. They stay revoked.
        under_port = self._match(host, addr, port)[2] if port else []
        return (*by_name[:2], [*by_name[2], *by_address[2], *under_port], *by_name[3:])


def read_by_name(files: Sequence[str]) -> KnownByName:
    """The known_hosts files, in order, as one `KnownByName`."""
    known = KnownByName()
    for path in files:
        known.load(Path(path).expanduser().read_text())
    return known
