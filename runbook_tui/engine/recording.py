"""A past run as recordings: what each command printed and how it ended, per step, host and attempt.

Practice mode replays these in place of real commands; the verifier's
verdicts and the night's cues (requests, holds, metric readings, guard trips)
are played back by engine/practice.py at the point of the run they came at.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.engine.state import RunState, apply, initial


@dataclass
class Take:
    """One attempt of one command on one host."""

    chunks: list[tuple[str, str]] = field(default_factory=list)  # (stream, text)
    status: str = "unknown"  # ok, timeout, error (as the executor said) or unknown
    exit_code: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class Point:
    """Where a run stood: the current step, its attempts started, verdicts given on it, whether one runs now.

    The night's cues (a rollback request, a hold, a metric reading) are tied to the point they came at,
    so a practice run meets them at the same point however fast or slow the trainee is.
    """

    step: str | None
    attempts: int
    verdicts: int
    running: bool


def point_of(state: RunState, verdicts: Mapping[str, int]) -> Point:
    step = state.current
    st = state.steps.get(step) if step else None
    return Point(step, st.attempts if st else 0, verdicts.get(step or "", 0), bool(st and st.status == "running"))


#: What the night's other people and the metrics did, played back in practice at the same point.
CUE_TYPES = frozenset({ev.ROLLBACK_REQUESTED, ev.HOLD_REQUESTED, ev.METRICS_STARTED, ev.METRIC_SAMPLE, ev.METRIC_BASELINE, ev.GUARD_TRIPPED})
_PAYLOAD_SKIP = frozenset({"seq", "ts", "type", "actor", "prev", "hash"})


@dataclass
class Cue:
    """An event of the night that was not the assignee's doing, with the point and time it came at."""

    type: str
    actor: str
    point: Point
    at: float
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Recording:
    takes: dict[tuple[str, str, str], list[Take]] = field(default_factory=dict)  # (phase, step, host) -> attempts
    verdicts: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # step -> [(confirmed|rejected, reason)]
    verifier: str | None = None
    cues: list[Cue] = field(default_factory=list)

    def take(self, phase: str, step: str, host: str, attempt: int) -> Take | None:
        """The recorded attempt `attempt` (1-based), or the last one when the trainee tries more often."""
        takes = self.takes.get((phase, step, host))
        if not takes:
            return None
        return takes[min(attempt, len(takes)) - 1]


def _seconds(ts: str, start: str) -> float:
    return (datetime.fromisoformat(ts.replace("Z", "+00:00")) - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()


def record(events: Iterable[Event]) -> Recording:
    """Fold a journal's events into takes, verdicts and cues."""
    recording = Recording()
    start = ""
    current: dict[tuple[str, str, str], Take] = {}
    state, verdicts = initial(), dict[str, int]()
    for e in events:
        before = state
        state = apply(state, e)
        kind = e["type"]
        if kind == ev.SESSION_STARTED:
            start = e["ts"]
            recording.verifier = e.get("verifier")
            continue
        at = _seconds(e["ts"], start) if start else 0.0
        if kind in CUE_TYPES or (kind == ev.PAUSED and e["actor"] == ev.SYSTEM):
            data = {k: v for k, v in e.items() if k not in _PAYLOAD_SKIP}
            recording.cues.append(Cue(kind, str(e["actor"]), point_of(before, verdicts), at, data))
        if kind == ev.PARTICIPANT_JOINED and e.get("role") == "verifier" and not recording.verifier:
            recording.verifier = e.get("name")
        if kind in (ev.STEP_CONFIRMED, ev.STEP_REJECTED) and e.get("phase") != "before":
            verdicts[e["step"]] = verdicts.get(e["step"], 0) + 1
        if kind in (ev.STEP_STARTED, ev.UNDO_STARTED):
            phase = "run" if kind == ev.STEP_STARTED else "undo"
            for host in e.get("hosts", []):
                take = Take()
                current[(phase, e["step"], host)] = take
                recording.takes.setdefault((phase, e["step"], host), []).append(take)
        elif kind == ev.OUTPUT:
            found = current.get((e.get("phase", "run"), e["step"], e.get("host", "")))
            if found is not None:
                found.chunks.append((e.get("stream", "stdout"), e.get("text", "")))
        elif kind in (ev.STEP_FINISHED, ev.UNDO_FINISHED):
            phase = "run" if kind == ev.STEP_FINISHED else "undo"
            for host, result in (e.get("hosts") or {}).items():
                finished = current.get((phase, e["step"], host))
                if finished is None:
                    continue
                finished.exit_code = result.get("exit_code")
                finished.error = result.get("error")
                status = result.get("status")
                finished.status = (
                    "ok"
                    if status in ("done", "failed", "ok") and finished.exit_code is not None
                    else ("timeout" if status in ("timed_out", "timeout") else "error")
                )
        elif kind in (ev.STEP_CONFIRMED, ev.STEP_REJECTED):
            verdict = "confirmed" if kind == ev.STEP_CONFIRMED else "rejected"
            recording.verdicts.setdefault(e["step"], []).append((verdict, e.get("reason") or ""))
    return recording
