"""What a login without an `identity:` really offered, said when the host refused it.

Before, every such refusal read `tried the SSH agent and default keys`, also when SSH_AUTH_SOCK named a socket that
was gone (left from an older login, a tmux session started elsewhere) or was not set, and when no ~/.ssh/id_* key
existed: people loaded keys into an agent that was never asked, or looked for a key the host had refused when none
had been offered at all.
"""

from __future__ import annotations

import asyncio
import os

import asyncssh

from runbook_tui.execute.ssh_agent_choice import agent_named, agent_socket
from runbook_tui.runbook.safe_text import visible_line

#: The keys asyncssh (as ssh) offers when none is named, in ~/.ssh.
DEFAULT_KEYS = ("id_ed25519_sk", "id_ecdsa_sk", "id_ed448", "id_ed25519", "id_ecdsa", "id_rsa", "id_dsa")
#: How the words start when nothing at all was offered.
NOTHING_OFFERED = "no key was offered: "
#: How long the agent may take to list its keys, for the words only.
AGENT_WAIT = 2.0


async def _agent(named: str | None) -> tuple[str, str]:
    """(what the agent offered, or "" with why it offered nothing); `named`: the ssh config's IdentityAgent, if any."""
    path = agent_socket(named)
    if not path:
        return "", "no SSH agent (SSH_AUTH_SOCK is not set)" if named is None else f"no SSH agent (the ssh config says {agent_named(named)})"
    shown = agent_named(named)
    try:
        async with asyncio.timeout(AGENT_WAIT):
            agent = await asyncssh.connect_agent(path)
            try:
                keys = await agent.get_keys()
            finally:
                agent.close()
    except TimeoutError:
        return f"the SSH agent at {shown} (it did not list its keys within {AGENT_WAIT:g}s)", ""
    except (OSError, asyncssh.Error) as exc:
        why = visible_line(exc.strerror or str(exc)) if isinstance(exc, OSError) else visible_line(str(exc))
        return "", f"no SSH agent: {shown} cannot be reached ({why}; left from another login?)"
    if not keys:
        return "", f"the SSH agent at {shown} holds no key (ssh-add -l)"
    return f"the SSH agent's {len(keys)} key{'s' if len(keys) != 1 else ''}", ""


def _defaults() -> tuple[str, str]:
    folder = os.path.expanduser("~/.ssh")
    found = [name for name in DEFAULT_KEYS if os.path.isfile(os.path.join(folder, name))]
    if not found:
        return "", f"no default key ({visible_line(folder)}/id_*)"
    return "default key" + ("s " if len(found) > 1 else " ") + ", ".join(visible_line(f"{folder}/{name}") for name in found), ""


async def offered_words(agent: str | None = None) -> str:
    """What a login without `identity:` offered, after `; `: `tried the SSH agent's 2 keys and default key
    ~/.ssh/id_ed25519`, `tried default key ~/.ssh/id_rsa (no SSH agent: ...)`, or `no key was offered: ...`; `agent`: the
    ssh config's IdentityAgent for the host, if any."""
    (agent, no_agent), (defaults, no_defaults) = await _agent(agent), _defaults()
    tried, missing = [p for p in (agent, defaults) if p], [p for p in (no_agent, no_defaults) if p]
    if not tried:
        return NOTHING_OFFERED + "; ".join(missing)
    return "tried " + " and ".join(tried) + (f" ({'; '.join(missing)})" if missing else "")
