"""`build_report(path)`: the journal read line by line, folded (engine/history.py), assembled into a Report.

A tampered journal is refused with the line and the reason; a torn last line
(a crash while writing) is reported on, with the verify failure said first.
Here the history's collections become the record: the steps in runbook order
with the step as rendered for people, their history and verification; the
session, window, panels and success criteria.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runbook_tui.engine.event_order import FirstImpossible
from runbook_tui.engine.events import VOCABULARY, Event
from runbook_tui.engine.fold_steps import undone_as_a_whole
from runbook_tui.engine.history import History
from runbook_tui.engine.history_moments import number, parse_ts, seconds_between
from runbook_tui.engine.host_tally import wave_plan_words
from runbook_tui.engine.journal import JournalScan
from runbook_tui.engine.mark_done import EXIT_NOTE
from runbook_tui.engine.pending_captures import not_rendered_yet
from runbook_tui.engine.state import RunState, StepState, UnreadableEvent
from runbook_tui.engine.undo_notes import still_applied
from runbook_tui.report.fold import timeline_entry
from runbook_tui.report.model import (
    NOT_ROLLED_BACK_COUNTED,
    RESET,
    RESET_SOLO,
    RESET_UNCONFIRMED,
    ROLLED_BACK_SOLO,
    ROLLED_BACK_UNCONFIRMED,
    SERIES_POINTS,
    WAITING_FOR_VERIFIER,
    Integrity,
    Panel,
    Report,
    ReportError,
    Session,
    Step,
    SuccessCheck,
    Ticket,
    TimelineEntry,
    Window,
)
from runbook_tui.report.signatures import SignersUsed, signature_rows
from runbook_tui.report.skipped_words import ran_before_skip
from runbook_tui.runbook.durations import written_duration
from runbook_tui.trust.run_signers import RunSigners, run_signers

if TYPE_CHECKING:  # asyncssh is loaded only when a journal holds signatures
    from runbook_tui.trust.allowed_signers import AllowedSigners

#: Outcomes of a step that count as completed (its confirmation matters).
_COMPLETED = frozenset({"done", "awaiting_verification"})


def build_report(
    path: str | Path,
    signers: AllowedSigners | None = None,
    unapproved: str | None = None,
    approvers: Sequence[str] | None = None,
    signers_source: str = "given by --allowed-signers",
) -> Report:
    """The report of one journal; ReportError when it is unreadable or does not verify. `unapproved`: why the run breaks
    the settings' `require_approval: true`; `approvers`: the settings' (each read in the Signatures rows as `journal
    verify` reads it); `signers_source`: where `signers` was named, in words (the report says it with the file)."""
    fold = History()
    timeline: list[TimelineEntry] = []
    run_signers_read: list[RunSigners] = []  # the allowed_signers file the run recorded, against `signers`

    def feed(event: Event) -> None:
        fold.feed(event)
        if signers is not None and (recorded := run_signers(event, signers.digest)) is not None:
            run_signers_read.append(recorded)
        entry = timeline_entry(event, fold.state)
        if entry is not None:
            timeline.append(entry)

    try:
        integrity = read_verified(path, feed)
    except UnreadableEvent as exc:
        raise ReportError(f"{path}: {exc}; refusing to report on it") from None
    report = _report(fold, timeline, Path(path).name, integrity)
    report.signatures = signature_rows(Path(path), signers, signed=fold.signed, unapproved=unapproved, approvers=approvers)
    report.allowed_signers = SignersUsed(signers.path, signers.digest, signers_source, tuple(run_signers_read)) if signers is not None else None
    report.unknown_events = [entry for entry in timeline if entry.type not in VOCABULARY]
    return report


def read_verified(path: str | Path, consume: Callable[[Event], None]) -> Integrity:
    """Feed the journal's events to `consume` one line at a time (memory does not grow with the journal),
    then say how they hold; ReportError when it is unreadable or was tampered with.

    A torn last line (a crash while writing) is not refused: the events before it are the record. An event no run
    writes where it stands (a chain rewritten with its hashes recomputed: `journal verify`'s sequence check,
    `engine.event_order`) is refused as a break in the chain is (before, such a report said "`journal verify` passes"
    of a journal `journal verify` called NOT intact).
    """
    path = Path(path)
    read = JournalScan(path, finished_rule=True)
    impossible = FirstImpossible()
    for event in read:
        impossible(event)
        consume(event)
    if read.unreadable:
        raise ReportError(read.unreadable)
    torn_tail_only = read.truncated_at is not None and len(read.problems) == 1
    if read.problems and not torn_tail_only:
        raise ReportError(f"{path}: the journal does not verify, refusing to report on it: {'; '.join(read.problems)}")
    if impossible.found is not None:
        raise ReportError(f"{path}: the journal does not verify, refusing to report on it: {impossible.found}")
    if read.last is None:
        raise ReportError(f"{path}: no event holds together")
    return Integrity(events=read.count, final_hash=str(read.last["hash"]), verified=not read.problems, problems=list(read.problems))


def _report(fold: History, timeline: list[TimelineEntry], source: str, integrity: Integrity) -> Report:
    state = fold.state
    session = _session(fold)
    ticket = _ticket(state.session.get("ticket"))
    steps = _steps(fold, fold.record_ends())
    return Report(
        source=source,
        ticket=ticket,
        window=_window(fold, session),
        session=session,
        counts=dict(Counter(step.counted for step in steps)),
        unverified=[s.id for s in steps if s.unverified],
        steps=steps,
        rollbacks=fold.rollbacks,
        rollbacks_declined=fold.declines,
        guard_trips=fold.trips,
        panels=_panels(fold),
        success=_success(state),
        notes=fold.notes,
        pauses=fold.pauses,
        errors=fold.errors,
        notifications=fold.notifications,
        silences=fold.silences,
        reviews=fold.reviews,
        integrity=integrity,
        timeline=timeline,
    )


def _session(fold: History) -> Session:
    s = fold.state.session
    finished = fold.finished
    started_at = str(s.get("started_at"))
    end = finished["ts"] if finished else str(fold.state.last_ts)
    return Session(
        id=str(s.get("session", "")),
        runbook=str(s.get("runbook", "")),
        title=str(s.get("title", "")),
        file=str(s.get("file", "")),
        digest=str(s.get("digest", "")),
        params=dict(s.get("params") or {}),
        mode=fold.state.mode,
        solo=fold.state.solo,
        assignee=s.get("actor") or s.get("assignee"),  # who started it (the state's is who resumed it last)
        verifier=s.get("verifier"),
        started_at=started_at,
        finished_at=finished["ts"] if finished else None,
        last_event_at=str(fold.state.last_ts),
        duration_seconds=seconds_between(started_at, end) or 0.0,
        outcome=fold.state.outcome or "unfinished",
        finished_by=fold.state.finished_by,  # who ended it, as the fold keeps it for every view
        finished_driver=fold.state.finished_driver,
        resumed_at=fold.resumed_at,
        resumed_by=fold.resumed_by,
        solo_reasons=fold.solo_reasons,
        participants=fold.participants,
        handovers=fold.handovers,
        shared_at=fold.state.share.get("address"),
        share_fingerprint=fold.state.share.get("fingerprint"),
        share_connections=fold.share_connections,
        planned_assignee=s.get("planned_assignee"),
        criteria_unmet=list(fold.state.criteria_unmet),
        criteria_acceptance=dict(fold.state.criteria_acceptance) if fold.state.criteria_acceptance else None,
        verifiers_heard=list(fold.state.verifiers_heard),
        still_applied=list(still_applied(fold.state)),
        open_because=None if finished else _open_because(fold),
        ran_by=_ran_by(s.get("actor") or s.get("assignee"), fold.resumed_by),
    )


def _ran_by(started_by: Any, resumed_by: list[str]) -> list[str]:
    """Who was at the keyboard, in order: `started_by`, then each resume's person when not the one before it."""
    people = [str(started_by)] if started_by else []
    for name in resumed_by:
        if not people or name != people[-1]:
            people.append(name)
    return people


def _open_because(fold: History) -> str | None:
    """Why an unfinished run's journal ends open: the program's note on the signal that stopped it (since the last
    resume), else the pause it stands in. The Summary read `UNFINISHED` alone; only the Notes said exec was stopped."""
    since = fold.resumed_at[-1] if fold.resumed_at else ""
    stopped = [n for n in fold.state.notes if n.get("request") == EXIT_NOTE and str(n.get("ts")) >= since]
    if stopped:
        return str(stopped[-1].get("text") or "")
    return f"paused ({fold.state.pause_reason})" if fold.state.paused and fold.state.pause_reason else "paused" if fold.state.paused else None


def counted_as(outcome: str, section_kind: str, full_rollback: bool, not_rolled_back: bool = False) -> str:
    """How the record counts a step (the Summary's `Steps` line, the JSON's `counts`, the Steps table): its outcome,
    except that a rollback section's step not run is `not needed` while no full rollback started (only one runs them);
    after one started it is `not run`, as it was needed (the JSON counted `not run` where the Markdown said `not needed`).
    A done step a rollback passed over (no undo: its change stands) is `not rolled back` (it was counted `done`, beside
    the steps the rollback left standing on purpose, while its row said `ran; no undo, not rolled back`)."""
    if not_rolled_back and outcome == "done":
        return NOT_ROLLED_BACK_COUNTED
    return "not needed" if section_kind == "rollback" and outcome == "not run" and not full_rollback else outcome


def _window(fold: History, session: Session) -> Window:
    window = ((fold.state.session.get("ticket") or {}).get("window")) or {}
    start, end = parse_ts(window.get("start")), parse_ts(window.get("end"))
    overrides = fold.overrides
    last = overrides[-1] if overrides else None

    def inside(at: str) -> bool | None:
        moment = parse_ts(at)
        if start is None or end is None or moment is None:
            return None
        return start <= moment <= end

    started, ended = inside(session.started_at), inside(session.finished_at or session.last_event_at)
    return Window(
        start=window.get("start"),
        end=window.get("end"),
        started_inside=started,
        ended_inside=ended,
        stayed_inside=None if started is None or ended is None else started and ended,
        override=last.reason if last else None,
        override_by=last.by if last else None,
        override_resumed=bool(last and last.resumed),
        overrides=list(overrides),
    )


def _steps(fold: History, unseen: set[str]) -> list[Step]:
    """The runbook's steps as the record tells them; `unseen`: those running when it ends, whose outcome is unknown."""
    state = fold.state
    steps = []
    sections = state.session.get("plan", {}).get("sections", [])
    position = 0
    full_rollback = any(rollback.scope == "full" for rollback in fold.rollbacks)
    for section in sections:
        for plan in section["steps"]:
            position += 1
            sid = plan["id"]
            st = state.steps[sid]
            attempts = fold.attempts.get(sid, [])
            outcome = "unknown" if sid in unseen else "not run" if st.status == "pending" else RESET if st.reset else st.status
            result = fold.before_undo.get(sid, outcome) if outcome in ("undone", RESET) else outcome
            verification = _verification(outcome, result, st, str(plan.get("verify", "after")), fold.finished is None)
            runs = [a.duration_seconds for a in attempts if a.duration_seconds is not None]
            shown = st.rendered  # as step_ready / step_started rendered it: what people saw and confirmed
            plan = _in_words(plan, state.plan_steps)  # a step never rendered: a journal's plan may hold `{{ captured.x }}`
            steps.append(
                Step(
                    number=position,
                    id=sid,
                    title=str(shown.get("title") or plan.get("title", "")),
                    section=section["id"],
                    section_title=str(section.get("title", "")),
                    section_kind=str(section.get("kind", "")),
                    kind=str(plan.get("kind", "run")),
                    hosts=[h["name"] for h in plan.get("hosts", [])],
                    commands=dict(shown["commands"]) if shown.get("commands") else plan.get("run"),
                    text=str(shown["text"]) if shown.get("text") else _step_text(plan),
                    undo=dict(shown["undo"]) if shown.get("undo") else plan.get("undo"),
                    checkpoint=bool(plan.get("checkpoint")),
                    verify=str(plan.get("verify", "after")),
                    serial=list(plan.get("serial") or []) if isinstance(plan.get("serial") or [], list) else [],
                    max_fail=plan.get("max_fail") or 0,
                    wave_plan=wave_plan_words(len(plan.get("hosts", [])), plan.get("serial") or [], plan.get("max_fail") or 0)
                    if plan.get("kind", "run") == "run"
                    else "",
                    outcome=outcome,
                    counted=counted_as(outcome, str(section.get("kind", "")), full_rollback, st.not_rolled_back),
                    result=result,
                    attempts=attempts,
                    decisions=fold.decisions.get(sid, []),
                    history=fold.entries.get(sid, []),
                    confirmed_by=st.confirmed_by,
                    not_rolled_back=st.not_rolled_back and st.status == "done",
                    # undone on some hosts, the undo failed elsewhere (not: undone everywhere, then skipped or run again)
                    undone_hosts=[host for host, held in st.hosts.items() if held.status == "undone"] if not undone_as_a_whole(st.hosts) else [],
                    ran_before_skip=ran_before_skip(st) if st.status == "skipped" else {},
                    confirmed_at=fold.confirmed_at.get(sid) if st.confirmed_by else None,
                    go_ahead_by=st.go_ahead_by,
                    verification=verification,
                    unverified=verification == "unverified",
                    reason=st.reason,
                    started_at=attempts[0].started_at if attempts else None,
                    finished_at=attempts[-1].finished_at if attempts else None,
                    duration_seconds=round(sum(runs), 3) if runs else None,
                    answer=st.answer,
                    captured={plan["capture"]: state.captured[plan["capture"]]} if plan.get("capture") in state.captured else {},
                    record_ends_running=sid in unseen,
                )
            )
    return steps


def _panels(fold: History) -> list[Panel]:
    """Every panel the run watched: definitions from metrics_started (or the plan's ids), readings from the samples."""
    state = fold.state
    declared = state.metrics.get("panels") or state.session.get("plan", {}).get("panels", [])
    panels: dict[str, Panel] = {}
    for entry in declared:
        info = entry if isinstance(entry, Mapping) else {"id": entry}
        pid = str(info["id"])
        panels[pid] = Panel(
            id=pid,
            title=str(info.get("title") or pid),
            unit=str(info.get("unit") or ""),
            warn=number(info.get("warn")),
            critical=number(info.get("critical")),
            direction=str(info.get("direction") or "above"),
        )
    for pid in fold.samples:
        panels.setdefault(pid, Panel(pid, pid, "", None, None, "above"))
    for panel in panels.values():
        series = fold.samples.get(panel.id, [])
        valued = [(at, v) for at, v in series if v is not None]
        panel.samples = len(series)
        panel.failed_readings = sum(1 for _at, value in series if value is None)
        panel.noted_readings = fold.noted.get(panel.id, 0)
        if valued:
            panel.first_at, first = valued[0]
            panel.last_at, panel.after = valued[-1]
            panel.min = min(v for _, v in valued)
            panel.max = max(v for _, v in valued)
            panel.before, panel.before_basis = first, "first reading of the run"
        baseline = state.baselines.get(panel.id) or {}
        if number(baseline.get("value")) is not None:
            panel.before, panel.before_basis = number(baseline.get("value")), str(baseline.get("basis") or "baseline")
        panel.series = _reduce(series)
        panel.series_reduced = len(panel.series) < len(series)
        panel.trips = sum(1 for trip in fold.trips if trip.panel == panel.id)
        if panel.critical is None:
            # Journals without metrics_started name only panel ids: a guard's own threshold is the critical line.
            panel.critical = next((t.threshold for t in fold.trips if t.panel == panel.id and t.threshold is not None), None)
    return list(panels.values())


def _reduce(series: Sequence[tuple[str, float | None]], points: int = SERIES_POINTS) -> list[tuple[str, float | None]]:
    """At most `points` samples: each bucket keeps its lowest and highest value, in time order."""
    if len(series) <= points:
        return list(series)
    buckets = points // 2
    size = len(series) / buckets
    kept: list[tuple[str, float | None]] = []
    for index in range(buckets):
        bucket = series[int(index * size) : int((index + 1) * size)]
        valued = [i for i, (_, value) in enumerate(bucket) if value is not None]
        if not valued:
            kept.append(bucket[0])
            continue
        low = min(valued, key=lambda i: bucket[i][1] or 0.0)
        high = max(valued, key=lambda i: bucket[i][1] or 0.0)
        kept.extend(bucket[i] for i in sorted({low, high}))
    return kept


def _success(state: RunState) -> list[SuccessCheck]:
    """The measured success criteria: every decision journaled, then those still open when the journal ends."""
    checks = []
    for event in state.success_checks:
        criterion = event.get("criterion") or {}
        text = str(criterion.get("text") or criterion) if isinstance(criterion, Mapping) else str(criterion)
        checks.append(
            SuccessCheck(event.get("ts"), str(event.get("when") or ""), text, event.get("met"), number(event.get("value")), str(event.get("words") or text))
        )
    for pending in state.success_pending:
        text = str(pending.get("text") or "")
        checks.append(SuccessCheck(None, str(pending.get("when") or ""), text, None, None, f"{text}: not decided: the journal ends while it was being checked"))
    # A criterion never checked (the run ended, or the journal ends, before its check): said so (before, the Summary
    # read `none set`, as if the runbook measured nothing).
    said = {check.criterion for check in checks}
    for criterion in state.metrics.get("success") or ():
        text = str(criterion.get("text") or "") if isinstance(criterion, Mapping) else str(criterion)
        if text and text not in said:
            checks.append(SuccessCheck(None, "end", text, None, None, f"{text}: not decided: never checked, the run did not reach its check"))
    return checks


def _ticket(data: Mapping[str, Any] | None) -> Ticket:
    if not data:
        return Ticket(id=None)
    risk = data.get("risk") or {}
    return Ticket(
        id=str(data.get("id")),
        subject=str(data.get("subject") or ""),
        description=str(data.get("description") or ""),
        risk_level=risk.get("level"),
        risk_summary=str(risk.get("summary") or ""),
        mitigations=[str(m) for m in risk.get("mitigations", [])],
        assignee=data.get("assignee"),
        verifier=data.get("verifier"),
        success_criteria=[str(c) for c in data.get("success_criteria", [])],
    )


def _in_words(plan: Mapping[str, Any], plan_steps: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Any]:
    """A plan's step with its texts in words (`not_rendered_yet`): a plan journaled before `plan_words` holds templates."""
    words = dict(plan)
    for key in ("title", "note", "ask"):
        if isinstance(words.get(key), str):
            words[key] = not_rendered_yet(words[key], plan_steps)
    for key in ("run", "undo"):
        if isinstance(words.get(key), Mapping):
            words[key] = {host: not_rendered_yet(str(text), plan_steps) for host, text in words[key].items()}
    return words


def _step_text(plan: Mapping[str, Any]) -> str | None:
    if plan.get("note"):
        return str(plan["note"])
    if plan.get("ask"):
        return str(plan["ask"])
    if plan.get("kind") == "wait":
        watch = f", watching {', '.join(plan.get('watch', []))}" if plan.get("watch") else ""
        return f"wait {written_duration(float(plan.get('wait') or 0))}{watch}"
    return None


def _verification(outcome: str, result: str, step: StepState, mode: str, open_run: bool) -> str:
    """confirmed, unverified (completed without a second person's confirmation), rolled back before confirmation (a
    completed step undone before a verifier confirmed it: it was flagged UNVERIFIED and counted among them, though its
    change no longer stands), unverified (solo run), then rolled back (as that, where it ended in a solo run), reset
    before confirmation and unverified (solo run), then reset (the two for a step reset: nothing undid it), waiting for verifier (the journal ends open while it waits: flagged UNVERIFIED before,
    as if the run had gone on without the verifier), not required, or n/a (not completed).

    A confirmation by the person who ran the step is no second person's (`StepState.self_confirmed`). A step that
    ended while the run was solo says so itself (`verified` false); a run shared at first and solo at the end made
    every step unverified before, a `verify: none` one done while bob was there included."""
    if result not in _COMPLETED:
        return "n/a"
    if step.confirmed_by and not step.self_confirmed:
        return "confirmed"
    # marked done by hand, or the run ended before the verifier confirmed
    unverified = step.verified is False or mode in ("after", "both")
    if unverified and outcome in ("undone", RESET):  # a solo step's undo came with no confirmation ever due
        solo = step.verified is False and not step.confirmed_by
        if outcome == RESET:
            return RESET_SOLO if solo else RESET_UNCONFIRMED
        return ROLLED_BACK_SOLO if solo else ROLLED_BACK_UNCONFIRMED
    if outcome == "awaiting_verification" and open_run and step.verified is not False:  # resume can still take his word
        return WAITING_FOR_VERIFIER
    return "unverified" if unverified else "not required"
