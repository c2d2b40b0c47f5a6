"""`apply(state, event) -> state`: the one definition of where a run stands.

Live runs, `resume`, `replay`, the verifier's replica and `report` all fold
the same events with this function. It reads only the events (the plan is in
`session_started`), never the runbook file, so a journal alone rebuilds the
whole state. It decides nothing: the controller does that and says so in the
events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event

#: Lines of output kept per step in the state (the journal has all of it).
OUTPUT_TAIL = 400
#: Metric samples kept per panel in the state.
SAMPLES_KEPT = 600

FINAL_STEP = frozenset({"done", "skipped"})
#: Statuses from which a step may be run (again).
RUNNABLE = frozenset({"pending", "failed", "rejected", "unknown", "undone"})


@dataclass(frozen=True, slots=True)
class HostState:
    status: str = "pending"  # pending running done failed timed_out unknown skipped undone
    exit_code: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class OutputLine:
    host: str
    stream: str
    text: str
    phase: str = "run"


@dataclass(frozen=True, slots=True)
class StepState:
    """Where one step stands.

    status: pending, running, awaiting_verification, done, failed, timed_out,
    unknown (the process died while it ran), skipped, rejected, undone.
    """

    id: str
    status: str = "pending"
    hosts: Mapping[str, HostState] = field(default_factory=dict)
    attempts: int = 0
    started_at: str | None = None
    finished_at: str | None = None
    go_ahead_by: str | None = None  # verifier's go-ahead (verify: before/both)
    confirmed_by: str | None = None
    verified: bool | None = None  # False: finished solo, recorded unverified
    reason: str | None = None  # skip / reject / mark-done reason
    decided_by: str | None = None  # who confirmed or rejected last (also a go-ahead), and when (decided_at)
    decided_at: str | None = None
    rendered: Mapping[str, Any] = field(default_factory=dict)  # title, commands, undo, text... as step_ready/step_started rendered them
    answer: str | None = None
    commands: Mapping[str, str] = field(default_factory=dict)  # host -> the command as run (secrets masked)
    problems: tuple[str, ...] = ()  # why it failed, in words
    output: tuple[OutputLine, ...] = ()
    waves: tuple[tuple[str, ...], ...] = ()  # serial: the hosts of each wave started so far, in order
    wave_awaiting: int | None = None  # verify: per_wave: the finished wave (1-based) the rollout waits on


@dataclass(frozen=True, slots=True)
class RollbackState:
    scope: str
    plan: Mapping[str, Any]
    done_steps: tuple[str, ...] = ()  # undo entries finished, by step id
    running_step: str | None = None
    finished: bool = False
    ok: bool | None = None
    failed_step: str | None = None


@dataclass(frozen=True, slots=True)
class RunState:
    session: Mapping[str, Any] = field(default_factory=dict)  # the session_started payload
    steps: Mapping[str, StepState] = field(default_factory=dict)
    order: tuple[str, ...] = ()  # forward steps, in runbook order
    rollback_order: tuple[str, ...] = ()  # steps of rollback sections
    history: tuple[str, ...] = ()  # step ids in the order they last started
    captured: Mapping[str, str] = field(default_factory=dict)
    checkpoint: str | None = None
    paused: bool = False
    pause_reason: str | None = None
    hold_requested: str | None = None
    rollback_requested: str | None = None
    rollback: RollbackState | None = None
    participants: Mapping[str, str] = field(default_factory=dict)  # name -> role
    active_verifier: str | None = None  # who confirmed last (a handover journals a change)
    share: Mapping[str, Any] = field(default_factory=dict)  # address and host key fingerprint, when shared
    notes: tuple[Mapping[str, Any], ...] = ()
    errors: tuple[Mapping[str, Any], ...] = ()
    guard_trips: tuple[Mapping[str, Any], ...] = ()
    samples: Mapping[str, tuple[tuple[str, float | None], ...]] = field(default_factory=dict)
    metric_errors: Mapping[str, str | None] = field(default_factory=dict)  # per panel: the last reading's error (None: it had a value)
    metrics: Mapping[str, Any] = field(default_factory=dict)  # metrics_started: source, interval, panels, success criteria
    baselines: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # per panel: value/error/basis before the change
    success_checks: tuple[Mapping[str, Any], ...] = ()  # success_checked results, in order
    success_pending: tuple[Mapping[str, Any], ...] = ()  # criteria being checked now, with their deadline
    window_override: str | None = None
    silences: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # Alertmanager silence id -> silence_created payload
    review: Mapping[str, str] | None = None
    criteria_acceptance: Mapping[str, Any] | None = None  # criteria_accepted (reason, by, needs_verifier, confirmed_by)
    outcome: str | None = None
    resumed: int = 0
    seq: int = -1
    last_ts: str | None = None

    # -- derived views (never stored, so they cannot disagree) ---------------------

    @property
    def plan_steps(self) -> Mapping[str, Mapping[str, Any]]:
        """Each step's plan entry (command, hosts, undo...) from session_started."""
        return {s["id"]: s for section in self.session.get("plan", {}).get("sections", []) for s in section["steps"]}

    @property
    def current(self) -> str | None:
        """The step the run stands at: the first forward step not done or skipped."""
        for step_id in self.order:
            if self.steps[step_id].status not in FINAL_STEP:
                return step_id
        return None

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    @property
    def criteria_unmet(self) -> tuple[str, ...]:
        """`metrics.success` criteria the last check before the end did not find met."""
        last: dict[str, bool | None] = {}
        for check in self.success_checks:
            if check.get("when") == "end":
                last[str((check.get("criterion") or {}).get("text"))] = check.get("met")
        return tuple(text for text, met in last.items() if met is not True)

    @property
    def criteria_accepted(self) -> bool:
        """Unmet criteria accepted with a reason (and, in a shared run, confirmed by the verifier)."""
        acceptance = self.criteria_acceptance
        return acceptance is not None and (not acceptance.get("needs_verifier") or bool(acceptance.get("confirmed_by")))

    @property
    def mode(self) -> str:
        return str(self.session.get("mode", "live"))

    @property
    def solo(self) -> str | None:
        return self.session.get("solo")


def initial() -> RunState:
    return RunState()


def replay(events: Iterable[Event], state: RunState | None = None) -> RunState:
    """Fold events into a state: the whole of `resume` and of the verifier's catch-up."""
    state = state or initial()
    for event in events:
        state = apply(state, event)
    return state


def apply(state: RunState, event: Event) -> RunState:
    """The state after `event`. Unknown event types only advance `seq` (newer writers may add types)."""
    handler = _HANDLERS.get(event["type"])
    if handler is not None:
        state = handler(state, event)
    return replace(state, seq=event["seq"], last_ts=event["ts"])


# -- handlers ------------------------------------------------------------------------


def _step(state: RunState, step_id: str, **changes: Any) -> RunState:
    steps = dict(state.steps)
    steps[step_id] = replace(steps[step_id], **changes)
    return replace(state, steps=MappingProxyType(steps))


def _session_started(state: RunState, e: Event) -> RunState:
    plan = e.get("plan", {})
    sections = plan.get("sections", [])
    order = tuple(s["id"] for sec in sections if sec["kind"] != "rollback" for s in sec["steps"])
    rollback_order = tuple(s["id"] for sec in sections if sec["kind"] == "rollback" for s in sec["steps"])
    steps = {sid: StepState(sid) for sid in order + rollback_order}
    payload = {k: v for k, v in e.items() if k not in ("seq", "ts", "type", "prev", "hash")}
    payload["started_at"] = e["ts"]
    return replace(state, session=MappingProxyType(payload), steps=MappingProxyType(steps), order=order, rollback_order=rollback_order)


def _session_resumed(state: RunState, e: Event) -> RunState:
    """A step that was running when the process died is `unknown`: nobody knows how it ended."""
    steps = dict(state.steps)
    for sid, step in steps.items():
        if step.status == "running":
            hosts = {h: (replace(hs, status="unknown") if hs.status in ("running", "pending") else hs) for h, hs in step.hosts.items()}
            steps[sid] = replace(step, status="unknown", hosts=MappingProxyType(hosts), problems=step.problems + ("the program stopped while this step ran; its outcome is unknown",))
    rollback = state.rollback
    if rollback is not None and not rollback.finished:
        rollback = replace(rollback, finished=True, ok=False, running_step=None, failed_step=rollback.running_step)
    return replace(state, steps=MappingProxyType(steps), rollback=rollback, resumed=state.resumed + 1)


def _step_started(state: RunState, e: Event) -> RunState:
    sid = e["step"]
    hosts = MappingProxyType({h: HostState("running") for h in e.get("hosts", [])})
    history = tuple(s for s in state.history if s != sid) + (sid,)
    state = replace(state, history=history)
    old = state.steps[sid]
    return _step(
        state, sid, status="running", hosts=hosts, attempts=old.attempts + 1, started_at=e["ts"], finished_at=None,
        problems=(), confirmed_by=None, verified=None, reason=None, commands=MappingProxyType(dict(e.get("commands") or {})),
        rendered=_rendered(e) or old.rendered,
        waves=(), wave_awaiting=None,
    )  # fmt: skip


_RENDERED = ("title", "commands", "undo", "text", "confirm", "env")


def _rendered(e: Event) -> Mapping[str, Any]:
    return MappingProxyType({k: e[k] for k in _RENDERED if k in e})


def _step_ready(state: RunState, e: Event) -> RunState:
    return _step(state, e["step"], rendered=_rendered(e)) if e.get("step") in state.steps else state


def _mode_changed(state: RunState, e: Event) -> RunState:
    return replace(state, session=MappingProxyType({**state.session, "solo": e.get("solo"), "shared": bool(e.get("shared"))}))


def _criteria_accepted(state: RunState, e: Event) -> RunState:
    fields = {"reason": e.get("reason"), "by": e["actor"], "at": e["ts"], "needs_verifier": bool(e.get("needs_verifier")), "criteria": e.get("criteria")}
    return replace(state, criteria_acceptance=MappingProxyType(fields))


def _acceptance_confirmed(state: RunState, e: Event) -> RunState:
    return replace(state, criteria_acceptance=MappingProxyType({**(state.criteria_acceptance or {}), "confirmed_by": e["actor"]}))


def _wave_started(state: RunState, e: Event) -> RunState:
    """The wave's hosts run; hosts of waves not started yet wait (`pending`), not `running`."""
    sid = e["step"]
    step = state.steps[sid]
    waves = step.waves + (tuple(e.get("hosts", ())),)
    started = {h for wave in waves for h in wave}
    hosts = MappingProxyType({h: HostState("pending") if h not in started and r.status == "running" else r for h, r in step.hosts.items()})
    return _step(state, sid, waves=waves, hosts=hosts, wave_awaiting=None)


def _wave_finished(state: RunState, e: Event) -> RunState:
    return _step(state, e["step"], wave_awaiting=e.get("wave") if e.get("awaiting") else None)


def _wave_decided(state: RunState, e: Event) -> RunState:
    state = replace(state, active_verifier=e["actor"])
    return _step(state, e["step"], wave_awaiting=None)


def _output(state: RunState, e: Event) -> RunState:
    sid = e["step"]
    step = state.steps.get(sid)
    if step is None:
        return state
    # Only the last OUTPUT_TAIL lines can survive the cut below: build no more (a 64 KiB chunk of `seq` is ~9,000 lines).
    host, stream, phase = e.get("host", ""), e.get("stream", "stdout"), e.get("phase", "run")
    lines = tuple(OutputLine(host, stream, text, phase) for text in str(e.get("text", "")).splitlines()[-OUTPUT_TAIL:])
    return _step(state, sid, output=(step.output + lines)[-OUTPUT_TAIL:])


def _hosts_from(payload: Mapping[str, Any]) -> Mapping[str, HostState]:
    return MappingProxyType({h: HostState(r.get("status", "done"), r.get("exit_code"), r.get("error")) for h, r in payload.items()})


def _step_finished(state: RunState, e: Event) -> RunState:
    sid = e["step"]
    captured = state.captured
    if e.get("captured"):
        captured = MappingProxyType({**state.captured, **e["captured"]})
    state = replace(state, captured=captured)
    return _step(
        state,
        sid,
        status=e["status"],
        hosts=_hosts_from(e.get("hosts", {})),
        finished_at=e["ts"],
        verified=e.get("verified"),
        answer=e.get("answer"),
        problems=tuple(e.get("problems", ())),
    )


def _step_confirmed(state: RunState, e: Event) -> RunState:
    sid = e["step"]
    state = replace(state, active_verifier=e["actor"])
    if e.get("phase") == "before":
        return _step(state, sid, go_ahead_by=e["actor"], decided_by=e["actor"], decided_at=e["ts"])
    return _step(state, sid, status="done", confirmed_by=e["actor"], verified=True, decided_by=e["actor"], decided_at=e["ts"])


def _step_rejected(state: RunState, e: Event) -> RunState:
    state = replace(state, active_verifier=e["actor"])
    return _step(state, e["step"], status="rejected", reason=e.get("reason"), decided_by=e["actor"], decided_at=e["ts"])


def _step_skipped(state: RunState, e: Event) -> RunState:
    return _step(state, e["step"], status="skipped", reason=e.get("reason"))


def _step_marked_done(state: RunState, e: Event) -> RunState:
    step = state.steps[e["step"]]
    hosts = MappingProxyType({h: (replace(hs, status="done") if hs.status == "unknown" else hs) for h, hs in step.hosts.items()})
    return _step(state, e["step"], status="done", hosts=hosts, reason=e.get("reason"), verified=e.get("verified"))


def _checkpoint(state: RunState, e: Event) -> RunState:
    return replace(state, checkpoint=e["step"])


def _rollback_started(state: RunState, e: Event) -> RunState:
    return replace(state, rollback=RollbackState(e["scope"], MappingProxyType(e.get("plan", {}))), rollback_requested=None, paused=False)


def _undo_started(state: RunState, e: Event) -> RunState:
    if state.rollback is None:
        return state
    return replace(state, rollback=replace(state.rollback, running_step=e["step"]))


def _undo_finished(state: RunState, e: Event) -> RunState:
    rollback = state.rollback
    if rollback is None:
        return state
    sid = e["step"]
    step = state.steps[sid]
    hosts = dict(step.hosts)
    for host, result in e.get("hosts", {}).items():
        ok = result.get("status") == "ok" and result.get("exit_code") == 0
        previous = hosts.get(host, HostState())
        hosts[host] = replace(previous, status="undone") if ok else replace(previous, error=result.get("error") or f"undo exited {result.get('exit_code')}")
    state = _step(state, sid, hosts=MappingProxyType(hosts))
    all_undone = all(h.status in ("undone", "skipped", "pending") for h in hosts.values())
    if all_undone:
        state = _step(state, sid, status="undone")
    return replace(state, rollback=replace(rollback, done_steps=rollback.done_steps + (sid,), running_step=None))


def _rollback_finished(state: RunState, e: Event) -> RunState:
    rollback = state.rollback
    if rollback is None:
        return state
    rollback = replace(rollback, finished=True, ok=bool(e.get("ok")), running_step=None, failed_step=e.get("failed_step"))
    checkpoint = state.checkpoint
    if rollback.ok and rollback.scope == "checkpoint":
        # Back at the checkpoint: the steps after it are pending again.
        checkpoint = rollback.plan.get("checkpoint_step")
    return replace(state, rollback=rollback, checkpoint=checkpoint)


def _paused(state: RunState, e: Event) -> RunState:
    return replace(state, paused=True, pause_reason=e.get("reason"), hold_requested=None)


def _resumed(state: RunState, e: Event) -> RunState:
    return replace(state, paused=False, pause_reason=None)


def _named(e: Event, default: str) -> str:
    """A participant's request, naming them: "bob: error rate climbing" (their default words already do)."""
    reason, who = str(e.get("reason") or ""), str(e["actor"])
    return reason if reason.startswith(who) else f"{who}: {reason}" if reason else f"{who} {default}"


def _hold(state: RunState, e: Event) -> RunState:
    return replace(state, hold_requested=_named(e, "asks to hold"))


def _rollback_requested(state: RunState, e: Event) -> RunState:
    return replace(state, rollback_requested=_named(e, "requests a rollback"))


def _note(state: RunState, e: Event) -> RunState:
    note = MappingProxyType({"actor": e["actor"], "ts": e["ts"], "text": e.get("text", ""), "step": e.get("step")})
    return replace(state, notes=state.notes + (note,))


def _error(state: RunState, e: Event) -> RunState:
    error = MappingProxyType({k: e.get(k) for k in ("ts", "message", "step", "host")})
    return replace(state, errors=state.errors + (error,))


def _metric_sample(state: RunState, e: Event) -> RunState:
    panel = e["panel"]
    samples = dict(state.samples)
    samples[panel] = (samples.get(panel, ()) + ((e.get("ts_sample") or e["ts"], e.get("value")),))[-SAMPLES_KEPT:]
    errors = state.metric_errors
    if e.get("error") or errors.get(panel):
        errors = MappingProxyType({**errors, panel: e.get("error")})
    return replace(state, samples=MappingProxyType(samples), metric_errors=errors)


def _metrics_started(state: RunState, e: Event) -> RunState:
    payload = {k: v for k, v in e.items() if k not in ("seq", "ts", "type", "actor", "prev", "hash")}
    return replace(state, metrics=MappingProxyType(payload))


def _metric_baseline(state: RunState, e: Event) -> RunState:
    baseline = MappingProxyType({k: e.get(k) for k in ("value", "error", "basis")})
    return replace(state, baselines=MappingProxyType({**state.baselines, e["panel"]: baseline}))


def _success_check_started(state: RunState, e: Event) -> RunState:
    pending = tuple(MappingProxyType({**c, "when": e.get("when"), "until": e.get("until")}) for c in e.get("criteria", ()))
    return replace(state, success_pending=state.success_pending + pending)


def _success_checked(state: RunState, e: Event) -> RunState:
    criterion = e.get("criterion") or {}
    result = MappingProxyType({k: v for k, v in e.items() if k not in ("prev", "hash")})
    pending = tuple(p for p in state.success_pending if not (p.get("text") == criterion.get("text") and p.get("when") == e.get("when")))
    return replace(state, success_checks=state.success_checks + (result,), success_pending=pending)


def _guard_tripped(state: RunState, e: Event) -> RunState:
    trip = MappingProxyType({k: v for k, v in e.items() if k not in ("prev", "hash")})
    return replace(state, guard_trips=state.guard_trips + (trip,))


def _joined(state: RunState, e: Event) -> RunState:
    return replace(state, participants=MappingProxyType({**state.participants, e["name"]: e.get("role", "observer")}))


def _left(state: RunState, e: Event) -> RunState:
    return replace(state, participants=MappingProxyType({k: v for k, v in state.participants.items() if k != e["name"]}))


def _handover(state: RunState, e: Event) -> RunState:
    return replace(state, active_verifier=e.get("to"))


def _share_started(state: RunState, e: Event) -> RunState:
    return replace(state, share=MappingProxyType({"address": e.get("address"), "fingerprint": e.get("fingerprint")}))


def _review(state: RunState, e: Event) -> RunState:
    return replace(state, review=MappingProxyType({k: str(e.get(k) or "") for k in ("planned", "surprised", "change")}))


def _window_override(state: RunState, e: Event) -> RunState:
    return replace(state, window_override=e.get("reason"))


def _silence_created(state: RunState, e: Event) -> RunState:
    silence = MappingProxyType({k: v for k, v in e.items() if k not in ("prev", "hash", "seq")})
    return replace(state, silences=MappingProxyType({**state.silences, str(e["id"]): silence}))


def _silence_gone(state: RunState, e: Event) -> RunState:
    return replace(state, silences=MappingProxyType({k: v for k, v in state.silences.items() if k != str(e.get("id"))}))


def _finished(state: RunState, e: Event) -> RunState:
    return replace(state, outcome=e["outcome"])


_HANDLERS = {
    ev.SESSION_STARTED: _session_started,
    ev.SESSION_RESUMED: _session_resumed,
    ev.WINDOW_OVERRIDE: _window_override,
    ev.STEP_STARTED: _step_started,
    ev.OUTPUT: _output,
    ev.STEP_FINISHED: _step_finished,
    ev.STEP_CONFIRMED: _step_confirmed,
    ev.STEP_REJECTED: _step_rejected,
    ev.STEP_SKIPPED: _step_skipped,
    ev.WAVE_STARTED: _wave_started,
    ev.WAVE_FINISHED: _wave_finished,
    ev.WAVE_CONFIRMED: _wave_decided,
    ev.WAVE_REJECTED: _wave_decided,
    ev.STEP_MARKED_DONE: _step_marked_done,
    ev.CHECKPOINT_REACHED: _checkpoint,
    ev.ROLLBACK_REQUESTED: _rollback_requested,
    ev.ROLLBACK_STARTED: _rollback_started,
    ev.UNDO_STARTED: _undo_started,
    ev.UNDO_FINISHED: _undo_finished,
    ev.ROLLBACK_FINISHED: _rollback_finished,
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
    ev.REVIEW: _review,
    ev.STEP_READY: _step_ready,
    ev.MODE_CHANGED: _mode_changed,
    ev.SESSION_REOPENED: lambda state, _e: replace(state, outcome=None),  # resume --rollback on a failed session
    ev.CRITERIA_ACCEPTED: _criteria_accepted,
    ev.CRITERIA_ACCEPTANCE_CONFIRMED: _acceptance_confirmed,
    ev.SILENCE_CREATED: _silence_created,
    ev.SILENCE_EXPIRED: _silence_gone,
}


def confirmable(state: RunState) -> str | None:
    """What a verifier's confirmation would do now: "after" (the step ran and waits), "before"
    (a go-ahead the step needs before it runs), or None (nothing to confirm). The controller
    decides with this, and the verifier's footer offers `c` only when it is not None."""
    current = state.current
    if current is None or state.finished or state.solo:
        return None
    step = state.steps[current]
    if step.status == "awaiting_verification":
        return "after"
    verify = state.plan_steps.get(current, {}).get("verify")
    if verify in ("before", "both") and step.go_ahead_by is None and step.status in RUNNABLE:
        return "before"
    return None
