"""What `resume` reads before it writes anything: the journal folded back under its lock, and the runbook reloaded.

`resume_session` goes on to journal the resume; `look_at_resume` (`resume --headless` told nothing to decide or
change) only tells where the run stands, and leaves the journal as it found it.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from runbook_tui.app.runbook_place import runbook_file
from runbook_tui.engine.actors import SYSTEM
from runbook_tui.engine.backlog import last_events
from runbook_tui.engine.errors import StartRefused
from runbook_tui.engine.events import REOPENABLE, SESSION_RESUMED, STEP_READY_TYPES, Event
from runbook_tui.engine.journal import JournalError, JournalScan, cut_partial_tail
from runbook_tui.engine.journal_file import hold_journal, refuse_unsafe_journal
from runbook_tui.engine.outcomes import exit_code
from runbook_tui.engine.state import RunState, UnreadableEvent, apply, replay
from runbook_tui.runbook.diagnostics import RunbookInvalid, diagnostic_lines
from runbook_tui.runbook.loader import Loaded, load_runbook
from runbook_tui.runbook.safe_text import visible_line

if TYPE_CHECKING:
    from runbook_tui.metrics.guard_memory import GuardMemory
    from runbook_tui.notify.ledger import NoticeLedger

#: The modes this program writes in `session_started`.
MODES = frozenset({"live", "dry-run", "rehearsal", "practice"})

#: The state, the steps' ready events shown, the pane's last events, the runbook, the notices and guards, the torn bytes.
Read = tuple[RunState, list[Event], list[Event], Loaded, "tuple[NoticeLedger, GuardMemory]", int]


def read_to_resume(path: Path, reopen: str | None, *, look: bool = False) -> Read:
    """The journal read under its writer's lock (no other process writes it meanwhile); a torn last line is cut, unless
    `look` (read only: counted, not cut, and no backlog). StartRefused when the journal or the runbook does not allow
    resuming."""
    try:
        refuse_unsafe_journal(path)
        held = hold_journal(path)
    except JournalError as exc:
        raise StartRefused(str(exc.strerror), code=1 if exc.errno == errno.EBUSY else 2) from None
    try:
        return _read(path, reopen, look)
    finally:
        os.close(held)  # a resume's writer takes the lock again


def look_at_resume(journal: str) -> tuple[RunState, int]:
    """Where a resume would start (a step the dead process was running: unknown) and the bytes of a cut-short last line,
    for a resume that decides and changes nothing: it reads the journal and writes nothing (before, every look journaled
    a `session_resumed`, and the report listed each as a resume)."""
    state, *_, torn = read_to_resume(Path(journal), None, look=True)
    would_be = {"seq": state.seq + 1, "ts": state.last_ts, "type": SESSION_RESUMED, "actor": SYSTEM, "pid": os.getpid()}
    return apply(state, would_be), torn


def _noting(events: Iterable[Event], *notes: Callable[[Event], object]) -> Iterator[Event]:
    """`events` as they come, each handed to every one of `notes` on the way (resume reads the journal once)."""
    for event in events:
        for note in notes:
            note(event)
        yield event


def _read(path: Path, reopen: str | None, look: bool) -> Read:
    """The state folded from the journal, the steps' ready events shown, the pane's last events, the runbook reloaded and
    the bytes of a cut-short last line dropped (said once the run resumes); StartRefused when the journal or the runbook
    does not allow resuming."""
    read = JournalScan(path)
    shown: list[Event] = []  # the steps' ready events, for the assignee's signer: gathered on the same pass
    from runbook_tui.metrics.guard_memory import GuardMemory  # a resume's only: exec and run do not load them
    from runbook_tui.notify.ledger import NoticeLedger

    ledger, guards = NoticeLedger(), GuardMemory()  # and the notices owed and settled, and what the guards had seen

    def keep_shown(event: Event) -> None:
        if event["type"] in STEP_READY_TYPES:
            shown.append(event)

    try:
        state: RunState = replay(_noting(read, ledger.note, guards.note, keep_shown))  # one pass over the file: memory does not grow with the journal
    except UnreadableEvent as exc:
        raise StartRefused(f"{path}: {exc}; refusing to resume") from None
    if read.unreadable:
        raise StartRefused(read.unreadable)
    if read.problems and read.truncated_at is None:
        # An event not as this program writes it: a journal it cannot read (2), as `report` and `replay` say; a break in the chain: tampered (1).
        raise StartRefused(f"{path}: the journal does not verify ({'; '.join(read.problems)}); refusing to resume", code=2 if read.malformed else 1)
    torn = 0 if read.truncated_at is None else path.stat().st_size - read.truncated_at
    if not look:
        cut_partial_tail(path, read)
    backlog = [] if look else last_events(path)  # what the pane showed before the process stopped
    if state.finished and (reopen is None or state.outcome not in REOPENABLE):
        hint = "; `resume --rollback` (or `--rollback --full`) undoes what it changed" if state.outcome in REOPENABLE else ""
        # Exit "as run" (the contract's `resume`): 0 for a session that ended done (it said 1, as if it had failed).
        raise StartRefused(f"{path}: this session already finished ({state.outcome}); nothing to resume{hint}", code=exit_code(state.outcome))
    session = state.session
    if session.get("mode", "live") not in MODES:  # only a re-chained (edited) journal: an unknown mode would run as live
        raise StartRefused(
            f"{path}: session_started: mode {session.get('mode')!r} is not one this program writes ({', '.join(sorted(MODES))}); refusing to resume"
        )
    try:
        loaded = load_runbook(runbook_file(path, session), dict(session.get("params") or {}))  # where it was, or moved
    except RunbookInvalid as invalid:
        raise StartRefused(f"cannot reload {visible_line(str(session['file']))}:\n" + diagnostic_lines(invalid.diagnostics)) from None
    if loaded.runbook.digest != session.get("digest"):
        raise StartRefused(
            f"{session['file']} changed since the run started (digest {session.get('digest')}); refusing to resume on a different runbook", code=1
        )
    return state, shown, backlog, loaded, (ledger, guards), torn
