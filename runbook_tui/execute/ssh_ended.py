"""What a follow session that ended before its trailers says, when the host gave an exit status (no dropped link).

The follow script writes its header (`start PID DIR`) right after starting the command; before it, it exits only
with 120 (no session token read) or 122 (the wrapper not read whole), having started nothing. A session that ends
with another status and no header never ran the script at all: the host ran something else in its place. A
`ForceCommand` in sshd_config, a `command="..."` restriction on the key in authorized_keys, or a login shell that
runs no commands (`nologin`: "This account is currently not available.") do that. Before, this read `the follow
session on db1 ended early (exit status 1); see ~/.cache/runbook-tui/runs/...*`: the host's own words dropped (they
came on stdout) and files named that were never made.
"""

from __future__ import annotations

from runbook_tui.execute.ssh_framing import Framed
from runbook_tui.runbook.safe_text import visible_line

#: The follow script's exits before its header, each having started nothing (see follow_script).
NO_TOKEN, WRAPPER_CUT = 120, 122
#: Characters of the host's own words kept for a message.
SAID_LIMIT = 300


def host_said(out: Framed, err: Framed) -> str:
    """What the host wrote before any header, stdout's then stderr's, as one visible line (the last of it)."""
    parts = [(framed.noise + framed.buf).decode(errors="replace").strip() for framed in (out, err) if framed.head is None]
    said = visible_line(" / ".join(part for part in parts if part))
    return said if len(said) <= SAID_LIMIT else "…" + said[-SAID_LIMIT:]


def ended_words(host: str, status: int, out: Framed, err: Framed, *, first_start: bool, where: str) -> tuple[str, bool]:
    """(the words, whether the command may have started) for a session that exited with `status` before its trailers.

    `first_start`: this session was the first to send the command (no earlier session may have started it)."""
    said = host_said(out, err)
    tail = f"; it said: {said}" if said else ""
    never = first_start and out.head is None
    if status == NO_TOKEN:
        return (
            f"could not start the command on {host}: no session token read: the host's login"
            f" (~/.bashrc, /etc/profile, a ForceCommand) read or closed the session's input{tail}"
        ), not never
    if never and status == WRAPPER_CUT:
        return f"could not start the command on {host}: the session's input ended before the whole command was read{tail}", False
    if never:
        return (
            f"could not start the command on {host}: the host ran something else in its place (exit status {status}):"
            f" a ForceCommand in its sshd_config, a command= restriction on the key in authorized_keys, or a login"
            f" shell that runs no commands (nologin){tail}"
        ), False
    noise = (err.noise + err.buf).decode(errors="replace").strip()[-500:]
    return f"the follow session on {host} ended early ({visible_line(noise) or f'exit status {status}'}); see {where}", True
