"""`IdentitiesOnly yes` in the ssh config: the agent offers only the keys of the host's identity files, as ssh offers them.

People set it where an agent holds many keys: sshd ends a login after `MaxAuthTries` (6) refused keys, and a host
should not see every key a person has. Before, it was not read: the agent's keys were offered all the same (before the
default ~/.ssh/id_* keys), and a login `ssh NAME` makes ended in `Too many authentication failures`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import asyncssh

from runbook_tui.execute.ssh_offered import DEFAULT_KEYS

#: Said after a refusal under IdentitiesOnly: why a key the agent holds was not tried.
KEPT_FROM_AGENT = " (IdentitiesOnly yes in the ssh config: no other key of the SSH agent was offered)"


def agent_keys_allowed(identities: Sequence[str]) -> list[bytes]:
    """The public keys the agent may offer under IdentitiesOnly: those of the identity files (their `.pub` or `-cert.pub`
    beside them, as ssh finds them), else of the default keys ~/.ssh/id_*; [] when none is there to read."""
    folder = os.path.expanduser("~/.ssh")
    paths = [os.path.expanduser(path) for path in identities] or [os.path.join(folder, name) for name in DEFAULT_KEYS]
    found: list[bytes] = []
    for path in paths:
        for read, suffix in ((asyncssh.read_public_key, ".pub"), (asyncssh.read_certificate, "-cert.pub")):
            try:
                found.append(read(path + suffix).public_data)
            except (OSError, asyncssh.KeyImportError):
                continue
    return found
