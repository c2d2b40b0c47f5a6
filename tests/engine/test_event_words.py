"""Every event type the table declares has its own words (none falls back to `key=value`)."""

from __future__ import annotations

from runbook_tui.engine import events as ev
from runbook_tui.engine.event_words import SAYS, said, status_words


def test_every_declared_type_but_output_samples_and_host_ends_has_words() -> None:
    assert set(ev.VOCABULARY) - set(SAYS) == {ev.OUTPUT, ev.METRIC_SAMPLE, ev.HOST_FINISHED, ev.UNDO_HOST_FINISHED}  # the step's (undo's) line says each host


def test_a_type_from_a_newer_writer_is_still_shown() -> None:
    assert lines({"seq": 9, "ts": "2026-12-01T12:00:00.000Z", "type": "future_thing", "actor": "a", "prev": "", "hash": "", "size": 3}) == [
        "by a, not known to this version: size=3"
    ]


def lines(event: dict[str, object]) -> list[str]:
    words = said(event)
    assert words is not None
    return words.lines


def test_a_default_pause_reason_is_not_said_twice() -> None:
    event = {"type": ev.PAUSED, "actor": "alice", "ts": "2026-12-01T12:00:00.000Z", "reason": "paused by alice"}
    assert lines(event) == ["paused by alice"]
    assert lines({**event, "actor": "system", "reason": "guard 'errors' tripped"}) == ["paused by the program: guard 'errors' tripped"]


def test_a_pause_is_said_once_wherever_it_is_shown() -> None:
    """The status row read `PAUSED: paused by alice` and resume `The run is paused (paused by alice)`: the reason
    journaled for a bare p, said after the word it repeats. The journal keeps its reason (contract); the shown words
    name who paused once, keep a reason of one's own, and a guard's (the system's) words alone, as they name the cause."""
    from runbook_tui.engine.event_words import paused_words

    assert paused_words("alice", "paused by alice") == "by alice"
    assert paused_words("alice", "waiting for DBA") == "by alice: waiting for DBA"
    assert paused_words("alice", "paused by bob") == "by alice: paused by bob", "only the pauser's own default is left out"
    assert paused_words("system", "guard 'errors' tripped") == "guard 'errors' tripped"
    assert paused_words(None, "paused by alice") == "paused by alice", "who paused unknown: the reason as journaled"
    event = {"type": ev.PAUSED, "actor": "alice", "ts": "2026-12-01T12:00:00.000Z", "reason": "paused by alice"}
    assert lines({**event, "reason": "paused until the DBA calls"}) == ["paused by alice: paused until the DBA calls"], "a reason of one's own is kept"
    resumed = {**event, "type": ev.RESUMED, "reason": "resumed"}
    assert lines(resumed) == ["resumed by alice"]


def test_a_verifier_request_without_words_is_not_said_twice() -> None:
    """bob's `p` and `u` with no words journal "bob asks to hold" / "bob requests a rollback" as the reason; the log
    read `hold asked by bob: bob asks to hold`. Words bob gave are kept, even ones that read like the default."""
    hold = {"type": ev.HOLD_REQUESTED, "actor": "bob", "ts": "2026-12-01T12:00:00.000Z", "reason": "bob asks to hold"}
    assert lines(hold) == ["hold asked by bob"]
    assert lines({**hold, "reason": "p99 climbing"}) == ["hold asked by bob: p99 climbing"]
    back = {**hold, "type": ev.ROLLBACK_REQUESTED, "reason": "bob requests a rollback"}
    assert lines(back) == ["rollback requested by bob"]
    assert lines({**back, "actor": "carol"}) == ["rollback requested by carol: bob requests a rollback"]


def test_statuses_and_outcomes_in_words() -> None:
    assert [status_words(s) for s in ("awaiting_verification", "failed", "rolled_back", "done_criteria_failed")] == [
        "waiting for verifier",
        "FAILED",
        "ROLLED BACK",
        "DONE, SUCCESS CRITERIA NOT MET",
    ]


def test_the_undo_list_marks_a_step_that_failed_or_whose_outcome_is_unknown() -> None:
    entries = [
        {"step_id": "e", "host": "web1", "command": "undo-e", "outcome": "failed"},
        {"step_id": "d", "host": "web1", "command": None, "outcome": "unknown"},
        {"step_id": "c", "host": "web1", "command": "undo-c", "outcome": "done"},
    ]
    reason = "exec --on-failure rollback: 'e' failed"
    event = {"type": ev.ROLLBACK_STARTED, "actor": "alice", "scope": "checkpoint", "reason": reason, "plan": {"checkpoint_step": "b", "entries": entries}}
    assert lines(event) == [
        f"rollback (checkpoint) started by alice, back to b: {reason}",
        "   undo e (step failed) on web1: undo-e",
        "   undo d (step unknown) on web1: (no undo: acknowledged)",
        "   undo c on web1: undo-c",
    ]
    # A plan journaled with notes (engine/undo_notes.py) is said in the undo list's own words.
    entries[0]["note"], entries[2]["note"] = "step failed, then skipped by alice", ""
    assert lines(event)[1::2] == ["   undo e (step failed, then skipped by alice) on web1: undo-e", "   undo c on web1: undo-c"]


def test_sessions_counted_with_a_join_are_said_in_the_singular_and_the_plural() -> None:
    """A verifier who reconnected once read "(1 more sessions counted)" in exec's lines and the log."""
    event = {"type": ev.PARTICIPANT_JOINED, "actor": "bob", "ts": "2026-12-01T12:00:00.000Z", "name": "bob", "role": "verifier"}
    assert [lines({**event, "repeats": n}) for n in (0, 1, 2)] == [
        ["bob joined as verifier"],
        ["bob joined as verifier (1 more session counted)"],
        ["bob joined as verifier (2 more sessions counted)"],
    ]


def test_a_step_with_no_command_runs_nothing_anywhere() -> None:
    """A note, a question or a wait is journaled on the first host (`local`) with no command: its line read `started
    (attempt 1) on local`, in exec, the live log, replay, practice and the report, while nothing ran there."""
    started = {"type": ev.STEP_STARTED, "actor": "alice", "ts": "2026-12-01T12:00:00.000Z", "step": "tell-oncall", "attempt": 1, "hosts": ["local"]}
    assert lines({**started, "commands": {}, "text": "Post in #oncall"}) == ["tell-oncall started (attempt 1): nothing runs"]
    assert lines({**started, "commands": {"local": "true"}}) == ["tell-oncall started (attempt 1) on local"]
    assert lines(started) == ["tell-oncall started (attempt 1) on local"], "a journal without the field says where, as before"


def test_a_signature_names_the_journal_line_as_journal_verify_and_the_report_do() -> None:
    """Lines count from 1 and seqs from 0: bob's signature of the confirmation at seq 7 (line 8 of the file) read
    `confirm a (line 7)` in exec, the timeline and replay, beside the report's signatures table saying line 8 (a seal:
    `line 8` beside `seal of line 9`)."""
    at = {"actor": "bob", "ts": "2026-12-01T12:00:00.000Z", "key": "SHA256:k"}
    signed = {**at, "type": ev.DECISION_SIGNED, "decision": 7, "statement": {"action": "confirm", "step": "a", "by": "bob"}}
    assert lines(signed) == ["confirm a (line 8) by bob with SHA256:k"]
    assert lines({**at, "type": ev.SEAL, "statement": {"seq": 8, "by": "bob"}}) == ["line 9 by bob with SHA256:k"]
    assert lines({**at, "type": ev.SEAL, "statement": {"by": "bob"}}) == ["line ? by bob with SHA256:k"]


def test_the_programs_pauses_and_notes_say_the_program_not_a_person_called_system() -> None:
    """The log, exec's lines, the verifier's screen and the report's event list: `paused by system for guard 'lat'` and
    `note by system: metrics (…): readings are back` read as a person called system (the contract's word for the
    program in the journal's `actor`, which every other screen already says as "the program")."""
    pause = {
        "type": ev.PAUSED,
        "actor": "system",
        "ts": "2026-12-01T12:00:00.000Z",
        "reason": "guard 'lat' tripped: 400 ms above 300 ms; check the panels before going on",
    }
    assert lines(pause) == ["paused by the program for guard 'lat': check the panels before going on"]
    note = {"type": ev.NOTE, "actor": "system", "ts": "2026-12-01T12:00:00.000Z", "text": "metrics (lat): readings are back"}
    assert lines(note) == ["note by the program: metrics (lat): readings are back"]
    assert lines({**note, "actor": "alice"}) == ["note by alice: metrics (lat): readings are back"]
