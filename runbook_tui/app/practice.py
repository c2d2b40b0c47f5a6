"""Wiring for `replay --practice`: a past run's recordings stand in for every command.

The trainee drives as assignee; nothing is executed and no connection is
opened (the recorded executor serves every host). Where the night had a
decision (a failure, a rejection, a rollback) the trainee meets the same
situation and decides; the summary compares both.
"""

from __future__ import annotations

from pathlib import Path

from runbook_tui.app.session import Session, SessionError, open_session
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.journal_events import JournalEvents
from runbook_tui.engine.practice import RecordedVerifier
from runbook_tui.engine.recording import Recording, compare, record
from runbook_tui.engine.state import replay
from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.loader import load_runbook


def checked_events(journal: str) -> JournalEvents:
    """A journal's events (read from the file as asked), or SessionError (code 2) saying why it cannot be trusted."""
    events, result = JournalEvents.read(journal)
    if result.unreadable:
        raise SessionError(result.unreadable)
    if result.problems:
        raise SessionError(f"{journal}: the journal does not verify ({'; '.join(result.problems)}); refusing to replay it")
    return events


def open_practice(journal: str, *, out_journal: str | None = None) -> tuple[Session, Recording]:
    events = checked_events(journal)
    session = replay(events).session
    try:
        loaded = load_runbook(session.get("path") or session["file"], dict(session.get("params") or {}))
    except RunbookInvalid as invalid:
        raise SessionError(f"cannot load the runbook of that run ({session['file']}):\n" + "\n".join(str(d) for d in invalid.diagnostics)) from None
    if loaded.runbook.digest != session.get("digest"):
        raise SessionError(f"{session['file']} changed since that run; practice needs the same runbook (digest {session.get('digest')})")
    recording = record(events)
    solo = None if recording.verdicts else "practice"
    # The night's verifier decisions are played back in process (RecordedVerifier).
    practice = open_session(loaded, mode="practice", solo=solo, journal=out_journal, recording=recording, verifier_in_process=solo is None)
    if solo is None:
        RecordedVerifier(practice.controller, recording)
    return practice, recording


def summary(night: Recording, practice_journal: Path) -> str:
    """The comparison printed when the practice ends."""
    mine = record(read_events(practice_journal).events)
    return "\n".join(compare(night, mine)) + "\n"
