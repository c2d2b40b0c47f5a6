"""The ssh config's `RevokedHostKeys FILE`, read as ssh reads it: one public key a line (`TYPE BASE64 [comment]`, `#`
comments), each refused as any host's key; a file that is not there, or cannot be read, refuses every host key (ssh:
"Host key verification failed"). A binary KRL (`ssh-keygen -k`) is not read here: every host is refused in words, never
let in past keys it may revoke. Before: the option was not read, and a key revoked there ran the step."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

import asyncssh

from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.trust.known_by_name import KnownByName, read_by_name

#: How a KRL file begins (OpenSSH's PROTOCOL.krl).
KRL_MAGIC = b"SSHKRL\n\0"


class RevokedKeysUnusable(Exception):
    """The file cannot be used: ssh then refuses every host key (the message says why, and what to do)."""


def revoked_keys(path: str) -> list[tuple[int, asyncssh.SSHKey]]:
    """(line number, key) of each key the file lists; `RevokedKeysUnusable` when it cannot be read or is a KRL."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise RevokedKeysUnusable(f"RevokedHostKeys {path} of the ssh config cannot be read ({why}), and ssh then refuses every host key") from None
    if data.startswith(KRL_MAGIC):
        raise RevokedKeysUnusable(
            f"RevokedHostKeys {path} of the ssh config is a key revocation list (KRL), which runbook-tui does not read: refusing"
            " every host key rather than trusting one it may revoke; list the revoked keys as public key lines there instead"
        )
    found = []
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        fields = line.split()
        if len(fields) >= 2 and not fields[0].startswith("#"):
            with contextlib.suppress(asyncssh.KeyImportError, ValueError):  # ssh skips a line it cannot read, as here
                found.append((number, asyncssh.import_public_key(" ".join(fields[:2]))))
    return found


def as_known_hosts(keys: list[tuple[int, asyncssh.SSHKey]]) -> str:
    """The keys as known_hosts lines revoking them for every host (`@revoked * TYPE BASE64`)."""
    lines = (" ".join(key.export_public_key("openssh").decode("ascii").split()[:2]) for _, key in keys)
    return "".join(f"@revoked * {line}\n" for line in lines)


def revoking(path: str | None) -> str:
    """The keys of the RevokedHostKeys file `path` as known_hosts lines revoking them ("" for no file named);
    `RevokedKeysUnusable` when it cannot be read."""
    return as_known_hosts(revoked_keys(path)) if path is not None else ""


def trusted_keys(files: Sequence[str], revoked_lines: str) -> KnownByName:
    """The known_hosts `files` that are there (ssh skips a missing one; with none, no host is trusted), looked up under
    the name alone as ssh does, with `revoked_lines` (`revoking`) refusing their keys for every host: what a connection
    checks the host key against, a step host's (execute/ssh_connect.py) and `join`'s session alike."""
    known = read_by_name([path for path in files if os.path.exists(path)])
    known.load(revoked_lines)
    return known


def revoked_by_file(path: str, host: str, port: int, offered: asyncssh.SSHKey, refusing: str = "Refusing to connect") -> str | None:
    """ssh's refusal when the file lists the key the host offers, in the words it uses for a revoked key; None if not."""
    with contextlib.suppress(RevokedKeysUnusable):
        for number, key in revoked_keys(path):
            if key.public_data == offered.public_data:
                where = f"[{host}]:{port}" if port != 22 else host
                return (
                    f"WARNING: REVOKED HOST KEY DETECTED! The {offered.algorithm.decode('ascii', 'replace')} host key of"
                    f" {visible_line(where)} (fingerprint {offered.get_fingerprint()}) is revoked by file {visible_line(path)}:{number}"
                    f" (RevokedHostKeys): a stolen key may be used to impersonate this host. {refusing}."
                )
    return None
