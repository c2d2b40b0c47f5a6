"""A re-run of a step its process died in: on each remote host it was running on, follow the run left there.

A remote command runs detached, its output and exit status in files named after its key
(`<session>/<step>/<host>/run<attempt><.try>`, runner.py), and the SSH executor re-attaches to an existing run of
that name instead of starting one (execute/ssh.py). A `resume --rerun` (enter in the TUI) used to give the re-run
a new key, so a command still running on a host was started a second time beside it, and the first one's end was
never learned. Now the first try of the re-run on such a host asks for the dead attempt's key: where that run is
still there (running, or ended with its result never collected) it is followed from its first byte to its end and
not started again (the executor says so in the journal); where it is gone, the command starts, as any re-run's.

Only hosts whose outcome is `unknown` (the process died while they ran) qualify, never `local` (a local command has
no detached run to follow) nor a dry run or practice. The try that was running is known from the program's retry
notes (`host_result.retry_note`, one per retry, naming the host first), and the run an attempt that was itself such a
re-run followed from its `follow` note (a second kill while following: the run is still the first attempt's); where
the notes kept may have lost one, the host gets the new key: a second copy can then start, as before, but never a
follow of the wrong run.

The same holds for a rollback the process died in (`undo_left_running`): its undo was running detached on each remote
host under the dead rollback's key (`undo<attempt>@<its rollback_started seq>`), and `resume --rollback` (`u`) gave it
its own rollback's key, so the undo started a second time beside the first. Now the resumed rollback's undo of that
step asks for the dead rollback's key there (or, when that rollback itself followed an older one, the older one's: its
`follow` note, whose try tags start with `@`), and is followed as a re-run's command is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runbook_tui.engine.events import SYSTEM
from runbook_tui.engine.state_model import NOTES_KEPT, RunState
from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.safe_text import visible_line

#: The `request` of the note journaled before such a re-run; its `follows` names the run followed on each host.
FOLLOW = "follow"
#: Said by the executor when a command's run was found on its host, left there by the process that died (its key is the
#: dead attempt's): followed to its end, never started a second time beside it. Journaled as the program's `note` on
#: that host, not as an `error`: nothing went wrong (before, the report listed it among the errors, `(transient)`).
FOUND_RUN = "the command's run was already there, left by an earlier process or a lost connection: followed from its first byte to its end, not started again"
#: In a host's error: its command (or undo) ran on detached when the link to it was lost (execute/ssh_lost.py).
LEFT_RUNNING = "may still be running"
#: In a retry's note after a lost link (host_result.left_there): the retry follows the run left on the host, under the
#: lost try's key, so that try's run is still the one running there.
RETRY_FOLLOWS = "the retry follows that run if it is still there (its output from its first byte, then its end), not starting it again beside it"
_RETRY_NUMBER = lazy_re.compile(r"[:;] retry (\d+)/\d+ in \S+s$")


def left_running(state: RunState, sid: str) -> dict[str, tuple[int, str]]:
    """Per remote host of `sid` whose outcome is unknown: the (attempt, try tag) of the run its dead process left there,
    or, on a step that failed, the run a lost link left there (`lost connection … may still be running there`): before,
    enter re-ran that step under a new key, beside the first run."""
    held = state.steps.get(sid)
    if held is None or held.status not in ("unknown", "failed") or held.started_at is None or state.mode in ("dry-run", "practice"):
        return {}
    since = held.started_at
    notes = [n for n in state.notes if str(n.get("ts")) >= since]
    if len(state.notes) >= NOTES_KEPT and notes and len(notes) == len(state.notes):
        return {}  # the oldest note kept is of this attempt: a retry note before it may have been dropped
    found: dict[str, tuple[int, str]] = {}
    for host, where in held.hosts.items():
        if where.status != "unknown" or host == "local" or (held.status == "failed" and LEFT_RUNNING not in (where.error or "")):
            continue
        run = held.follows.get(host, (held.attempts, ""))  # a re-run that died before its follow note: the run it followed
        for note in notes:
            if note.get("step") != sid or note.get("actor") != SYSTEM:
                continue
            follows = note.get("follows") if note.get("request") == FOLLOW else None
            named = _run_named(follows.get(host)) if isinstance(follows, Mapping) else None
            if named is not None and not named[1].startswith("@"):  # this attempt followed an older run (`@`: an undo's)
                run = named
            text = str(note.get("text", ""))
            number = _RETRY_NUMBER.search(text)
            if number and text.startswith((f"{host}: ", f"{host}; ")) and not note.get("request") and RETRY_FOLLOWS not in text:
                run = (held.attempts, f".{number.group(1)}")  # a retry: a run of its own, under this attempt (unless it followed a lost one)
        found[host] = run
    return found


def undo_waits_for(state: RunState, sid: str) -> dict[str, tuple[int, str]]:
    """Per remote host of `sid` whose link was lost while its command ran there (it may still run): the run left there,
    which a rollback follows to its end before it runs the undo there (engine/rollback_run.py). Before, the undo ran
    there at once, while the command it undoes might still be running: the two raced."""
    held = state.steps.get(sid)
    if held is None:
        return {}
    return {h: run for h, run in left_running(state, sid).items() if LEFT_RUNNING in (held.hosts[h].error or "")}


def undo_waits_first(state: RunState, sid: str, undo_left: Mapping[str, Any]) -> dict[str, tuple[int, str]]:
    """The hosts of `undo_waits_for` where a rollback follows the run left there before the undo: all but those where
    an undo a dead rollback left (`undo_left`: `undo_left_running`'s of `sid`) may have begun, its note of that run's end
    journaled. Before, every host with such an undo was passed over: a rollback killed while it followed the command
    (no undo begun there) was resumed by one that started the undo at once, while the command still ran."""
    notes = [n for n in state.notes if n.get("step") == sid and n.get("actor") == SYSTEM and str(n.get("ts")) >= (state.steps[sid].started_at or "")]
    return {
        host: run
        for host, run in undo_waits_for(state, sid).items()
        if host not in undo_left or not any(str(n.get("text", "")).startswith(tuple(f"{visible_line(host)}: {o}" for o in _LEFT_RUN_OVER)) for n in notes)
    }


def waits_words(host: str) -> str:
    """What the undo list and the rollback's note say of such a host."""
    return f"the undo waits for the run left on {visible_line(host)} to end first"


def waiting_note(sid: str, hosts: list[str]) -> dict[str, Any]:
    """The note journaled as a rollback's undo of `sid` begins on hosts whose link was lost while the command ran."""
    text = (
        f"undo of '{sid}': the link to {', '.join(visible_line(h) for h in hosts)} was lost while the command ran, and it may still"
        f" be running there: {'; '.join(waits_words(h) for h in hosts)} (followed from its first byte), then runs there;"
        " where that run is not found, the undo runs at once."
    )
    return {"step": sid, "text": text}


#: How the note of a run left there that is over begins after the host's name (`left_run_ended`): it ended, or the host
#: holds none; the undo may have begun after it.
_LEFT_RUN_OVER = ("the run left there ended (", "the run left there could not be followed (found no run")


def left_run_ended(host: str, code: int | None, error: str | None, absent: bool = False) -> str:
    """The note once a rollback followed (or could not follow) the run a lost link left on `host`; `absent`: the host
    answered, and holds no run of that key (`ports.NO_RUN_TO_FOLLOW`)."""
    if error is None:
        return f"{visible_line(host)}: {_LEFT_RUN_OVER[0]}exit {code}); its undo runs now"
    if absent:
        return f"{visible_line(host)}: the run left there could not be followed ({visible_line(error)}); its undo runs now without waiting: check that the command no longer runs there"
    return f"{visible_line(host)}: the run left there could not be followed to its end ({visible_line(error)})"


#: Begins a host's undo result (and so its error) where the rollback did not run the undo: the run a lost link left
#: there could not be followed to its end (the host did not answer). The command may still run: the next rollback
#: waits for it again (`undo_waits_for`), and no undo of this rollback is left there to follow (`undo_left_running`).
UNDO_HELD = "its undo was not run"


def undo_held(host: str) -> str:
    """Why a rollback stopped before the undo on `host`, whose command a lost link left running and that it could not
    follow to its end. Before, the undo ran there at once (`without waiting`), racing the command should the link be
    back, and its failure to connect replaced the host's `may still be running`: the next rollback did not wait either."""
    name = visible_line(host)
    return (
        f"{UNDO_HELD}: the command {LEFT_RUNNING} there; the rollback stops here, and `resume --rollback` follows that run"
        f" to its end once {name} answers again, then runs the undo"
    )


def _run_named(value: object) -> tuple[int, str] | None:
    """[attempt, tag] as a `follow` note journals it, or None for anything else (an edited journal)."""
    if isinstance(value, (list, tuple)) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str):
        return int(value[0]), str(value[1])
    return None


def undo_left_running(state: RunState) -> dict[str, dict[str, tuple[int, str]]]:
    """{step: {host: (attempt, rollback tag)}}: the step whose undo the dead process was running when its rollback was
    cut short, or whose undo a rollback that went on living lost its connection to (it stopped there: `lost connection
    to peer01 …; the command may still be running there`), and per remote host of that undo the run it left there; {}
    when none. Before, the undo a lost link left was started again beside (or after) the first by the next rollback."""
    rollback = state.rollback
    sid = rollback.failed_step if rollback is not None and (rollback.interrupted or rollback.ok is False) else None
    held = state.steps.get(sid) if sid is not None else None
    if rollback is None or sid is None or held is None or rollback.started_seq is None or state.mode in ("dry-run", "practice"):
        return {}
    since = rollback.started_at or ""
    notes = [n for n in state.notes if str(n.get("ts")) >= since]
    if len(state.notes) >= NOTES_KEPT and notes and len(notes) == len(state.notes):
        return {}  # a follow note of this rollback may have been dropped: a new key, never a follow of the wrong run
    hosts = {str(e.get("host")) for e in rollback.plan.get("entries", ()) if e.get("step_id") == sid and e.get("command") is not None}
    lost = {h for h in hosts - {"local"} if h in held.hosts and held.hosts[h].status != "undone" and _undo_lost(held.hosts[h].error or "")}
    if rollback.interrupted:  # local: nothing detached to follow; ended: its end is journaled, its run collected, unless its link was lost
        hosts -= {"local", *(h for h in rollback.ended_hosts if h not in lost)}
    else:  # it ended everywhere; where its link was lost it may run on (the undo's end, folded into the host's error)
        hosts = lost
    followed = rollback.follows.get(sid, {})  # this rollback followed an older one's undo there (or would have: died first)
    found = {host: followed.get(host, (held.attempts, f"@{rollback.started_seq}")) for host in held.hosts if host in hosts}
    for note in notes:
        follows = note.get("follows") if note.get("request") == FOLLOW and note.get("step") == sid and note.get("actor") == SYSTEM else None
        if not isinstance(follows, Mapping):
            continue
        for host in found:
            named = _run_named(follows.get(host))
            if named is not None and named[1].startswith("@"):  # this rollback followed an older one's undo there
                found[host] = named
    return {sid: found} if found else {}


def _undo_lost(error: str) -> bool:
    """Whether a host's error after a rollback's undo says the undo ran on detached when its link was lost, not that it
    never ran (`UNDO_HELD`: what may run on there is the step's command, which the next rollback waits for)."""
    return LEFT_RUNNING in error and not error.startswith(UNDO_HELD)


def undo_lost_link(state: RunState) -> bool:
    """Whether the undo `undo_left_running` names was left running by a lost link (the last rollback stopped there), not
    by a process that died."""
    return state.rollback is not None and not state.rollback.interrupted and state.rollback.ok is False


def following_undo_note(sid: str, found: Mapping[str, tuple[int, str]], lost: bool = False) -> dict[str, Any]:
    """The note journaled before a resumed rollback's undo that follows the undo the stopped process left running
    (`lost`: the undo the last rollback lost its connection to)."""
    left = "the undo the last rollback lost its connection to" if lost else "the undo the stopped process left there"
    text = (
        f"undo of '{sid}' on {', '.join(found)}: {left} is followed if it is still there"
        " (running, or ended with its result never collected): its output from its first byte, then its end; it is not"
        " started again beside it. Where it is gone, the undo starts again."
    )
    return {"step": sid, "text": text, "request": FOLLOW, "follows": {host: list(run) for host, run in found.items()}}


def following_note(sid: str, found: Mapping[str, tuple[int, str]]) -> dict[str, Any]:
    """The note journaled before such a re-run starts, so the output that comes again from its first byte reads as that."""
    text = (
        f"re-run on {', '.join(found)}: the run the stopped process left there is followed if it is still there (running, or"
        " ended with its result never collected): its output from its first byte, then its end; it is not started again"
        " beside it. Where it is gone, the command starts again."
    )
    return {"step": sid, "text": text, "request": FOLLOW, "follows": {host: list(run) for host, run in found.items()}}
