"""Wiring for `replay --practice`: a past run's recordings stand in for every command.

The trainee drives as assignee; nothing is executed and no connection is
opened (the recorded executor serves every host). Where the night had a
decision (a failure, a rejection, a rollback) the trainee meets the same
situation and decides; the results screen sets both side by side.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

from runbook_tui.app.resume_words import practise_again
from runbook_tui.app.runbook_place import reload_runbook
from runbook_tui.app.session import Session, SessionError, open_session, operator_name
from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.engine.files import write_private
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.journal_events import JournalEvents
from runbook_tui.engine.practice import RecordedVerifier
from runbook_tui.engine.practice_commands import NightsCommands
from runbook_tui.engine.practice_results import Results, compare
from runbook_tui.engine.practice_unknown import NightsUnknown
from runbook_tui.engine.practice_wait import ShortWaits
from runbook_tui.engine.recording import Recording, record
from runbook_tui.engine.state import replay
from runbook_tui.metrics.recorded_check import RecordedChecks
from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.safe_text import shell_word


def checked_events(journal: str) -> JournalEvents:
    """A journal's events (read from the file as asked), or SessionError (code 2) saying why it cannot be trusted."""
    events, cut = replayable_events(journal)
    if cut is not None:  # (it said `refusing to replay it` to a practice, and nothing of what to do)
        raise SessionError(
            f"{journal}: the journal does not verify ({cut}); practice plays a whole night: `runbook-tui resume"
            f" {shell_word(journal)} --headless` looks at it (nothing runs) and cuts the torn line off; replay without"
            " --practice shows the night up to the cut"
        )
    return events


#: Journals whose decisions are no night's: what practice would play back as one.
_NO_NIGHT = {"practice": "a practice's own (a trainee's decisions over another night's recordings)"}


def night_events(journal: str) -> JournalEvents:
    """`checked_events`, refusing a journal that records no night to practise on (a practice's own: the next trainee
    read the first one's decisions as the night's, over outputs that were themselves played back)."""
    events = checked_events(journal)
    session = replay(events[:1]).session if len(events) else {}
    mode = str(session.get("mode") or "live")
    if mode in _NO_NIGHT:
        night = f"; its night: {practise_again(session)}" if session.get("practised") else ""
        raise SessionError(
            f"{journal}: this journal is {_NO_NIGHT[mode]} (mode {mode}); practice needs the journal of a run that ran: `replay` without --practice shows it{night}"
        )
    return events


def replayable_events(journal: str) -> tuple[JournalEvents, str | None]:
    """`checked_events`, except that a last line cut short by a crash (the only break a crash leaves) is no refusal: the
    whole events before it and the problem's words. (`replay` refused the journal of every run that died mid-write, the
    ones most worth looking at, until `resume` had cut the line off; `report` covers such a journal the same way.)"""
    events, result = JournalEvents.read(journal)
    if result.unreadable:
        raise SessionError(result.unreadable)
    if result.problems and (result.truncated_at is None or len(events) == 0):
        raise SessionError(f"{journal}: the journal does not verify ({'; '.join(result.problems)}); refusing to replay it")
    if events.impossible is not None:  # the chain holds, rewritten: `journal verify` says NOT intact (replay played it)
        raise SessionError(f"{journal}: the journal does not verify ({events.impossible}); refusing to replay it")
    return events, "; ".join(result.problems) or None


#: The trainer's mark next to a journal: `JOURNAL.scenario.json` (the journal itself is never changed).
SCENARIO_SUFFIX = ".scenario.json"


def scenario_path(journal: str | Path) -> Path:
    return Path(f"{journal}{SCENARIO_SUFFIX}")


def mark_scenario(journal: str, description: str) -> Path:
    """Mark a journal as a practice scenario: its description is shown to trainees before they start.

    The mark names the journal's final hash, so it never describes another run; it ends 0600, over an existing one too.
    """
    events = night_events(journal)
    if not description.strip():
        raise SessionError("a practice scenario needs a description: what the trainee should learn from this run")
    by = operator_name()
    mark = {
        "description": description.strip(),
        "journal_hash": events[-1]["hash"],
        "marked_by": by,
        "marked_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    path = scenario_path(journal)
    try:
        write_private(path, json.dumps(mark, indent=2, ensure_ascii=False))
    except OSError as exc:
        raise SessionError(f"cannot write {path}: {exc.strerror}") from None
    return path


def scenario_of(journal: str, events: Sequence[Event]) -> str:
    """The trainer's description of this journal, or "" (no mark, or a mark for other content, which is ignored).

    A journal that grew after it was marked (the run was resumed and went on) keeps its description, with a word that
    the run went on after it (it vanished without a word: the trainee never read what the trainer wrote)."""
    try:
        mark = json.loads(scenario_path(journal).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    if not isinstance(mark, dict):
        return ""
    description = str(mark.get("description") or "")
    marked = mark.get("journal_hash")
    if marked == events[-1]["hash"]:
        return description
    at = next((n for n, event in enumerate(events, 1) if event.get("hash") == marked), None)
    if at is None or not description:
        return ""
    return f"{description}\n\n(Marked at event {at} of {len(events)}: the run went on after the trainer marked it.)"


@dataclass
class Practice:
    """A practice run being driven: the session, the night it replays, and the recorded verifier."""

    session: Session
    night: Sequence[Event]
    recording: Recording
    verifier: RecordedVerifier | None
    scenario: str
    journal: str

    def leave(self) -> None:
        """The trainee ends the practice (q) where `exec` ends a run: after a rollback, or at a step that failed. That is
        their decision to stop there, journaled as the night's `exec` journaled its end (`session_finished` by the
        assignee); before, the night's `finish` read `did not get here` beside a trainee who had stopped at that very
        point, and counted against them. Elsewhere the practice is left unfinished, as before, and so it is when the
        night itself was left open (a `q` at the run screen journals no end: the trainee's would be a move it never had)."""
        controller = self.session.controller
        state = controller.state
        step = state.steps.get(state.current or "")
        if state.finished or controller.busy or step is None or not any(e["type"] == ev.SESSION_FINISHED for e in self.night):
            return
        rollback = state.rollback
        # back at the checkpoint (an undone step is next), or nothing started since a rollback that undid nothing (exec's
        # `--on-failure rollback` after a precheck failed ends such a night rolled back; the trainee's read FAILED)
        still = rollback is not None and all((s.started_at or "") <= (rollback.started_at or "") for s in state.steps.values())
        if rollback is not None and rollback.finished and rollback.ok and (step.status == "undone" or still):
            controller.finish(self.session.actor, "rolled_back")
        elif step.status in ("failed", "timed_out", "rejected"):
            controller.finish(self.session.actor, "failed")

    def results(self) -> Results:
        """The trainee's decisions beside the night's, from both journals."""
        self.session.flush()
        return compare(self.night, read_events(self.session.journal_path).events, self.scenario)


def open_practice(journal: str, *, out_journal: str | None = None, events: JournalEvents | None = None, speed: float = 1.0) -> Practice:
    """The practice of `journal` (its `events` when the caller checked them already: read once); the night's outputs
    play `speed` times as fast as they would."""
    events = night_events(journal) if events is None else events
    session = replay(events).session
    try:  # the night's runbook: its file, or (changed since, or gone) the copy the journal keeps
        loaded, _copied = reload_runbook(journal, session, changed_too=True)
    except RunbookInvalid as invalid:
        raise SessionError(f"cannot load the runbook of that run ({session['file']}):\n" + "\n".join(str(d) for d in invalid.diagnostics)) from None
    if loaded.runbook.digest != session.get("digest"):  # a journal from before session 27 keeps no copy
        raise SessionError(f"{session['file']} changed since that run; practice needs the same runbook (digest {session.get('digest')})")
    recording = record(events)
    recording.pace = speed
    recording.night = {
        "journal": str(Path(journal).absolute()),
        "session": str(session.get("session") or ""),
        "head": str(events[-1].get("hash") or "") if len(events) else "",
    }
    solo = None if recording.verifier_answered else "practice"
    # The night's verifier decisions (and cues) are played back in process (RecordedVerifier).
    practice = open_session(loaded, mode="practice", solo=solo, journal=out_journal, recording=recording, verifier_in_process=solo is None)
    RecordedChecks(practice.controller, recording)  # expect.metric and metrics.success, on the night's readings
    verifier = RecordedVerifier(practice.controller, recording)
    ShortWaits(practice.controller, verifier, events)  # a long `wait` plays short, and says what the night's did
    NightsUnknown(practice.controller, events)  # a step the night's process died in ends unknown, said so
    NightsCommands(practice.controller, events)  # a command that reads otherwise than the night's: said before its output
    return Practice(practice, events, recording, verifier, scenario_of(journal, events), journal)
