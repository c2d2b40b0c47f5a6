"""Reading known_hosts as OpenSSH does, to tell a host key that CHANGED from one never seen (the lookup under the name
alone is trust/known_by_name.py).

A changed key may be a man-in-the-middle: it is refused with what OpenSSH says, which file and
line holds the old key, and the new key's fingerprint, never offered for acceptance. Used for
the step hosts (execute/ssh.py) and for `join` (the share session's host key).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Sequence
from pathlib import Path

import asyncssh
from asyncssh.pattern import HostPatternList

from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.safe_text import visible_line


@dataclass(frozen=True, slots=True)
class KnownEntry:
    """One known_hosts line naming the host: where it is and the key it holds (None if unreadable)."""

    file: str
    line: int
    key: asyncssh.SSHKey | None


def host_names(host: str, port: int) -> set[str]:
    """The names a known_hosts entry uses for this host (`[host]:port` unless port 22)."""
    return {f"[{host}]:{port}"} if port != 22 else {host}


def names_match(field: str, names: set[str]) -> bool:
    """A known_hosts name field against our names, hashed ones too (`|1|salt|hmac`, ssh's HashKnownHosts), and patterns
    (`*.example.com`, `[db?]:2222`, `!staging`) as asyncssh and ssh match them (before: only names spelled out, so a
    pattern line with another key was no changed key but a first contact)."""
    if field.startswith("|1|"):
        try:
            salt, digest = (base64.b64decode(part, validate=True) for part in field[3:].split("|", 1))
        except (ValueError, binascii.Error):
            return False
        return any(hmac.compare_digest(hmac.new(salt, name.encode(), hashlib.sha1).digest(), digest) for name in names)
    if not any(sign in field for sign in "*?!"):
        return bool(names & set(field.split(",")))  # names spelled out (an address too: a pattern would read it as CIDR)
    patterns = HostPatternList(field)
    return any(patterns.matches(name, "", None) for name in names)


def entries_for(known_hosts: str, host: str, port: int) -> list[KnownEntry]:
    """The plain host-key lines for this host (markers such as @revoked or @cert-authority are left to asyncssh)."""
    path = Path(known_hosts).expanduser()
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    names = host_names(host, port)
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if len(fields) < 2 or line.lstrip().startswith(("#", "@")) or not names_match(fields[0], names):
            continue
        try:
            key: asyncssh.SSHKey | None = asyncssh.import_public_key(" ".join(fields[1:3]))
        except (asyncssh.KeyImportError, ValueError):
            key = None
        found.append(KnownEntry(str(path), number, key))
    return found


def trusted_entries(files: Sequence[str], host: str, port: int) -> list[KnownEntry]:
    """The lines whose keys a connection trusts: `[host]:port` in any of the files, and when none is there (a port other
    than 22) the bare `host` lines, as asyncssh and OpenSSH both fall back to them (OpenSSH taking only the very key)."""
    exact = [e for path in files for e in entries_for(path, host, port)]
    return exact or ([e for path in files for e in entries_for(path, host, 22)] if port != 22 else [])


def bare_name_message(files: Sequence[str], host: str, port: int, offered: asyncssh.SSHKey) -> str | None:
    """OpenSSH's "No ... host key is known for [host]:port" when only the bare `host` is listed, under another key: for
    another port than 22 ssh takes a bare-name line only when it holds the very key the host offers (sshconnect.c,
    `check_host_key`: "checking without port identifier"); any other key there is no changed key but an unknown host,
    as another sshd on the same machine has keys of its own. None when `[host]:port` is listed, or a bare line matches."""
    if port == 22 or any(entries_for(path, host, port) for path in files):
        return None
    bare = trusted_entries(files, host, port)  # no `[host]:port` line: the bare ones
    if not bare or any(e.key is not None and e.key.public_data == offered.public_data for e in bare):
        return None
    kind = offered.algorithm.decode("ascii", "replace")
    where, file = f"[{visible_line(host)}]:{port}", visible_line(bare[0].file)
    return (
        f"No {kind} host key is known for {where} (the host offers fingerprint {offered.get_fingerprint()}); the key in "
        f"{file}:{bare[0].line} is listed under the bare name {visible_line(host)} (its port 22), and ssh takes such a key for another "
        f"port only when it is the very key. Refusing to connect; check the fingerprint out of band and add it to {file} as {where}."
    )


def unknown_key_message(files: Sequence[str], host: str, port: int, offered: asyncssh.SSHKey) -> str | None:
    """OpenSSH's "No ... host key is known for [host]:port" when no line of the files names the host at all (the port's
    nor the bare name's), with the fingerprint the host offers, to check out of band; None when a line names it (then
    it changed, see `changed_key_message`, or `bare_name_message`). Before: asyncssh's `Host key is not trusted for
    host db1`, no port, no fingerprint."""
    if trusted_entries(files, host, port):
        return None
    kind = offered.algorithm.decode("ascii", "replace")
    where = f"[{host}]:{port}" if port != 22 else host
    return (
        f"No {kind} host key is known for {visible_line(where)} (the host offers fingerprint {offered.get_fingerprint()});"
        f" expected it in {visible_line(', '.join(files))}"
    )


def changed_key_message(known_hosts: str, host: str, port: int, offered: asyncssh.SSHKey, refusing: str = "Refusing to connect") -> str | None:
    """OpenSSH's warning when known_hosts has this host under another key; None when it is not listed or matches."""
    entries = entries_for(known_hosts, host, port)
    offered_blob = offered.public_data
    if not entries or any(e.key is not None and e.key.public_data == offered_blob for e in entries):
        return None
    same_type = [e for e in entries if e.key is not None and e.key.algorithm == offered.algorithm]
    old = (same_type or entries)[0]
    where = f"[{host}]:{port}" if port != 22 else host
    kind = offered.algorithm.decode("ascii", "replace")
    return (
        f"WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! The host key of {visible_line(where)} changed: someone could be "
        f"eavesdropping on you right now (man-in-the-middle), or the host key was just replaced. "
        f"The {kind} key sent by the remote host has fingerprint {offered.get_fingerprint()}; "
        f"the old key is in {visible_line(old.file)}:{old.line}. {refusing}; if the change is expected, "
        f"remove that line (ssh-keygen -R '{visible_line(where)}' -f {visible_line(old.file)}) and check the new fingerprint out of band."
    )
