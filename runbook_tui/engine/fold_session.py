"""How session, people, metrics and notice events change the state (part of `state.apply`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import SYSTEM, Event
from runbook_tui.engine.guard_response import guard_rollback_reason, held_by_the_program
from runbook_tui.engine.mark_done import EXIT_NOTE
from runbook_tui.engine.state_model import (
    NOTES_KEPT,
    SAMPLES_KEPT,
    RunState,
    StepState,
    with_step,
)
from runbook_tui.engine.wait_cut import cut_wait_problem


def _session_started(state: RunState, e: Event) -> RunState:
    plan = e.get("plan", {})
    sections = plan.get("sections", [])
    order = tuple(s["id"] for sec in sections if sec["kind"] != "rollback" for s in sec["steps"])
    rollback_order = tuple(s["id"] for sec in sections if sec["kind"] == "rollback" for s in sec["steps"])
    steps = {sid: StepState(sid) for sid in order + rollback_order}
    payload = {k: v for k, v in e.items() if k not in ("seq", "ts", "type", "prev", "hash")}
    payload["started_at"] = e["ts"]
    return replace(state, session=MappingProxyType(payload), steps=MappingProxyType(steps), order=order, rollback_order=rollback_order)


def _session_interrupted(state: RunState, e: Event) -> RunState:
    return lost_with_the_process(state)


def lost_with_the_process(state: RunState) -> RunState:
    """The state as the next process finds it: what `stopped_where_it_stood` says, and nobody is connected to a process
    that just started (the last one's participants may have no `participant_left`: it died)."""
    return replace(stopped_where_it_stood(state), participants=MappingProxyType({}))


def stopped_where_it_stood(state: RunState) -> RunState:
    """The run as its process left it (it died, or said on its way out that a signal or a quit stopped it: the note
    `request: exit`). A step that was running then is `unknown`: nobody knows how it ended, and a verifier's go-ahead for
    that run no longer stands. Its hosts that were running are unknown; those of a wave that never started stay `pending`
    (nothing ran there, so no rollback undoes anything there), those of a finished wave keep their end."""
    steps = dict(state.steps)
    for sid, step in steps.items():
        if step.status == "running":
            hosts = {h: (replace(hs, status="unknown") if hs.status == "running" else hs) for h, hs in step.hosts.items()}
            between = step.wave_awaiting is not None and "running" not in {hs.status for hs in step.hosts.values()}
            problem = (
                f"the program stopped while wave {step.wave_awaiting} waited for the verifier's word; nothing was running"
                if between
                else cut_wait_problem(state.plan_steps.get(sid, {}), step.started_at) or "the program stopped while this step ran; its outcome is unknown"
            )
            # A verifier's go-ahead (and the request for it) was for the run that died: a re-run needs a new one, and asking
            # for it is the assignee's decision to re-run (engine.autopilot).
            steps[sid] = replace(
                step, status="unknown", hosts=MappingProxyType(hosts), problems=step.problems + (problem,), go_ahead_void=True, go_ahead_asked_at=None
            )
    rollback = state.rollback
    if rollback is not None and not rollback.finished:
        carried = rollback.left_unknown if rollback.running_step is None else None  # an earlier rollback's undo, not started again
        failed = rollback.running_step or carried
        rollback = replace(rollback, finished=True, ok=False, running_step=None, failed_step=failed, left_unknown=carried, interrupted=True)
    return replace(state, steps=MappingProxyType(steps), rollback=rollback)


def _session_resumed(state: RunState, e: Event) -> RunState:
    """A new process goes on with the run: what the last one took with it (as `session_interrupted` says it), one
    resume more, and who resumed it at the keyboard from now on (the controller's assignee: the header named whoever
    started the run, dave's resume read `ran by: carol`; `actor` keeps who started it)."""
    lost = lost_with_the_process(state)
    # the journal's writer from now on; `resumed_from`: the person whose process it was (its silences were made by them)
    session = {**lost.session, "assignee": e["actor"], "process": e.get("process"), "resumed_from": lost.session.get("assignee")}
    return replace(lost, resumed=lost.resumed + 1, session=MappingProxyType(session))


def _mode_changed(state: RunState, e: Event) -> RunState:
    return replace(state, session=MappingProxyType({**state.session, "solo": e.get("solo"), "shared": bool(e.get("shared"))}))


def _criteria_accepted(state: RunState, e: Event) -> RunState:
    fields = {"reason": e.get("reason"), "by": e["actor"], "at": e["ts"], "needs_verifier": bool(e.get("needs_verifier")), "criteria": e.get("criteria")}
    return replace(state, criteria_acceptance=MappingProxyType(fields))


def _acceptance_confirmed(state: RunState, e: Event) -> RunState:
    return replace(state, criteria_acceptance=MappingProxyType({**(state.criteria_acceptance or {}), "confirmed_by": e["actor"]}))


def _paused(state: RunState, e: Event) -> RunState:
    return replace(state, paused=True, pause_reason=e.get("reason"), paused_by=e["actor"], hold_requested=None, hold_asked_by=None, trip_unanswered=False)


def _resumed(state: RunState, e: Event) -> RunState:
    return replace(state, paused=False, pause_reason=None, paused_by=None)


def _named(e: Event, default: str) -> str:
    """A participant's request, naming them: "bob: error rate climbing" (their default words already do)."""
    reason, who = str(e.get("reason") or ""), str(e["actor"])
    return reason if reason.startswith(who) else f"{who}: {reason}" if reason else f"{who} {default}"


def _hold(state: RunState, e: Event) -> RunState:
    return replace(state, hold_requested=_named(e, "asks to hold"), hold_asked_by=e["actor"])


def _rollback_requested(state: RunState, e: Event) -> RunState:
    return replace(state, rollback_requested=_named(e, "requests a rollback"), rollback_asked_by=e["actor"])


def _rollback_declined(state: RunState, e: Event) -> RunState:
    """The assignee said no to the request, on the record: it is answered (a guard's too: resume does not open it again)."""
    return replace(state, rollback_requested=None, rollback_asked_by=None)


def _note(state: RunState, e: Event) -> RunState:
    fields = {"actor": e["actor"], "ts": e["ts"], "text": e.get("text", ""), "step": e.get("step"), "request": e.get("request"), "follows": e.get("follows")}
    if e.get("request") == EXIT_NOTE:
        # What it stopped while it ran (resume says it, and that a command here was stopped): a later process quit with
        # nothing running names the step it stood at, and was taken for the one that stopped that step's attempt.
        fields["ran"] = _running(state, e.get("step"))
    note = MappingProxyType(fields)
    state = replace(state, notes=(*state.notes[-NOTES_KEPT + 1 :], note))
    if e.get("request") == "go_ahead" and e.get("step") in state.steps:
        state = with_step(state, e["step"], go_ahead_asked_at=e["ts"])
    if e.get("request") == "stop" and e.get("step") in state.steps:  # `k` on a running step (its undo's is the rollback's)
        state = with_step(state, e["step"], stop_asked=(str(e["actor"]), str(e["ts"])))
    if e.get("request") == EXIT_NOTE:  # the program's last word (app/stopped.py): what ran is unknown from here, as resume
        state = replace(stopped_where_it_stood(state), left=(state.resumed, note))  # finds it (replay read `running` until the resume, the report `UNKNOWN`)
    return state


def _running(state: RunState, sid: Any) -> str | None:
    """`sid` when it runs now, as a step or as the undo a rollback runs; else None."""
    held = state.steps.get(sid) if isinstance(sid, str) else None
    rollback = state.rollback
    undoing = rollback is not None and not rollback.finished and rollback.running_step == sid
    return sid if held is not None and (held.status == "running" or undoing) else None


def _error(state: RunState, e: Event) -> RunState:
    error = MappingProxyType({k: e.get(k) for k in ("ts", "message", "step", "host")})
    return replace(state, errors=(*state.errors[-NOTES_KEPT + 1 :], error))


def _metric_sample(state: RunState, e: Event) -> RunState:
    panel = e["panel"]
    samples = dict(state.samples)
    samples[panel] = (samples.get(panel, ()) + ((e.get("ts_sample") or e["ts"], e.get("value")),))[-SAMPLES_KEPT:]
    errors = state.metric_errors
    if e.get("error") or errors.get(panel):
        errors = MappingProxyType({**errors, panel: e.get("error")})
    last = state.metric_last
    if e.get("value") is not None:  # what an outage's words name however long it lasts (past the samples kept)
        last = MappingProxyType({**last, panel: (samples[panel][-1][0], float(e["value"]))})
    notes, series = (_words_of(e, key, kept) for key, kept in (("note", state.metric_notes), ("series", state.metric_series)))
    return replace(state, samples=MappingProxyType(samples), metric_errors=errors, metric_notes=notes, metric_series=series, metric_last=last)


def _words_of(e: Event, key: str, kept: Mapping[str, str | None]) -> Mapping[str, str | None]:
    """A reading's `note` or `series` kept per panel (a reading without it clears the last one's)."""
    panel, words = e["panel"], e.get(key)
    if not (words or kept.get(panel)):
        return kept
    return MappingProxyType({**kept, panel: words if isinstance(words, str) else None})


def _metrics_started(state: RunState, e: Event) -> RunState:
    payload = {k: v for k, v in e.items() if k not in ("seq", "ts", "type", "actor", "prev", "hash")}
    return replace(state, metrics=MappingProxyType(payload))


def _metric_baseline(state: RunState, e: Event) -> RunState:
    baseline = MappingProxyType({k: e.get(k) for k in ("value", "error", "basis")})
    return replace(state, baselines=MappingProxyType({**state.baselines, e["panel"]: baseline}))


def _success_check_started(state: RunState, e: Event) -> RunState:
    """Each criterion pending, with its deadline and the process checking it (`resumed` then: `RunState.checking_now`).
    A check begun again (a resumed run) replaces the one a process that died left pending: one pending check per
    criterion, the last (the report listed both as `not decided`)."""
    # `started`: readings taken before it do not count for the check (k's dialog marks none of them met).
    pending = tuple(
        MappingProxyType({**c, "when": e.get("when"), "until": e.get("until"), "started": e.get("ts"), "process": state.resumed}) for c in e.get("criteria", ())
    )
    again = {(p.get("text"), p.get("when")) for p in pending}
    kept = tuple(p for p in state.success_pending if (p.get("text"), p.get("when")) not in again)
    return replace(state, success_pending=kept + pending)


def _success_checked(state: RunState, e: Event) -> RunState:
    criterion = e.get("criterion") or {}
    result = MappingProxyType({k: v for k, v in e.items() if k not in ("prev", "hash")})
    pending = tuple(p for p in state.success_pending if not (p.get("text") == criterion.get("text") and p.get("when") == e.get("when")))
    return replace(state, success_checks=state.success_checks + (result,), success_pending=pending)


def _guard_tripped(state: RunState, e: Event) -> RunState:
    """A trip is kept; one whose action is `rollback` is also a request to roll back, as a verifier's is (until a rollback starts)."""
    trip = MappingProxyType({k: v for k, v in e.items() if k not in ("prev", "hash")})
    rolling = state.rollback is not None and not state.rollback.finished
    asks = trip.get("action") == "rollback" and not state.finished and not rolling
    # A person's pause is not the guard's answer (guard_response takes it over): a crash before that still owes it.
    unanswered = trip.get("action") in ("pause", "rollback") and not held_by_the_program(state) and not state.finished
    if not asks:
        return replace(state, guard_trips=state.guard_trips + (trip,), trip_unanswered=unanswered)
    trips = state.guard_trips + (trip,)
    return replace(state, guard_trips=trips, trip_unanswered=unanswered, rollback_requested=guard_rollback_reason(trip), rollback_asked_by=None)


def _joined(state: RunState, e: Event) -> RunState:
    """A verifier who also opens an observer's window stays the verifier (the share counts each name and role apart):
    the observer's join replaced the role, and every screen read `verifier bob not connected`, the assignee's adding
    `no verifier is connected … q and resume --solo` while bob sat at his keys."""
    name, role = e["name"], e.get("role", "observer")
    kept = "verifier" if state.participants.get(name) == "verifier" else role
    return replace(state, participants=MappingProxyType({**state.participants, name: kept}))


def _left(state: RunState, e: Event) -> RunState:
    """Who left, in the role they left (their other window, in the role kept by `_joined`, stays; an event without a
    role, from an older journal, takes the name off)."""
    name, role = e["name"], e.get("role")
    if role is not None and state.participants.get(name) not in (None, role):
        return state
    return replace(state, participants=MappingProxyType({k: v for k, v in state.participants.items() if k != name}))


def _share_closed(state: RunState, _e: Event) -> RunState:
    """The share server closed: nobody is connected any more (a replay's header said `verifier bob connected` at the
    end of the run, since the closing server journals no `participant_left` for who was still there)."""
    return replace(state, participants=MappingProxyType({}))


def _handover(state: RunState, e: Event) -> RunState:
    return replace(state, active_verifier=e.get("to"))


def _share_started(state: RunState, e: Event) -> RunState:
    shared = {"address": e.get("address"), "fingerprint": e.get("fingerprint"), "keys": e.get("keys") or {}, "verifiers": tuple(e.get("verifiers") or ())}
    return replace(state, share=MappingProxyType(shared))


def _review(state: RunState, e: Event) -> RunState:
    return replace(state, review=MappingProxyType({k: str(e.get(k) or "") for k in ("planned", "surprised", "change")}))


def _window_override(state: RunState, e: Event) -> RunState:
    return replace(state, window_override=e.get("reason"))


def _silence_created(state: RunState, e: Event) -> RunState:
    silence = MappingProxyType({k: v for k, v in e.items() if k not in ("prev", "hash", "seq")})
    made = tuple(map(str, e.get("matchers") or ()))
    missing, gone = (tuple(m for m in matchers if m != made) for matchers in (state.silences_missing, state.silences_gone))
    return replace(state, silences=MappingProxyType({**state.silences, str(e["id"]): silence}), silences_missing=missing, silences_gone=gone)


def _silence_extended(state: RunState, e: Event) -> RunState:
    """A silence extended: its new end (and its new id, when Alertmanager gave one)."""
    was = str(e.get("replaces") or e["id"])
    silence = state.silences.get(was)
    if silence is None:
        return state
    others = {k: v for k, v in state.silences.items() if k != was}
    extended = MappingProxyType({**silence, "id": e["id"], "ends_at": e.get("ends_at")})
    return replace(state, silences=MappingProxyType({**others, str(e["id"]): extended}))


def _silence_gone(state: RunState, e: Event) -> RunState:
    """Expired: no longer the run's. One someone else expired while the run goes on (`gone`) is kept as gone (the header
    says so: before, it only went from the count, and with one the run looked like one with nothing to silence)."""
    left = replace(state, silences=MappingProxyType({k: v for k, v in state.silences.items() if k != str(e.get("id"))}))
    silence = state.silences.get(str(e.get("id")))
    if silence is None or not e.get("gone") or state.outcome is not None:
        return left
    return replace(left, silences_gone=(*state.silences_gone, tuple(map(str, silence.get("matchers") or ()))))


def _silence_failed(state: RunState, e: Event) -> RunState:
    """A silence that could not be expired stays active: kept with why (`expire_failed`), so the end can say so. One
    that could not be made is missing (the header says so) until it is made."""
    if e.get("action") == "create":
        refused = tuple(map(str, e.get("matchers") or ()))
        return state if refused in state.silences_missing else replace(state, silences_missing=(*state.silences_missing, refused))
    if e.get("action") != "expire" or not e.get("id"):
        return state
    silence = state.silences.get(str(e["id"])) or {
        "id": e["id"],
        "ends_at": e.get("until"),
        "alertmanager": e.get("alertmanager"),
    }  # made as the run ended: never journaled as made
    failed = MappingProxyType({**silence, "expire_failed": str(e.get("error") or "")})
    return replace(state, silences=MappingProxyType({**state.silences, str(e["id"]): failed}))


def _notify_failed(state: RunState, e: Event) -> RunState:
    """A notice that failed after the end (the end's own, mostly): while the run went on an `error` said it; after its
    end no error may be journaled, and the finished screen said nothing of it."""
    if state.outcome is None:
        return state
    return replace(state, undelivered=(*state.undelivered[-NOTES_KEPT + 1 :], f"{e.get('event')} to {e.get('target')}: {e.get('error')}"))


def _finished(state: RunState, e: Event) -> RunState:
    """The run ended, and who ended it. The program journals a full rollback's end itself (`system`): the person who
    started that rollback ended it, by the command that started it (it read `ROLLED BACK (by system)` after alice asked)."""
    actor, driver = str(e.get("actor") or "") or None, str(e.get("driver") or "") or None
    rollback = state.rollback
    if actor == SYSTEM and e["outcome"] == "rolled_back" and rollback is not None and rollback.started_by:
        actor, driver = rollback.started_by, rollback.driver
    return replace(state, outcome=e["outcome"], reopened=None, finished_by=actor, finished_driver=driver)


def _reopened(state: RunState, e: Event) -> RunState:
    """resume --rollback on a failed session (or --full on one rolled back to its checkpoint): open again, the rollback
    asked standing until it starts; its scope is in the reason the program wrote (`resume --rollback [--full]`)."""
    scope = "full" if "--full" in str(e.get("reason")) else "checkpoint"
    return replace(
        state,
        outcome=None,
        finished_by=None,
        finished_driver=None,
        reopened=MappingProxyType({"outcome": e.get("outcome"), "reason": e.get("reason"), "scope": scope}),
    )


SESSION_HANDLERS = {
    ev.SESSION_STARTED: _session_started,
    ev.SESSION_RESUMED: _session_resumed,
    ev.SESSION_INTERRUPTED: _session_interrupted,
    ev.WINDOW_OVERRIDE: _window_override,
    ev.ROLLBACK_REQUESTED: _rollback_requested,
    ev.ROLLBACK_DECLINED: _rollback_declined,
    ev.PAUSED: _paused,
    ev.RESUMED: _resumed,
    ev.HOLD_REQUESTED: _hold,
    ev.NOTE: _note,
    ev.ERROR: _error,
    ev.METRIC_SAMPLE: _metric_sample,
    ev.GUARD_TRIPPED: _guard_tripped,
    ev.METRICS_STARTED: _metrics_started,
    ev.METRIC_BASELINE: _metric_baseline,
    ev.SUCCESS_CHECK_STARTED: _success_check_started,
    ev.SUCCESS_CHECKED: _success_checked,
    ev.PARTICIPANT_JOINED: _joined,
    ev.PARTICIPANT_LEFT: _left,
    ev.SESSION_FINISHED: _finished,
    ev.VERIFIER_HANDOVER: _handover,
    ev.SHARE_STARTED: _share_started,
    ev.SHARE_CLOSED: _share_closed,
    ev.REVIEW: _review,
    ev.MODE_CHANGED: _mode_changed,
    ev.SESSION_REOPENED: _reopened,
    ev.CRITERIA_ACCEPTED: _criteria_accepted,
    ev.CRITERIA_ACCEPTANCE_CONFIRMED: _acceptance_confirmed,
    ev.SILENCE_CREATED: _silence_created,
    ev.SILENCE_EXTENDED: _silence_extended,
    ev.SILENCE_EXPIRED: _silence_gone,
    ev.SILENCE_FAILED: _silence_failed,
    ev.NOTIFY_FAILED: _notify_failed,
}
