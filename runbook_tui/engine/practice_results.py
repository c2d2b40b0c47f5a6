"""What a practice run is judged on: each decision point of the night, the night's choice and the trainee's.

A decision point is an assignee's action (run, re-run, skip, mark done,
roll back, pause, resume, finish) at a point of the run (`recording.Point`:
the current step, its attempts, the verdicts given on it). The trainee's
decision at the same point is set beside the night's; the time each took is
counted from the moment the situation arose (the event before the decision
that was not output or a metric reading). "Why it matters" says, from the
night's journal, what followed the night's decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.engine.recording import Point, point_of
from runbook_tui.engine.state import RunState, apply, initial

#: Events that are not a situation arising: time to decide counts from the event before them.
_QUIET = frozenset({ev.OUTPUT, ev.METRIC_SAMPLE, ev.METRIC_BASELINE})


@dataclass
class Decision:
    kind: str  # run, re-run, skip, mark done, roll back, pause, resume, finish
    step: str | None
    point: Point
    at: str
    seconds: float  # from the moment the situation arose to the decision
    index: int  # the event's place in its journal
    detail: str = ""


@dataclass
class DecisionPoint:
    step: str | None
    night: Decision | None  # None: only the trainee decided here
    trainee: Decision | None  # None: the trainee never got here, or did something else first
    why: str  # what followed the night's decision, in one line

    @property
    def same(self) -> bool:
        return self.night is not None and self.trainee is not None and self.night.kind == self.trainee.kind


@dataclass
class Results:
    points: list[DecisionPoint] = field(default_factory=list)
    verifier: str | None = None
    scenario: str = ""  # the trainer's description, when the journal was marked as a practice scenario

    @property
    def score(self) -> tuple[int, int]:
        """(decisions as on the night, decision points of the night)."""
        night = [p for p in self.points if p.night is not None]
        return sum(1 for p in night if p.same), len(night)

    @property
    def night_seconds(self) -> float:
        return round(sum(p.night.seconds for p in self.points if p.night is not None), 1)

    @property
    def trainee_seconds(self) -> float:
        return round(sum(p.trainee.seconds for p in self.points if p.trainee is not None), 1)


def _ts(event: Event) -> dt.datetime:
    return dt.datetime.fromisoformat(str(event["ts"]).replace("Z", "+00:00"))


def decisions(events: Sequence[Event]) -> list[Decision]:
    """The assignee's decisions in one journal, each with its point and the time it took."""
    state: RunState = initial()
    verdicts: dict[str, int] = {}
    assignee = str(events[0].get("assignee") or events[0]["actor"]) if events else ""
    found: list[Decision] = []
    arose: Event | None = None
    for index, event in enumerate(events):
        kind = _kind(event, state, assignee)
        if kind is not None and arose is not None:
            seconds = round(max(0.0, (_ts(event) - _ts(arose)).total_seconds()), 1)
            detail = str(event.get("scope") or event.get("outcome") or event.get("reason") or "")
            found.append(Decision(kind, event.get("step") or state.current, point_of(state, verdicts), event["ts"], seconds, index, detail))
        state = apply(state, event)
        if event["type"] in (ev.STEP_CONFIRMED, ev.STEP_REJECTED) and event.get("phase") != "before":
            verdicts[event["step"]] = verdicts.get(event["step"], 0) + 1
        if event["type"] not in _QUIET:
            arose = event
    return found


def _kind(event: Event, state: RunState, assignee: str) -> str | None:
    kind, actor = event["type"], event.get("actor")
    rolling_back = state.rollback is not None and not state.rollback.finished
    if kind == ev.STEP_STARTED and not rolling_back:
        return "re-run" if state.steps[event["step"]].attempts else "run"
    if kind == ev.STEP_SKIPPED:
        return "skip"
    if kind == ev.STEP_MARKED_DONE:
        return "mark done"
    if kind == ev.ROLLBACK_STARTED:
        return "roll back"
    if kind in (ev.PAUSED, ev.RESUMED) and actor == assignee:
        return "pause" if kind == ev.PAUSED else "resume"
    if kind == ev.SESSION_FINISHED and actor == assignee:
        return "finish"
    return None


def compare(night: Sequence[Event], practice: Sequence[Event], scenario: str = "") -> Results:
    """The night's decision points beside the trainee's, in the night's order; the trainee's others after."""
    theirs = decisions(night)
    mine = decisions(practice)
    used: set[int] = set()
    points: list[DecisionPoint] = []
    for number, decision in enumerate(theirs):
        until = theirs[number + 1].index if number + 1 < len(theirs) else len(night)
        key = (decision.point.step, decision.point.attempts, decision.point.verdicts)
        match = next((i for i, d in enumerate(mine) if i not in used and (d.point.step, d.point.attempts, d.point.verdicts) == key), None)
        if match is not None:
            used.add(match)
        points.append(DecisionPoint(decision.step, decision, mine[match] if match is not None else None, why_it_matters(night, decision, until)))
    points += [DecisionPoint(d.step, None, d, "not a decision point on the night") for i, d in enumerate(mine) if i not in used]
    verifier = next((str(e.get("verifier")) for e in night[:1] if e.get("verifier")), None)
    return Results(points, verifier, scenario)


def _later(a: Event, b: Event) -> str:
    seconds = (_ts(b) - _ts(a)).total_seconds()
    return f"{seconds:.0f}s" if seconds < 90 else f"{seconds / 60:.0f} min"


def why_it_matters(night: Sequence[Event], decision: Decision, until: int) -> str:
    """One line: what followed the night's decision (up to the night's next decision at `until`), from its journal."""
    event = night[decision.index]
    after = night[decision.index + 1 :]
    if decision.kind in ("run", "re-run"):
        return _after_run(event, night[decision.index + 1 : until])
    if decision.kind == "roll back":
        return _after_rollback(night, decision, after)
    if decision.kind == "skip":
        return f"on the night it was skipped{': ' + decision.detail if decision.detail else ''}; nothing ran on its hosts"
    if decision.kind == "mark done":
        return f"on the night it was marked done by hand, recorded unverified: {decision.detail}"
    if decision.kind == "pause":
        ended = next((e for e in after if e["type"] in (ev.RESUMED, ev.ROLLBACK_STARTED)), None)
        if ended is None:
            return "on the night the run stayed paused to the end of the journal"
        how = "resumed" if ended["type"] == ev.RESUMED else "a rollback started"
        return f"on the night the run stayed paused {_later(event, ended)}, then {how}"
    if decision.kind == "finish":
        return f"the night ended {decision.detail}"
    return ""


def _after_run(started: Event, following: Sequence[Event]) -> str:
    step = started["step"]
    finished = next((e for e in following if e["type"] == ev.STEP_FINISHED and e.get("step") == step), None)
    if finished is None:
        return "on the night this attempt's end was never recorded (the program stopped)"
    failed = [f"{host} (exit {r.get('exit_code')})" for host, r in (finished.get("hosts") or {}).items() if r.get("status") not in ("done", "ok")]
    words = [f"failed on {', '.join(failed)}" if failed else "ran cleanly"]
    for e in following:  # what people did about it, in the order they did it
        if e["type"] in (ev.STEP_CONFIRMED, ev.STEP_REJECTED) and e.get("step") == step and e.get("phase") != "before":
            how = "confirmed" if e["type"] == ev.STEP_CONFIRMED else "rejected"
            words.append(f"{e['actor']} {how} it {_later(finished, e)} later" + (f": {e['reason']}" if e.get("reason") else ""))
        elif e["type"] in (ev.ROLLBACK_REQUESTED, ev.GUARD_TRIPPED):
            words.append(
                f"{e['actor']} asked for a rollback {_later(finished, e)} later"
                if e["type"] == ev.ROLLBACK_REQUESTED
                else f"{e.get('words') or 'a guard tripped'} {_later(finished, e)} later"
            )
    return f"on the night it {'; '.join(words)}"


def _after_rollback(night: Sequence[Event], decision: Decision, after: Sequence[Event]) -> str:
    started = night[decision.index]
    finished = next((e for e in after if e["type"] == ev.ROLLBACK_FINISHED), None)
    if finished is None:
        return "on the night the rollback never finished"
    words = f"on the night the rollback {'finished' if finished.get('ok') else 'FAILED'} in {_later(started, finished)}"
    trip = next((e for e in reversed(night[: decision.index]) if e["type"] == ev.GUARD_TRIPPED), None)
    if trip is not None:
        panel = trip.get("panel")
        samples = [e for e in after if e["type"] == ev.METRIC_SAMPLE and e.get("panel") == panel and e.get("value") is not None]
        if samples:
            unit = str(trip.get("unit") or "")
            words += f" and {trip.get('title') or panel} went from {trip.get('value'):g}{unit} to {samples[-1]['value']:g}{unit}"
    return words
