"""A past run as recordings: what each command printed and how it ended, per step, host and attempt.

Practice mode replays these in place of real commands, and compares the
trainee's decisions with the ones taken on the night.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event


@dataclass
class Take:
    """One attempt of one command on one host."""

    chunks: list[tuple[str, str]] = field(default_factory=list)  # (stream, text)
    status: str = "unknown"  # ok, timeout, error (as the executor said) or unknown
    exit_code: int | None = None
    error: str | None = None


@dataclass
class Decision:
    """Something a person decided on the night, and when (seconds after the session started)."""

    kind: str  # ran, confirmed, rejected, skipped, rolled_back, marked_done
    step: str | None
    at: float
    detail: str = ""


@dataclass
class Recording:
    takes: dict[tuple[str, str, str], list[Take]] = field(default_factory=dict)  # (phase, step, host) -> attempts
    verdicts: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # step -> [(confirmed|rejected, reason)]
    decisions: list[Decision] = field(default_factory=list)
    verifier: str | None = None

    def take(self, phase: str, step: str, host: str, attempt: int) -> Take | None:
        """The recorded attempt `attempt` (1-based), or the last one when the trainee tries more often."""
        takes = self.takes.get((phase, step, host))
        if not takes:
            return None
        return takes[min(attempt, len(takes)) - 1]


def _seconds(ts: str, start: str) -> float:
    return (datetime.fromisoformat(ts.replace("Z", "+00:00")) - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()


def record(events: Iterable[Event]) -> Recording:
    """Fold a journal's events into recordings and decisions."""
    recording = Recording()
    start = ""
    current: dict[tuple[str, str, str], Take] = {}
    for e in events:
        kind = e["type"]
        if kind == ev.SESSION_STARTED:
            start = e["ts"]
            recording.verifier = e.get("verifier")
            continue
        at = _seconds(e["ts"], start) if start else 0.0
        if kind in (ev.STEP_STARTED, ev.UNDO_STARTED):
            phase = "run" if kind == ev.STEP_STARTED else "undo"
            for host in e.get("hosts", []):
                take = Take()
                current[(phase, e["step"], host)] = take
                recording.takes.setdefault((phase, e["step"], host), []).append(take)
            if kind == ev.STEP_STARTED:
                recording.decisions.append(Decision("ran", e["step"], at))
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
                    "ok" if status in ("done", "failed", "ok") and finished.exit_code is not None else ("timeout" if status in ("timed_out", "timeout") else "error")
                )
        elif kind in (ev.STEP_CONFIRMED, ev.STEP_REJECTED):
            verdict = "confirmed" if kind == ev.STEP_CONFIRMED else "rejected"
            recording.verdicts.setdefault(e["step"], []).append((verdict, e.get("reason") or ""))
            recording.decisions.append(Decision(verdict, e["step"], at, e.get("reason") or ""))
        elif kind == ev.STEP_SKIPPED:
            recording.decisions.append(Decision("skipped", e["step"], at, e.get("reason") or ""))
        elif kind == ev.STEP_MARKED_DONE:
            recording.decisions.append(Decision("marked_done", e["step"], at, e.get("reason") or ""))
        elif kind == ev.ROLLBACK_STARTED:
            recording.decisions.append(Decision("rolled_back", None, at, e.get("scope", "")))
    return recording


def compare(night: Recording, practice: Recording) -> list[str]:
    """Lines comparing, step by step, what was decided on the night with what the trainee decided."""
    def by_step(recording: Recording) -> dict[str, list[Decision]]:
        steps: dict[str, list[Decision]] = {}
        last: str | None = None
        for decision in recording.decisions:
            step = decision.step or last or "-"
            steps.setdefault(step, []).append(decision)
            last = decision.step or last
        return steps

    then, now = by_step(night), by_step(practice)
    lines = [f"{'step':<24}{'on the night':<36}{'you':<36}"]
    for step in dict.fromkeys([*then, *now]):
        a = ", ".join(d.kind for d in then.get(step, [])) or "-"
        b = ", ".join(d.kind for d in now.get(step, [])) or "-"
        mark = "" if a == b else "  <- different"
        lines.append(f"{step:<24}{a:<36}{b:<36}{mark}")
    if night.decisions and practice.decisions:
        lines.append(f"time to the last decision: on the night {night.decisions[-1].at:.0f}s, you {practice.decisions[-1].at:.0f}s")
    return lines
