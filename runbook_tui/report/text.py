"""Times, durations, outcomes and values in the words both the Markdown and the HTML report use."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from runbook_tui.engine.actors import RECORDED, named
from runbook_tui.engine.event_words import NOT_ROLLED_BACK, OUTCOME_WORDS, STATUS_WORDS, own_reason, self_confirmed_words
from runbook_tui.engine.history import RECORD_ENDS_RUNNING
from runbook_tui.engine.history_model import Attempt, HistoryEntry, HostResult, Notification, Pause, Silence, UndoResult, exit_words
from runbook_tui.engine.host_tally import FAILED_HERE
from runbook_tui.engine.injected import NEVER_RAN, injected
from runbook_tui.engine.left_out import left_out_words
from runbook_tui.engine.line_side import on_its_side
from runbook_tui.engine.outcome_words import ended_by_words, with_criteria
from runbook_tui.report.connection_words import share_connections as share_connections  # the record's views read it from text
from runbook_tui.report.model import (
    NOT_ROLLED_BACK_COUNTED,
    RESET,
    RESET_SOLO,
    RESET_UNCONFIRMED,
    ROLLED_BACK_SOLO,
    ROLLED_BACK_UNCONFIRMED,
    WAITING_FOR_VERIFIER,
    Panel,
    Report,
    Step,
    SuccessCheck,
)
from runbook_tui.report.output_words import output_label as output_label  # the record's views read these from text
from runbook_tui.report.output_words import undo_output_count as undo_output_count
from runbook_tui.report.rollback_words import host_result as host_result  # the record's views read these from text
from runbook_tui.report.rollback_words import rollback_left
from runbook_tui.report.rollback_words import rollback_result as rollback_result  # the record's views read these from text
from runbook_tui.report.rollback_words import rollback_steps_words as rollback_steps_words
from runbook_tui.report.rollback_words import rollback_title as rollback_title
from runbook_tui.report.skipped_words import skipped_after_words
from runbook_tui.report.window_words import window_not_binding as window_not_binding
from runbook_tui.report.window_words import window_record as window_record
from runbook_tui.report.window_words import window_summary as window_summary
from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.params import yaml_value
from runbook_tui.runbook.safe_text import visible_line

NONE = "—"

#: Outcomes in words, for people reading the record: a step's and the session's as every view says them
#: (engine.event_words), and what only the record has to say.
OUTCOMES = {
    **STATUS_WORDS,
    **OUTCOME_WORDS,
    "not run": "not run",
    "unfinished": "UNFINISHED (the journal ends with the session open)",
}


#: What a record of a run that was not a live change must say first.
_MODES = {
    "dry-run": "Dry run: nothing was executed; the output shows what would have run.",
    "practice": "Practice run: nothing was executed; recorded outputs and metrics stood in.",
    # not "then rolled back": a rollback that stopped, or a rehearsal resumed and continued to its end, did not roll back
    "rehearsal": "Rehearsal: the real commands ran forward to rehearse the rollback (the outcome and the rollbacks below say how it ended); not a change record.",
}


def unknown_warning(report: Report) -> str:
    """What a board must know first about events this version does not know, or "" (none)."""
    kinds = unknown_kinds([(e.type, e.actor, e.at) for e in report.unknown_events])
    return f"{kinds}: a newer version wrote this journal; the Summary and the Steps leave out what it records (see the Timeline)" if kinds else ""


def unknown_kinds(unknown: Sequence[tuple[str, str, str]]) -> str:
    """`2 events of a kind this version does not know (step_quarantined by alice at 2026-11-23 17:03:10 UTC, and 1
    more)` from their (type, actor, ts), or "" (none): as the report and practice say it."""
    if not unknown:
        return ""
    kind, actor, at = unknown[0]  # a newer writer's names, shown as characters wherever they go (a toast took `\x1b[31m`)
    which = f"{visible_line(kind)} by {visible_line(who(actor))} at {when(at)}" + (f", and {len(unknown) - 1} more" if len(unknown) > 1 else "")
    return f"{len(unknown)} event{'s' * (len(unknown) > 1)} of a kind this version does not know ({which})"


def mode_warning(mode: str) -> str | None:
    if mode == "live":
        return None
    return _MODES.get(mode, f"Mode {mode}: not a live change.")


def when(ts: str | None) -> str:
    """`2026-11-23 17:02:05 UTC` from the journal's ISO form."""
    return NONE if not ts else f"{ts[:10]} {ts[11:19]} UTC" if ts.endswith("Z") else ts


#: The day (UTC) the report's times of day belong to: the session's start. A time on another day carries its date.
_DAY: ContextVar[str] = ContextVar("report_day", default="")


@contextmanager
def days_from(started_at: str | None) -> Iterator[None]:
    """Render a report whose short times are of the day `started_at` is (a run past midnight dates the later ones)."""
    token = _DAY.set((started_at or "")[:10])
    try:
        yield
    finally:
        _DAY.reset(token)


def clock(ts: str | None) -> str:
    """`17:02:05`: the time of day (UTC), for tables; `2026-11-24 00:10:05` on another day than the session's start
    (a run past midnight read `23:55:00 → 00:10:05` with one date in the header, the later times undated)."""
    if not ts or len(ts) < 19:
        return NONE
    day = _DAY.get()
    return f"{ts[:10]} {ts[11:19]}" if day and ts[:10] != day else ts[11:19]


def day_words(report: Report) -> str:
    """What the report's times are: `Times are UTC, on 2026-11-23 unless dated.`"""
    day = report.session.started_at[:10]
    return f"Times are UTC, on {day} unless dated." if day else "Times are UTC."


def at_clock(ts: str | None) -> str:
    """` at 17:02:05` after a name, or nothing when the journal has no time for it."""
    return f" at {clock(ts)}" if ts else ""


def duration(seconds: float | None) -> str:
    """`12s`; `-2s, the clock went back` where the wall clock stamped an end before its start (it read `-1h59m58s`)."""
    return NONE if seconds is None else f"{format_duration(seconds)}, the clock went back" if seconds < 0 else format_duration(seconds)


def outcome(value: str) -> str:
    return OUTCOMES.get(value, value)


def step_outcome(step: Step) -> str:
    """The outcome column: the final status, with how the forward run ended when it was undone. A step someone marked
    done after its outcome was unknown reads `marked done`, as the log and the detail pane say it (it read `done`, as
    if it had been seen to succeed); one the assignee stopped (`k`) says who."""
    counted = step.outcome if step.counted == NOT_ROLLED_BACK_COUNTED else step.counted  # said below, after the rest
    words = "marked done" if _marked_done(step) else outcome(step.result if step.outcome in ("undone", RESET) else counted)
    stop = next((e for e in reversed(step.history) if e.kind in ("attempt", "stopped")), None)
    if stop is not None and stop.kind == "stopped" and step.result == "failed":  # it read FAILED, as if its command had
        words += f": stopped by {stop.by}"
    if step.result == "failed" and step.attempts and injected(h.error for h in step.attempts[-1].hosts):  # rehearse --fail-at
        words += f" ({NEVER_RAN})"
    words += "".join(f"; {why}" for why in _fewer_hosts(step))
    if step.record_ends_running:  # UNKNOWN, and why: nobody saw it end (it read `running`, as if under way)
        words += f": {RECORD_ENDS_RUNNING}"
    if step.outcome == "undone":
        words += ", then undone"
    elif step.outcome == RESET:  # a rollback went back past it: nothing undid it (it read `, then undone`)
        words += ", then reset (nothing to undo)"
    if step.not_rolled_back:  # a rollback passed over it (no undo): it read `done`, like a step it left standing on purpose
        words = NOT_ROLLED_BACK if words == "done" else f"{words}; {NOT_ROLLED_BACK}"
    words += skipped_after_words(step.ran_before_skip)  # it read `skipped`, as if it had never run
    if len(step.attempts) > 1:
        words += f" ({len(step.attempts)} attempts)"
    return words


def _marked_done(step: Step) -> bool:
    """Someone marked the step done by hand (its outcome was unknown) after its last attempt, and it ended done."""
    last = next((e.kind for e in reversed(step.history) if e.kind in ("attempt", "marked done")), None)
    return last == "marked done" and step.result == "done"


def confirmed(step: Step) -> str:
    """The confirmed-by column."""
    if step.verification == "confirmed":
        return str(step.confirmed_by)
    if step.verification == "unverified":
        return self_confirmed_words(step.confirmed_by) if step.confirmed_by else "UNVERIFIED"
    if step.verification in (ROLLED_BACK_UNCONFIRMED, RESET_UNCONFIRMED):  # it read UNVERIFIED: the change it made no longer stands
        return f"{step.verification} (only {step.confirmed_by}, who ran it, confirmed it)" if step.confirmed_by else step.verification
    if step.verification in (WAITING_FOR_VERIFIER, ROLLED_BACK_SOLO, RESET_SOLO):
        return step.verification
    if step.verification == "not required":  # no word after it was needed; a `verify: before` step's came before it ran
        return f"go-ahead by {step.go_ahead_by}" if step.go_ahead_by else "not required"
    return NONE


def value(number: float | None, unit: str = "", lines: Iterable[float | None] = ()) -> str:
    """A reading, beside `lines` (the panel's warn and critical) on its side of each: 299.996 under 300 read `300`."""
    if number is None:
        return NONE
    text = on_its_side(number, f"{number:,.0f}" if 1000 <= abs(number) < 1e12 else f"{number:.4g}", lines)  # not 300 digits for 1e300
    if not unit:
        return text
    return f"{text}{unit}" if unit in ("%", "x") else f"{text} {unit}"


def exit_text(host: HostResult | UndoResult) -> str:
    return exit_words(host, NONE)


def pause_reason(pause: Pause) -> str:
    """The Reason column: a bare p's journaled `paused by alice` beside By `alice` said it twice; none of its own is NONE."""
    said = own_reason("paused", pause.by, pause.reason).removeprefix(": ")
    asked = f"a hold asked ({pause.asked})" if pause.asked else ""  # the verifier's request was in the Timeline alone
    return "; ".join(words for words in (said, asked) if words) or NONE


def pause_end(pause: Pause) -> str:
    if pause.ended_by is None:
        return "still paused when the journal ends"
    how = " (a rollback started)" if pause.ended_by == "rollback" else f": {pause.lifted}" if pause.lifted else ""
    return f"{clock(pause.resumed_at)} by {who(pause.resumed_by)}{how}"


def threshold(number: float | None, unit: str, direction: str) -> str:
    """A panel's warn or critical line as the panels write it: `≤99%` when low is bad (a bare `99%` read as a ceiling)."""
    shown = value(number, unit)
    return f"≤{shown}" if number is not None and direction == "below" else shown


def attempt_line(attempt: Attempt) -> str:
    """`attempt 2: 17:04:10 → 17:04:22 (12s) by alice: done`."""
    end = clock(attempt.finished_at) if attempt.finished_at else "no end recorded"
    rollback = ", during the rollback" if attempt.during_rollback else ""
    return f"attempt {attempt.number}: {clock(attempt.started_at)} → {end} ({duration(attempt.duration_seconds)}) by {who(attempt.started_by)}{rollback}: {attempt_status(attempt.status)}"


def summary_counts(report: Report) -> str:
    """`5 done, 2 undone (1 done, 1 FAILED before the rollback), 2 not run, 2 not needed (run only after a full rollback);
    1 UNVERIFIED`: the JSON's `counts` in words (assemble.counted_as decides them), with how the undone steps had ended."""
    order = ["done", "awaiting_verification", "failed", "timed_out", "unknown", "rejected", NOT_ROLLED_BACK_COUNTED, "undone", RESET, "skipped", "not run",
             "not needed"]  # fmt: skip
    counts = report.counts
    keys = order + sorted(k for k in counts if k not in order)
    parts = [f"{counts[k]} {_COUNTED.get(k) or outcome(k)}" + _how(report, k) for k in keys if counts.get(k)]
    text = ", ".join(parts)
    if fewer := _not_on_every_host(report):
        text += f"; not on every host: {fewer}"
    if report.unverified:
        text += f"; {len(report.unverified)} UNVERIFIED"
    return text


def _fewer_hosts(step: Step) -> list[str]:
    """Why a step stands on fewer hosts than planned: it went on with hosts failed within max_fail (when it completed), it
    was not run on hosts an earlier step failed on (`left out: web3 (failed at step drain)`), or undone on some only."""
    last = step.attempts[-1] if step.attempts else None
    if last is None:
        return []
    why = []
    if last.tolerated and step.result in ("done", "awaiting_verification"):
        failed = sum(1 for h in last.hosts if h.status in FAILED_HERE)
        why.append(f"{failed} of {len(last.hosts)} hosts failed, within max_fail {step.max_fail}")
    if last.left_out:
        why.append(left_out_words(last.left_out))
    if step.undone_hosts:  # a rollback's undo ended ok there and failed elsewhere: it read `done`, as if it stood everywhere
        why.append(f"undone on {', '.join(step.undone_hosts)} only")
    return why


def _not_on_every_host(report: Report) -> str:
    """The completed steps that went on without some of their hosts, as their rows say it. The Summary counted them
    `done` with no word of it: a change board read a change applied everywhere."""
    said = [(step.id, _fewer_hosts(step)) for step in report.steps if step.outcome in ("done", "awaiting_verification")]
    return ", ".join(f"{sid} ({'; '.join(why)})" for sid, why in said if why)


_COUNTED = {
    "not needed": "not needed (run only after a full rollback)",
    NOT_ROLLED_BACK_COUNTED: "ran and not rolled back (no undo)",
    RESET: "reset (nothing to undo)",
}


def _how(report: Report, counted: str) -> str:
    """What a count leaves out: how the undone steps had ended, how many done steps were marked done by hand."""
    if counted == "undone":
        return _undone_before(report)
    marked = sum(1 for step in report.steps if step.counted == counted == "done" and _marked_done(step))
    return f" ({marked} marked done by hand)" if marked else ""  # the Summary said `3 done`, as if each was seen to succeed


def _undone_before(report: Report) -> str:
    """How the undone steps had ended before the rollback, unless all were done: a step that FAILED stays in the summary
    once undone (it read `2 undone`, a failure nowhere in the summary)."""
    before: dict[str, int] = {}
    for step in report.steps:
        if step.outcome == "undone":  # one marked done by hand is said so, as its row says it (it read `1 done`)
            ended = "marked done" if _marked_done(step) else outcome(step.result)
            before[ended] = before.get(ended, 0) + 1
    if set(before) == {outcome("done")}:
        return ""
    return f" ({', '.join(f'{n} {ended}' for ended, n in before.items())} before the rollback)"


def verifier(report: Report) -> str:
    """Who actually confirmed, and a flag when that is not the ticket's verifier. Only a verifier's word counts
    (`verifiers_heard`): an assignee's confirmation of their own step is no verifier's (it read `alice (1 step)`)."""
    session = report.session
    counts: dict[str, int] = {}
    waves: dict[str, list[str]] = {}  # `verify: per_wave`: each name's word between waves (it read `nobody confirmed a step`)
    for step in report.steps:
        said = [(d.by, d.kind.split()[-1]) for d in step.decisions if d.kind.startswith("wave ") and d.by in session.verifiers_heard]
        for name in {step.confirmed_by, step.go_ahead_by, *(by for by, _ in said)} & set(session.verifiers_heard):
            counts[str(name)] = counts.get(str(name), 0) + 1
        for by, word in said:
            waves.setdefault(by, []).append(word)
    why = "; then ".join(session.solo_reasons or [session.solo or ""])  # a resume may give another reason: each one stands
    if session.solo is not None:  # shared first and solo at the end: who gave their word before (it said `none`)
        named = f" (the ticket names {report.ticket.verifier})" if report.ticket.verifier else ""
        heard = ", ".join(session.verifiers_heard)
        return f"{heard}, then solo ({why}){named}" if heard else f"none: solo run ({why}){named}"
    was_solo = f"; solo for part of the run ({why})" if session.solo_reasons else ""  # solo first, shared later: it read `bob (1 step)`
    planned: str | None = report.ticket.verifier or session.verifier
    if not counts:  # who was there as verifier, if anyone (it read `—` while bob had joined, and asked for the rollback)
        joined = list(dict.fromkeys(p.name for p in session.participants if p.role == "verifier"))
        there = [f"planned: {planned}"] if planned else []
        there += [f"joined: {', '.join(joined)}"] if joined else []
        return (f"nobody confirmed a step ({'; '.join(there)})" if there else "nobody confirmed a step" if was_solo else NONE) + was_solo
    # Practice journals the night's verifier played back as `bob (recorded)`: bob is the ticket's verifier, not another,
    # and the row says it once inside the count (it read `bob (recorded) (4 steps)`).
    back = {name: session.mode == "practice" and name.endswith(RECORDED) for name in counts}
    shown = {name: name.removesuffix(RECORDED) if back[name] else name for name in counts}
    extra = {name: f"{_waves_said(waves.get(name, []))}{_PLAYED_BACK if back[name] else ''}" for name in counts}
    acted = ", ".join(f"{shown[name]} ({n} step{'s' if n != 1 else ''}{extra[name]})" for name, n in counts.items())
    others = [shown[name] for name in counts if shown[name] != planned]
    if planned and others:  # who was not: `bob (2 steps), carol (1 step); NOT the ticket's verifier (bob)` read as bob
        return f"{acted}; {', '.join(others)} {'is' if len(others) == 1 else 'are'} NOT the ticket's verifier ({planned}){was_solo}"
    return acted + was_solo


#: Inside a practice's Verifier row, after the count of a name the practice played back from the night's journal.
_PLAYED_BACK = ", the night's words played back"


def _waves_said(words: list[str]) -> str:
    """`: 1 wave confirmed, 1 wave rejected`, from a verifier's words between waves, or "" (none)."""
    said = [f"{words.count(w)} wave{'s' if words.count(w) != 1 else ''} {w}" for w in dict.fromkeys(words)]
    return f": {', '.join(said)}" if said else ""


def assignee(report: Report) -> str:
    """The person at the keyboard (`carol, then dave` when dave resumed it; it named carol alone), and the ticket's
    assignee when that was someone else."""
    session = report.session
    planned = session.planned_assignee or report.ticket.assignee
    ran_by = ", then ".join(session.ran_by or [NONE])
    return f"planned: {planned}, ran by: {ran_by}" if planned and planned != ran_by else ran_by


def resumes(report: Report) -> str:
    """`2026-11-23 17:05:00 UTC by mallory, …`: when the run was resumed and by whom (someone other than the assignee
    may have gone on with it, or rolled it back)."""
    session = report.session
    return ", ".join(f"{when(at)} by {by}" for at, by in zip(session.resumed_at, session.resumed_by))


def who(actor: str | None) -> str:
    """A journal's actor as a person reads it (`actors.named`), or NONE."""
    return named(actor) or NONE


def finished_words(report: Report) -> str:
    """Who ended the run, after the outcome, as exec's `session_finished` line says it (`ended_by_words`)."""
    s = report.session
    return ended_by_words(s.outcome, s.finished_by, s.finished_driver, bool(s.criteria_acceptance))


def outcome_line(report: Report) -> str:
    """The session's outcome; unmet success criteria come first, then whether they were accepted and by whom. A run
    rolled back to a checkpoint says so (it read `ROLLED BACK`, as if the whole change had been undone)."""
    session = report.session
    words = outcome(session.outcome) + (f": {session.open_because}" if session.open_because else "")
    last = report.rollbacks[-1] if report.rollbacks else None
    if session.outcome == "rolled_back" and last is not None and last.scope == "checkpoint":
        words += f" to the last checkpoint ({last.back_to})" if last.back_to else " to the last checkpoint (the start)"
    return with_criteria(words + rollback_left(report), session.criteria_unmet, session.criteria_acceptance)


def still_applied(report: Report) -> str:
    """What a rollback to a checkpoint left applied, for the Summary: empty when nothing (exec and resume said it, the
    report did not)."""
    applied = report.session.still_applied
    # Where nothing ran, nothing stands, and there is nothing to undo (resume refuses a practice's journal).
    how = {"practice": " in this practice (nothing ran)", "dry-run": " in this dry run (nothing ran)"}.get(report.session.mode)
    return f"{', '.join(applied)}: before the checkpoint, not rolled back{how or ' (resume --rollback --full undoes them)'}" if applied else ""


def samples(panel: Panel) -> str:
    """`42`, `42 (3 failed)`, `42 (3 failed, 5 partial or stale)`: readings, how many came without a value, and how many
    with a value that leaves something out (a series NaN among others, a sample minutes old: the journal's `note`)."""
    said = [f"{panel.failed_readings} failed"] if panel.failed_readings else []
    if panel.noted_readings:
        said.append(f"{panel.noted_readings} partial or stale")
    return f"{panel.samples} ({', '.join(said)})" if said else str(panel.samples)


def success_result(check: SuccessCheck) -> str:
    return "not decided" if check.met is None else ("met" if check.met else "NOT met")


#: An attempt's own end, in words: the step's confirmation (or rejection) follows it in the history.
_ATTEMPT_STATUS = {"awaiting_verification": "ran; handed to the verifier", "done": "done"}


def attempt_status(status: str) -> str:
    return _ATTEMPT_STATUS.get(status, outcome(status))


def undo_status(status: str) -> str:
    """An undo's end in the rollback's table: one the journal ends during is no more known than a step's (the JSON keeps
    `running`, as documented)."""
    return f"{outcome('unknown')}: {RECORD_ENDS_RUNNING}" if status == "running" else status


def history_line(step: Step, entry: HistoryEntry) -> str:
    """One line of a step's history: `rejected by bob at 22:28:51: web2 is slow`."""
    if entry.kind == "attempt" and entry.attempt is not None:
        return attempt_line(step.attempt(entry.attempt))
    if entry.kind == "rollback":
        reason = f": {entry.reason}" if entry.reason else ""
        return f"{entry.words}; started by {who(entry.by)} at {clock(entry.at)}{reason}"
    if entry.kind == "undo":
        return f"{entry.words} at {clock(entry.at)}"
    if entry.kind == "follow":  # the note the program journaled as the re-run (or the resumed undo) began
        return f"{entry.words} (said by the program at {clock(entry.at)})"
    if entry.kind == "ack-manual":  # the attempt after it reads `by NAME: done`, as if that person had done the step
        return f"{entry.words} (exec run by {entry.by} at {clock(entry.at)})"
    reason = f": {entry.reason}" if entry.reason else ""
    return f"{entry.kind} by {who(entry.by)} at {clock(entry.at)}{reason}"


def params(report: Report) -> str:
    return ", ".join(f"{name}={yaml_value(value)}" for name, value in report.session.params.items()) or NONE


def guard_summary(report: Report) -> str:
    trips = report.guard_trips
    if not trips:
        return "none"
    listed = "; ".join(f"{clock(g.at)} {g.words}" + (f" ({g.action})" if g.action else "") for g in trips)
    return f"{len(trips)}: {listed}"


def declined_summary(report: Report) -> str:
    """The rollback requests the assignee declined, with who asked, why, and why not: empty when none. A request that was
    followed is in its rollback's history; a declined one was only in the timeline, at the report's foot."""
    declined = report.rollbacks_declined
    if not declined:
        return ""
    return f"{len(declined)}: " + "; ".join(f"{clock(d.at)} {d.words}" for d in declined)


def success_summary(report: Report) -> str:
    """The measured criteria's verdicts (unmet first), and how many the ticket leaves to people."""
    checks = report.success
    by_people = len(report.ticket.success_criteria)
    judged = f"{by_people} in the ticket, judged by people" if by_people else ""
    if not checks:
        return f"not measured; {judged}" if judged else "none set"
    unmet = [c for c in checks if c.met is False]
    undecided = [c for c in checks if c.met is None]
    met = len(checks) - len(unmet) - len(undecided)
    parts = ["; ".join(c.words for c in unmet)] if unmet else []
    parts += [f"{met} met"] if met else []
    # Each with its words (they said `1 not decided`): a check stopped before the end counts as NOT met, one the journal
    # ends during is open; the board tells them apart only by why.
    parts += ["; ".join(c.words for c in undecided)] if undecided else []
    return ", ".join(parts) + (f"; {judged}" if judged else "")


def notification_result(notice: Notification) -> str:
    """`sent (HTTP 200, 1 attempt)` or `FAILED after 3 attempts: connection refused`."""
    tries = f"{notice.attempts} attempt{'' if notice.attempts == 1 else 's'}"
    return f"sent (HTTP {notice.status}, {tries})" if notice.sent else f"FAILED after {tries}: {notice.error or 'no reason given'}"


def silence_status(silence: Silence) -> str:
    """What became of a silence: `expired at 10:04:12`, `kept until ...`, `NOT CREATED: ...`, `EXPIRY FAILED at ...: ...`, `gone at ...: WHY`."""
    if silence.status == "not created":
        return f"NOT CREATED: {silence.error}"
    if silence.status == "expiry failed":
        return f"EXPIRY FAILED at {clock(silence.ended_at)}: {silence.error} (still silencing until {clock(silence.ends_at)})"
    if silence.status == "kept":
        return f"kept after the rollback until {clock(silence.until)}"
    if silence.status == "expired":  # `error`: why there was none left for the run to expire (silence_expired's `gone`)
        return f"gone at {clock(silence.ended_at)}: {silence.error}" if silence.error else f"expired at {clock(silence.ended_at)}"
    return f"still active when the journal ends (until {clock(silence.ends_at)})"
