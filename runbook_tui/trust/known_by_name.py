"""known_hosts looked up as ssh looks it up: under the name connected to alone, for the step hosts (execute/ssh_connect.py)
and for `join`'s session (share/client.py), which may not import each other's layer."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

import asyncssh
from asyncssh.known_hosts import _HashedHost, _HostEntry, _KnownHostsResult

from runbook_tui.runbook.safe_text import visible_line


class KnownByName(asyncssh.SSHKnownHosts):
    """known_hosts matched as ssh matches it (CheckHostIP off, its default since OpenSSH 8.5): under the name connected to,
    or its HostKeyAlias, alone. asyncssh took a line for the address the name resolved to as well: a name never listed
    was accepted on another host's line (`prod,10.0.0.5 KEY`, as an older ssh wrote them, took `staging` once a DNS
    record sent it to 10.0.0.5). A key revoked under the address stays revoked."""

    def _add_exact(self, pattern: str, entry: _HostEntry) -> None:
        """A line's names but the empty ones: `prod, KEY` (a trailing comma, a doubled one) lists prod alone, as for ssh.
        asyncssh filed it under "" too, and the lookup under the name alone (its address "") took it for every host."""
        if names := ",".join(name for name in pattern.split(",") if name):
            super()._add_exact(names, entry)

    def _add_pattern(self, pattern: str, entry: _HostEntry) -> None:
        """A pattern line, but a hashed one of the empty name (`|1|SALT|HMAC("")`), which would match every host looked
        up under its name alone, as the empty name above."""
        if not pattern.startswith("|"):
            super()._add_pattern(pattern, entry)
        elif not (hashed := _NamedHash(pattern))._match(""):
            self._pattern_entries.append((hashed, entry))

    def match(self, host: str, addr: str, port: int | None) -> _KnownHostsResult:
        """What is trusted under the name alone; what is revoked under the name or the address, `[host]:port` and `host`.

        asyncssh, finding no key under `[host]:port`, looked again under the bare name and dropped the revocations found
        under `[host]:port`: `@revoked [host]:port KEY` beside a `host KEY` line connected. They stay revoked. Each lookup
        goes over every pattern line (an HMAC per hashed line and name: ~3 ms for 1,000 of them), so each is made once:
        an address that is the name itself (an IP address connected to) adds nothing, and is not looked up again.
        """
        named = self._match(host, "", port)
        by_name = named if not port or _trusts(named) else self._match(host, "")
        revoked = [*by_name[2], *(named[2] if port else ())]
        if addr and addr != host:
            at = self._match(host, addr, port)
            by_address = at if not port or _trusts(at) else self._match(host, addr)
            revoked += [*by_address[2], *(at[2] if port else ())]
        return (*by_name[:2], revoked, *by_name[3:])


class _NamedHash(_HashedHost):
    """A hashed known_hosts line (`|1|SALT|HMAC`), matched against the names looked up but the empty one: no line of the
    empty name is kept (`KnownByName._add_pattern`), and asyncssh spent an HMAC on it per line at every lookup under a
    name alone, half of such a lookup's work on a hashed file (HashKnownHosts yes, Debian's default)."""

    def matches(self, host: str, addr: str, _ip: object) -> bool:
        return (bool(host) and self._match(host)) or (bool(addr) and self._match(addr))


def _trusts(found: _KnownHostsResult) -> bool:
    """Whether a lookup found a key, a CA or a certificate to trust (asyncssh then looks no further, under the bare name)."""
    return bool(found[0] or found[1] or found[3] or found[5])


def read_by_name(files: Sequence[str]) -> KnownByName:
    """The known_hosts files, in order, as one `KnownByName`."""
    known = KnownByName()
    for path in files:
        known.load(Path(path).expanduser().read_text())
    return known


def revoked_message(files: Sequence[str], host: str, port: int, offered: asyncssh.SSHKey, refusing: str) -> str | None:
    """OpenSSH's "REVOKED HOST KEY DETECTED" when a `@revoked` line of the files names this host (or `*`) with the key it
    offers: refused, never offered for trust; None when it is not revoked. The files are read as for a connection."""
    try:
        revoked = read_by_name(files).match(host, "", port)[2]
    except (OSError, ValueError):
        return None  # unreadable: the connection's own reading says so
    if not any(key.public_data == offered.public_data for key in revoked):
        return None
    where = f"[{host}]:{port}" if port != 22 else host
    kind = offered.algorithm.decode("ascii", "replace")
    return (
        f"WARNING: REVOKED HOST KEY DETECTED! The {kind} host key of {visible_line(where)} (fingerprint {offered.get_fingerprint()}) "
        f"is marked as revoked in {visible_line(_revoked_line(files, offered))}: a stolen key may be used to impersonate this host. {refusing}"
    )


def _revoked_line(files: Sequence[str], offered: asyncssh.SSHKey) -> str:
    """FILE:LINE of the first `@revoked` line holding the key (the files, if none is found: a pattern asyncssh matched)."""
    for path in files:
        text = Path(path).expanduser().read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            fields = line.split()
            if len(fields) >= 4 and fields[0] == "@revoked":
                with contextlib.suppress(asyncssh.KeyImportError, ValueError):
                    if asyncssh.import_public_key(" ".join(fields[2:4])).public_data == offered.public_data:
                        return f"{path}:{number}"
    return ", ".join(files)
