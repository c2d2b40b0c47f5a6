"""Why a host key did not verify, in OpenSSH's words: the key the host offers, fetched once more through the same hop.

Moved out of ssh_connect (which opens the connections) as it neared 500 lines.
"""

from __future__ import annotations

import asyncio
import os

import asyncssh

from runbook_tui.execute.known_hosts import bare_name_message, changed_key_message, trusted_entries, unknown_key_message
from runbook_tui.execute.revoked_host_keys import revoked_by_file
from runbook_tui.execute.ssh_endpoint import Endpoint
from runbook_tui.trust.known_by_name import revoked_message


def revoked_words(endpoint: Endpoint, offered: asyncssh.SSHKey, refusing: str = "Refusing to connect") -> str | None:
    """OpenSSH's "REVOKED HOST KEY DETECTED" when the config's RevokedHostKeys file or a `@revoked` line of the known_hosts
    files holds the key the host offers; None when neither does."""
    if endpoint.revoked_keys and (revoked := revoked_by_file(endpoint.revoked_keys, *endpoint.key_entry, offered, refusing)):
        return revoked
    return revoked_message(endpoint.known_files, *endpoint.key_entry, offered, refusing=f"{refusing}.")


async def changed_key(endpoint: Endpoint, tunnel: asyncssh.SSHClientConnection | None, refusing: str = "Refusing to connect") -> str | None:
    """OpenSSH's "REVOKED HOST KEY DETECTED" when a `@revoked` line holds the key the host offers (before: asyncssh's bare
    `Host key is revoked`, or "No ... host key is known", as if it were to be added), its warning when known_hosts holds
    another key for this host, or its "No ... host key is known" when only the bare name holds another key for a port
    other than 22, or none names the host (the key fetched once more, through the same hop, to name it; not where a host
    certificate may stand for a key: asyncssh's words then)."""
    try:
        offered = await asyncio.wait_for(asyncssh.get_server_host_key(endpoint.address, endpoint.port, tunnel=tunnel), 10)
    except (asyncssh.Error, OSError, TimeoutError):
        return None
    if not offered:
        return None
    if revoked := revoked_words(endpoint, offered, refusing):
        return revoked
    changed = next((said for path in endpoint.known_files if (said := changed_key_message(path, *endpoint.key_entry, offered, refusing))), None)
    if changed or (changed := bare_name_message(endpoint.known_files, *endpoint.key_entry, offered)):
        return changed
    return None if any(_has_ca(path) for path in endpoint.known_files) else unknown_key_message(endpoint.known_files, *endpoint.key_entry, offered)


async def no_key_of_a_known_type(endpoint: Endpoint, tunnel: asyncssh.SSHClientConnection | None) -> str | None:
    """A connection lost in its key exchange: asyncssh asks only for the host key types known_hosts lists for the host,
    so a host that has none of them (rebuilt, its sshd's HostKey changed from ECDSA to Ed25519) ends the exchange, and
    that read `cannot connect to db1: Connection lost`, a reachability problem retried as one. When the host indeed
    offers no key of a listed type (asked for those types alone), OpenSSH's warning naming the key it does offer."""
    entries = trusted_entries(endpoint.known_files, *endpoint.key_entry)  # the types asked for
    if not entries or any(e.key is None for e in entries) or any(_has_ca(path) for path in endpoint.known_files):
        return None
    types = {e.key.algorithm.decode("ascii", "replace") for e in entries if e.key is not None}
    if "ssh-rsa" in types:
        types |= {"rsa-sha2-256", "rsa-sha2-512"}  # the signature algorithms of an RSA key
    try:
        await asyncio.wait_for(asyncssh.get_server_host_key(endpoint.address, endpoint.port, tunnel=tunnel, server_host_key_algs=sorted(types)), 10)
    except (asyncssh.Error, OSError, TimeoutError, ValueError):
        return await changed_key(endpoint, tunnel)  # none of those types: the key it offers, named
    return None  # it has a key of a listed type: the connection was lost for another reason


def _has_ca(path: str) -> bool:
    """A known_hosts file with @cert-authority lines: host certificates may stand for keys, asyncssh's to judge."""
    try:
        with open(os.path.expanduser(path), encoding="utf-8", errors="replace") as text:
            return "@cert-authority" in text.read(1 << 20)
    except OSError:
        return False
