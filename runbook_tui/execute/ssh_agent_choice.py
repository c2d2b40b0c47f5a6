"""Which SSH agent a hop uses, as ssh chooses it: the ssh config's `IdentityAgent` for the host, else SSH_AUTH_SOCK.

Before, SSH_AUTH_SOCK alone was read: with `IdentityAgent ~/.1password/agent.sock` (a password manager's agent) every
host that `ssh NAME` logs in to refused the login here, and `IdentityAgent none` still offered SSH_AUTH_SOCK's keys.
"""

from __future__ import annotations

import os

from runbook_tui.runbook.safe_text import visible_line


def agent_socket(named: str | None) -> str:
    """The socket of the agent for a hop whose config says `IdentityAgent named` (None: it says nothing); "" for none.

    As ssh reads it: `none`, `SSH_AUTH_SOCK` (that variable), `$VAR` (the variable VAR), else a path (`~` expanded; the
    config's `%` tokens and `${VAR}` were expanded as it was read)."""
    if named is None or named == "SSH_AUTH_SOCK":
        return os.environ.get("SSH_AUTH_SOCK", "")
    if named.lower() == "none":
        return ""
    if named.startswith("$"):
        return os.environ.get(named[1:].removeprefix("{").removesuffix("}"), "")
    return os.path.expanduser(named)


def agent_named(named: str | None) -> str:
    """Where the agent's socket is named, for words: `SSH_AUTH_SOCK=PATH` or `IdentityAgent VALUE` (visible)."""
    if named is None:
        return f"SSH_AUTH_SOCK={visible_line(os.environ.get('SSH_AUTH_SOCK', ''))}"
    return f"IdentityAgent {visible_line(named)}"
