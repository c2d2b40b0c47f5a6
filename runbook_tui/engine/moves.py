"""The assignee's moves, kept by the history fold: each decision at the point of the run it was taken.

A move is an assignee's action (run, re-run, skip, mark done, roll back,
decline rollback, pause, resume, finish) at a point of the run (`Point`: the current step, its
attempts, the verdicts given on it). The time it took is counted from the
moment the situation arose (the event before it that was not output or a
metric reading). A run or re-run keeps what followed it up to the next move
(its end, verdicts on it, rollback requests, guard trips): practice says from
these what followed the night's decision.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.engine.history_model import Followed, Move, Point
from runbook_tui.engine.state import RunState
from runbook_tui.runbook import lazy_re

if TYPE_CHECKING:
    from runbook_tui.engine.history import History

#: Events that are not a situation arising: time to decide counts from the event before them. A signature (of a decision,
#: a seal of the head, the approval) and a notice sent follow what they sign or tell of, seconds later at times (ssh-keygen,
#: an HTTP post): counted, a signed night's assignee read as deciding in the seconds after the verifier's key signed.
#: A resume (and the metrics it starts again) is no situation either: the decision taken on it (`resume --rollback`, a
#: step marked done) answers what stopped the run, and counted from the resume it read `0s` beside a trainee who took
#: their time over the same pause. A reopening (`resume --rollback --full` of a run that ended) is the same resume's.
#: The program's bookkeeping while the assignee decides is none either: a silence extended (or kept after a rollback), a
#: stranger's key refused at the share port, refused connections counted; each restarted the clock, and the night's
#: decision read as taken in the seconds since the last of them.
_QUIET = frozenset({
    ev.OUTPUT, ev.METRIC_SAMPLE, ev.METRIC_BASELINE, ev.DECISION_SIGNED, ev.SEAL, ev.PLAN_APPROVED, ev.NOTIFIED, ev.NOTIFY_FAILED,
    ev.SESSION_RESUMED, ev.SESSION_REOPENED, ev.METRICS_STARTED, ev.SILENCE_EXTENDED, ev.SILENCE_KEPT, ev.JOIN_REFUSED,
    ev.SHARE_REFUSING,
})  # fmt: skip
_RUNS = frozenset({"run", "re-run"})


def point_of(state: RunState) -> Point:
    """Where the run stands in `state`."""
    step = state.current
    st = state.steps.get(step) if step else None
    return Point(step, st.attempts if st else 0, st.verdicts if st else 0, bool(st and st.status == "running"))


def elapsed(start: str, end: str) -> float:
    """Seconds from one journal time to another."""
    return (_moment(end) - _moment(start)).total_seconds()


def _moment(ts: str) -> dt.datetime:
    return dt.datetime.fromisoformat(str(ts).replace("Z", "+00:00"))


class MoveLog:
    """Appends the assignee's moves to `moves` as the history is fed."""

    def __init__(self, moves: list[Move]) -> None:
        self.moves = moves
        self._arose_at: str | None = None
        self._index = 0

    def feed(self, event: Event, before: RunState, history: History) -> None:
        """`event` was just folded into `history`; `before` is the state it met."""
        kind = move_kind(event, before)
        if kind is not None and self._arose_at is not None:
            self.moves.append(self._move(kind, event, before, history))
        elif self.moves and self.moves[-1].kind in _RUNS:
            _follow(self.moves[-1], event)
        if event["type"] not in _QUIET and not _own_note(event, before) and not _observer_came_or_went(event):
            self._arose_at = event["ts"]
        self._index += 1

    def _move(self, kind: str, event: Event, before: RunState, history: History) -> Move:
        seconds = round(max(0.0, elapsed(str(self._arose_at), event["ts"])), 1)
        detail = str(event.get("scope") or event.get("outcome") or event.get("reason") or "")
        move = Move(kind, event.get("step") or before.current, point_of(before), event["ts"], seconds, self._index, detail)
        move.driver = str(event.get("driver") or "") or _policy_of(event)
        move.by = str(event.get("actor") or "")
        if kind in _RUNS:
            move.attempt = history.attempts[event["step"]][-1]
        elif kind == "roll back":
            move.rollback = history.rollbacks[-1] if history.rollbacks else None
            move.trip = before.guard_trips[-1] if before.guard_trips else None
            move.readings_before = len(history.samples.get(str(move.trip.get("panel")), [])) if move.trip else 0
        elif kind in ("pause", "resume"):  # the pause it started, or the one it ended
            move.pause = history.pauses[-1] if history.pauses else None
        return move


def _own_note(event: Event, before: RunState) -> bool:
    """A note by the assignee (`n`, or the acknowledgement of a `confirm`) is written while deciding, not a situation arising:
    counted from it, the night's run after a note six seconds into the decision read as taken in 700 ms."""
    return event["type"] == ev.NOTE and event.get("actor") == before.session.get("assignee")


def _observer_came_or_went(event: Event) -> bool:
    """An observer joining or leaving asks nothing of the assignee (a verifier's coming may let a waiting step go on):
    counted from it, the night's run two minutes after the situation read as taken in the minute since carol looked in."""
    return event["type"] in (ev.PARTICIPANT_JOINED, ev.PARTICIPANT_LEFT) and event.get("role") == "observer"


def move_kind(event: Event, before: RunState) -> str | None:
    """The assignee's move `event` is in the state it met, or None (not a move, or not theirs)."""
    kind, actor = event["type"], event.get("actor")
    assignee = str(before.session.get("assignee") or before.session.get("actor") or "")
    rolling_back = before.rollback is not None and not before.rollback.finished
    if kind == ev.STEP_STARTED and not rolling_back:
        return "re-run" if before.steps[event["step"]].attempts else "run"
    if kind == ev.STEP_SKIPPED:
        return "skip"
    if kind == ev.STEP_MARKED_DONE:
        return "mark done"
    if kind == ev.ROLLBACK_STARTED:
        return "roll back"
    if kind == ev.CRITERIA_ACCEPTED:  # unmet success criteria: accepted with a reason, where a rollback was the other way
        return "accept unmet criteria"
    if kind == ev.ROLLBACK_DECLINED:  # the assignee's answer to a rollback request (only they may give it)
        return "decline rollback"
    if kind in (ev.PAUSED, ev.RESUMED) and actor == assignee:
        return "pause" if kind == ev.PAUSED else "resume"
    if kind == ev.SESSION_FINISHED and actor == assignee:
        return "finish"
    return None


#: A rollback `exec --on-failure rollback` (resume's, rehearse's) chose, by its reason (journals before `driver`).
_ON_FAILURE = lazy_re.compile(r"^(exec|resume|rehearse) --on-failure (?:rollback|abort): ")


def _policy_of(event: Event) -> str:
    found = _ON_FAILURE.match(str(event.get("reason") or "")) if event["type"] == ev.ROLLBACK_STARTED else None
    return found.group(1) if found else ""


def _follow(run: Move, event: Event) -> None:
    """Keep what followed a run or re-run: its end, verdicts on it, rollback requests, guard trips."""
    kind, actor, at = event["type"], str(event.get("actor")), event["ts"]
    on_it = event.get("step") == run.step
    if kind == ev.STEP_FINISHED and on_it and not any(f.kind == "finished" for f in run.followed):
        run.followed.append(Followed("finished", actor, at))
        run.answer = None if event.get("answer") is None else str(event.get("answer"))
        run.captured = {str(k): str(v) for k, v in (event.get("captured") or {}).items()}
    elif kind in (ev.STEP_CONFIRMED, ev.STEP_REJECTED) and on_it and event.get("phase") != "before":
        run.followed.append(Followed("confirmed" if kind == ev.STEP_CONFIRMED else "rejected", actor, at, event.get("reason")))
    elif kind == ev.ROLLBACK_REQUESTED:
        run.followed.append(Followed("rollback requested", actor, at, event.get("reason")))
    elif kind == ev.GUARD_TRIPPED:
        run.followed.append(Followed("guard tripped", actor, at, event.get("words")))
