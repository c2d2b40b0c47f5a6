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

from runbook_tui.engine.reattach import FOUND_RUN
from runbook_tui.execute.local import HELD_OPEN
from runbook_tui.execute.ssh_framing import Framed, RemoteRun
from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.safe_text import visible_line

#: The follow script's exits before its header, each having started nothing (see follow_script).
NO_TOKEN, WRAPPER_CUT = 120, 122
#: Characters of the host's own words kept for a message.
SAID_LIMIT = 300
#: What csh and tcsh say of an sh script handed to them: the login shell of the account is of the csh family.
_CSH_SAYS = lazy_re.compile(r"Unmatched '|Badly placed \(\)'s|: Undefined variable\.|: Expression Syntax\.|endif not found\.")
#: The words for such a login shell (before, it read as a ForceCommand or nologin; `preflight_hosts` says what to do).
CSH_LOGIN = (
    "its login shell is of the csh family (csh, tcsh), which cannot read the sh script runbook-tui sends (sshd hands"
    " every command to the login shell, as `ssh HOST COMMAND` does)"
)


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
    if never and _CSH_SAYS.search(said):  # root's shell on FreeBSD, some old accounts: not a restriction, a shell
        return f"could not start the command on {host}: {CSH_LOGIN}{tail}", False
    if never:
        return (
            f"could not start the command on {host}: the host ran something else in its place (exit status {status}):"
            f" a ForceCommand in its sshd_config, a command= restriction on the key in authorized_keys, or a login"
            f" shell that runs no commands (nologin){tail}"
        ), False
    noise = (err.noise + err.buf).decode(errors="replace").strip()[-500:]
    return f"the follow session on {host} ended early ({visible_line(noise) or f'exit status {status}'}); see {where}", True


def end_notes(host: str, run: RemoteRun) -> list[str]:
    """What to say beside a run's exit status: found already there, its files removed, its output held open, the host's disk full.

    A full disk: the command's output and error messages go to the run's files, so writes the disk refused are lost
    with no word on either stream (the error saying so went to the full disk too). Before, a step whose `tr` died of
    ENOSPC read only `exit code 1, expected 0`, its output cut short in the middle and its last lines missing."""
    notes = [f"{host}: {FOUND_RUN}"] if run.found else []
    if run.files_removed:
        notes.append(
            f"{host}: the command removed its run's files ({run.where}) while it ran: its exit status is"
            " the one its shell reported, but output written to them before they were read is missing"
        )
    if run.held:  # as the local executor says it, after the same wait (ssh_scripts.DRAIN)
        notes.append(f"{host}: {HELD_OPEN}")
    if run.disk_full:
        notes.append(
            f"{host}: the disk holding the run's files ({run.where}) was full when the command ended: what it wrote"
            " there after that was lost, its output and error messages may be cut short (and its own writes may have"
            " failed); free space there"
        )
    return notes


def unrecorded_end(flags: list[str], where: str) -> str:
    """Why a run the follow script re-attached to recorded no exit status, from the trailer's words (`follow_script`).

    `rebooted`: the `pid` line names another boot of the host than the one now (`RUN_INFO`). The restart stopped the
    command; before, a pid the restart freed and another process now held was followed as the command's until that
    process ended (a daemon's: never), and a timeout's stop signalled that process's group.
    """
    if "stopped" in flags:  # a stop had begun (`stop_script`)
        return f"the command ended without recording an exit status: the program was stopping it (its timeout, or a person's stop) when that process died; see {where}"
    if "rebooted" in flags:
        return f"the host restarted while the command ran (its boot id changed): the restart stopped the command before it recorded an exit status, so how far it got is not known; see {where}"
    return f"the command ended without recording an exit status (killed?); see {where}"
