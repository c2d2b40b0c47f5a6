"""How `resume` reads a journal back: the state folded in one pass, the runbook reloaded, and every reason to refuse
(an unreadable or tampered journal, a finished session, a changed runbook, a rollback of nothing) said before anything
is journaled."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from runbook_tui.app.resume_words import NEVER_BEGAN, already_finished, not_resumable, nothing_to_reopen
from runbook_tui.app.runbook_place import reload_runbook
from runbook_tui.app.session import MODES, SessionError
from runbook_tui.engine.backlog import last_events
from runbook_tui.engine.event_order import FirstImpossible
from runbook_tui.engine.events import STEP_READY_TYPES, Event
from runbook_tui.engine.journal import JournalScan
from runbook_tui.engine.outcomes import EXIT_FAILED
from runbook_tui.engine.run_process import who, writer_verdict
from runbook_tui.engine.state import RunState, UnreadableEvent, replay
from runbook_tui.runbook.diagnostics import RunbookInvalid, diagnostic_lines
from runbook_tui.runbook.loader import Loaded
from runbook_tui.runbook.safe_text import visible_line

if TYPE_CHECKING:
    from runbook_tui.metrics.guard_memory import GuardMemory
    from runbook_tui.notify.ledger import NoticeLedger


class Finished(SessionError):
    """Resume refused: the session finished. Its state and notices, for what is still owed (app/end_notices.py)."""

    def __init__(self, message: str, state: RunState, ledger: NoticeLedger, code: int) -> None:
        super().__init__(message, code=code)
        self.state, self.ledger = state, ledger


def _noting(events: Iterable[Event], *notes: Callable[[Event], object]) -> Iterator[Event]:
    """`events` as they come, each handed to every one of `notes` on the way (resume reads the journal once)."""
    for event in events:
        for note in notes:
            note(event)
        yield event


def read_to_resume(
    path: Path, reopen: str | None, full: bool
) -> tuple[RunState, list[Event], list[Event], Loaded, tuple[NoticeLedger, GuardMemory, str | None], tuple[int, int] | None]:
    """The state, the steps' ready events shown, the pane's last events, the runbook reloaded and a torn last line (start,
    size: the writer drops it, the resume says so); SessionError when the journal or the runbook does not allow resuming."""
    read = JournalScan(path)
    shown: list[Event] = []  # the steps' ready events, for the assignee's signer: gathered on the same pass
    from runbook_tui.metrics.guard_memory import GuardMemory  # a resume's only: exec and run do not load them
    from runbook_tui.notify.ledger import NoticeLedger

    ledger, guards, impossible = NoticeLedger(), GuardMemory(), FirstImpossible()  # and the notices, the guards, the sequence

    def keep_shown(event: Event) -> None:
        if event["type"] in STEP_READY_TYPES:
            shown.append(event)

    try:
        state: RunState = replay(_noting(read, ledger.note, guards.note, keep_shown, impossible))  # one pass: memory stays flat
    except UnreadableEvent as exc:
        raise SessionError(f"{path}: {exc}; refusing to resume") from None
    if read.unreadable or (read.last is None and read.truncated_at is not None):  # the first line torn: was a KeyError
        raise SessionError(read.unreadable or f"{path}: {NEVER_BEGAN}")
    # Not as this program writes it: unreadable (2), as report and replay say; a broken chain, or an impossible event in one that holds: tampered (1).
    broken = "; ".join(read.problems) if read.problems and read.truncated_at is None else impossible.found  # (journal verify: NOT intact)
    if broken is not None:
        raise SessionError(f"{path}: the journal does not verify ({broken}); refusing to resume", code=2 if read.malformed else 1)
    torn = None if read.truncated_at is None else (read.truncated_at, path.stat().st_size)  # dropped by the writer (journaled)
    backlog = last_events(path, until=read.truncated_at)  # what the pane showed before the process stopped
    if (finished := already_finished(state, reopen is not None, full)) is not None:
        raise Finished(f"{path}: {finished[0]}", state, ledger, code=finished[1])
    session = state.session
    if writer_verdict(writer := session.get("process")) == "running":  # a copy of a live run's journal: its lock is not on the copy
        raise SessionError(
            f"{path} was written by runbook-tui {who(writer)}, which still runs (this file is not the one it holds: a copy of its"
            " journal?): the run, or a resume of it, is still going; end that one first, then resume again",
            code=1,
        )
    if (refused := not_resumable(path, session, MODES)) is not None:  # a mode that would run as another one
        raise SessionError(refused)
    try:
        loaded, copied = reload_runbook(path, session)  # where it was, or moved; gone: the copy session_started keeps
    except RunbookInvalid as invalid:
        raise SessionError(f"cannot reload {visible_line(str(session['file']))}:\n" + diagnostic_lines(invalid.diagnostics)) from None
    if loaded.runbook.digest != session.get("digest"):
        raise SessionError(
            f"{session['file']} changed since the run started (digest {session.get('digest')}); refusing to resume on a different runbook", code=1
        )
    if reopen is not None and (nothing := nothing_to_reopen(state, loaded.runbook, full)) is not None:
        raise SessionError(f"{path}: {nothing}", code=EXIT_FAILED)  # the session stays failed: 1, as `run` exits for one
    return state, shown, backlog, loaded, (ledger, guards, copied), torn
