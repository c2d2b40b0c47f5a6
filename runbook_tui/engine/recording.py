"""A past run as recordings: what each command printed and how it ended, per step, host and attempt.

Practice mode replays these in place of real commands; the verifier's
verdicts and the night's cues (requests, holds, metric readings, guard trips)
are played back by engine/practice.py at the point of the run they came at.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.engine.history import History
from runbook_tui.engine.history_model import Point
from runbook_tui.engine.host_result import is_retry_note
from runbook_tui.engine.moves import point_of
from runbook_tui.runbook.lean_dataclass import dataclass, field


@dataclass
class Take:
    """One attempt of one command on one host."""

    #: (stream, text) in the night's order; stream `status`: the executor's words on it then (SAID, played as said)
    chunks: list[tuple[str, str]] = field(default_factory=list)
    status: str = "unknown"  # ok, timeout, error (as the executor said) or unknown
    exit_code: int | None = None
    error: str | None = None
    started: bool = True  # False: the night's command never began on that host (no connection)
    #: The night's tries of this attempt that failed and were retried (`retries:`), in order, before this last one:
    #: played as tries of their own (all of the attempt's output played on every try, and a try that had failed passed)
    retried: list[Take] = field(default_factory=list)


#: The `stream` of a chunk that is the executor's words on the command (`timed out after 1s: stopping its process
#: group`, a reconnect), journaled as a transient `error` of its step and host: practice says them where the night did
#: (before, a practice of a step that timed out showed its end, never the night's line of the timeout).
SAID = "status"

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


#: A verifier's word on the night: (confirmed|rejected, reason, who gave it). Who is the journal's actor of that word:
#: practice plays it under their name (before: every word under the session's verifier, so carol's confirmation after
#: a handover from bob was played, journaled and reported as bob's).
Answer = tuple[str, str, str]


@dataclass
class Recording:
    takes: dict[tuple[str, str, str], list[Take]] = field(default_factory=dict)  # (phase, step, host) -> attempts
    verdicts: dict[str, list[Answer]] = field(default_factory=dict)  # step -> [(confirmed|rejected, reason, by)]: waves, outcomes
    go_aheads: dict[str, list[Answer]] = field(default_factory=dict)  # step -> [(confirmed|rejected, reason, by)]: go-aheads given, refused
    verifier: str | None = None
    cues: list[Cue] = field(default_factory=list)
    #: step -> per attempt, the (panel, value) readings journaled between its hosts' end and its `step_finished`: what
    #: the night's `expect.metric` check of it read; None where its hosts' end was not journaled (nothing to judge on)
    check_readings: dict[str, list[list[tuple[str, float | None]] | None]] = field(default_factory=dict)
    #: (when, criterion text) -> the readings of its panel journaled while the night's last such check of
    #: `metrics.success` ran (from `success_check_started` to its `success_checked`)
    success_readings: dict[tuple[str, str], list[float | None]] = field(default_factory=dict)
    #: the verifier's rollback requests the assignee declined on the night, in order (`rollback_declined`): the
    #: verifier's next word came after the decline, so practice holds it until the trainee answers the request
    declines: int = 0
    #: how fast the night's outputs play (`replay --practice --speed X`: 2 plays them twice as fast)
    pace: float = 1.0
    #: the night itself, as the practice's `session_started.practised` names it: {journal (absolute), session, head}
    night: dict[str, Any] | None = None

    @property
    def verifier_answered(self) -> bool:
        """The night's verifier gave a word on some step (a go-ahead, a wave, an outcome): practice plays them back."""
        return bool(self.verdicts or self.go_aheads)

    def attempts(self, phase: str, step: str, host: str) -> int:
        """How many attempts of the command the night recorded on `host`."""
        return len(self.takes.get((phase, step, host)) or ())

    def take(self, phase: str, step: str, host: str, attempt: int) -> Take | None:
        """The recorded attempt `attempt` (1-based), or the last one when the trainee tries more often."""
        takes = self.takes.get((phase, step, host))
        if not takes:
            return None
        return takes[min(attempt, len(takes)) - 1]


def _seconds(ts: str, start: str) -> float:
    return (datetime.fromisoformat(ts.replace("Z", "+00:00")) - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()


def record(events: Iterable[Event]) -> Recording:
    """Fold a journal's events into takes and cues; the verdicts and the verifier come from its history."""
    recording = Recording()
    start = ""
    current: dict[tuple[str, str, str], Take] = {}
    waiting: dict[tuple[str, str], Take] = {}  # (step, host) -> the take of a rolled-out attempt whose wave never reached it
    history = History()
    checking: set[str] = set()
    criteria: dict[tuple[str, str], str] = {}  # the `metrics.success` criteria being checked: (when, text) -> panel
    for e in events:
        before = history.state
        history.feed(e)
        kind = e["type"]
        _check_reading(recording.check_readings, checking, e)
        _success_reading(recording.success_readings, criteria, e)
        if kind == ev.SESSION_STARTED:
            start = e["ts"]
            continue
        at = _seconds(e["ts"], start) if start else 0.0
        if kind in CUE_TYPES or (kind == ev.PAUSED and e["actor"] == ev.SYSTEM) or _verify_check(e):
            data = {k: v for k, v in e.items() if k not in _PAYLOAD_SKIP}
            recording.cues.append(Cue(kind, str(e["actor"]), point_of(before), at, data))
        if kind == ev.ROLLBACK_DECLINED and before.rollback_asked_by is not None:
            recording.declines += 1
        if kind in (ev.STEP_STARTED, ev.UNDO_STARTED):
            phase = "run" if kind == ev.STEP_STARTED else "undo"
            if phase == "run":
                _drop_unreached(recording, waiting, e["step"])
            for key in [key for key in current if key[:2] == (phase, e["step"])]:
                del current[key]  # a re-run on fewer hosts: the others' takes are the earlier attempt's, which step_finished must not touch
            for host in e.get("hosts", []):
                take = Take()
                current[(phase, e["step"], host)] = take
                recording.takes.setdefault((phase, e["step"], host), []).append(take)
        elif kind in (ev.WAVE_STARTED, ev.WAVE_FINISHED):
            _wave(current, waiting, e)
        elif is_retry_note(e):
            _retried(current, e)
        elif kind == ev.OUTPUT:
            found = current.get((e.get("phase", "run"), e["step"], e.get("host", "")))
            if found is not None:
                found.chunks.append((e.get("stream", "stdout"), e.get("text", "")))
        elif kind == ev.ERROR and (said := _said_on(current, e)) is not None:
            said.chunks.append((SAID, str(e.get("message", ""))))
        elif kind in (ev.STEP_FINISHED, ev.UNDO_FINISHED):
            phase = "run" if kind == ev.STEP_FINISHED else "undo"
            for host, result in (e.get("hosts") or {}).items():
                finished = current.get((phase, e["step"], host))
                if finished is None:
                    continue
                finished.exit_code = result.get("exit_code")
                finished.error = result.get("error")
                finished.started = result.get("started", True)
                status = result.get("status")
                finished.status = (
                    "ok"
                    if status in ("done", "failed", "ok") and finished.exit_code is not None
                    else ("timeout" if status in ("timed_out", "timeout") else "error")
                )
    _drop_unreached(recording, waiting)
    recording.takes = {key: takes for key, takes in recording.takes.items() if takes}
    recording.verdicts = verifier_answers(history, go_ahead=False)
    recording.go_aheads = verifier_answers(history, go_ahead=True)
    # Who gave the night's first verifier's word (carol, where the ticket planned bob), else the planned one, else who joined.
    heard = history.state.heard
    verifier = (
        (heard[0] if heard else None) or history.state.session.get("verifier") or next((p.name for p in history.participants if p.role == "verifier"), None)
    )
    recording.verifier = str(verifier) if verifier else None
    return recording


def _said_on(current: dict[tuple[str, str, str], Take], e: Event) -> Take | None:
    """The take an executor's words (a transient `error` of a step on a host, neither the metrics' nor outreach's) were
    said on: the undo's when it runs there, else the command's; None when neither runs (said of no command)."""
    if not e.get("transient") or e.get("metrics") or e.get("outreach") or not e.get("step") or not e.get("host"):
        return None
    for phase in ("undo", "run"):  # an undo runs after its step's command ended (or was left unknown by a death)
        take = current.get((phase, str(e["step"]), str(e["host"])))
        if take is not None and take.status == "unknown":
            return take
    return None


def _retried(current: dict[tuple[str, str, str], Take], e: Event) -> None:
    """The runner's note before a retry (`web2: exit code 7, expected 0; retry 1/2 in 5s`): the output so far is the
    failed try's, which ended as the note says (an error in the note's words: a retry follows it in practice too)."""
    host, _, said = str(e.get("text", "")).partition(": ")
    take = current.get(("run", str(e.get("step")), host))
    if take is None:
        return
    why = said.rpartition("; retry ")[0] or "failed (the journal does not say how)"  # a journal from before said only `retry 1/2 in 5s`
    take.retried.append(Take(chunks=take.chunks, status="error", error=why))
    take.chunks = []


def _check_reading(readings: dict[str, list[list[tuple[str, float | None]] | None]], checking: set[str], e: Event) -> None:
    """Keep, per attempt, the readings its `expect.metric` check had: from its last wave's end (the runner journals the
    hosts' end before the check) to its `step_finished`; `checking`: the steps between the two now."""
    kind = e["type"]
    if kind == ev.STEP_STARTED:
        readings.setdefault(e["step"], []).append(None)
        checking.discard(e["step"])
    elif kind == ev.WAVE_FINISHED and readings.get(e["step"]):
        readings[e["step"]][-1] = []
        checking.add(e["step"])
    elif kind == ev.STEP_FINISHED:
        checking.discard(e["step"])
    elif kind == ev.METRIC_SAMPLE:
        for step in checking:
            attempt = readings[step][-1]
            if attempt is not None:
                attempt.append((str(e.get("panel")), _number(e.get("value"))))


def _verify_check(e: Event) -> bool:
    """The night's check of `metrics.success` after the verify section: played back at the same point (it decides
    nothing; the check before the end is judged again, metrics/recorded_check.py)."""
    return e["type"] in (ev.SUCCESS_CHECK_STARTED, ev.SUCCESS_CHECKED) and e.get("when") == "verify"


def _success_reading(readings: dict[tuple[str, str], list[float | None]], criteria: dict[tuple[str, str], str], e: Event) -> None:
    """Keep the readings each check of a `metrics.success` criterion had, from its start to its decision."""
    kind = e["type"]
    if kind == ev.SUCCESS_CHECK_STARTED:
        for criterion in e.get("criteria") or ():
            key = (str(e.get("when")), str(criterion.get("text")))
            criteria[key], readings[key] = str(criterion.get("panel")), []
    elif kind == ev.SUCCESS_CHECKED:
        criteria.pop((str(e.get("when")), str((e.get("criterion") or {}).get("text"))), None)
    elif kind == ev.METRIC_SAMPLE:
        for key, panel in criteria.items():
            if panel == e.get("panel"):
                readings[key].append(_number(e.get("value")))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _wave(current: dict[tuple[str, str, str], Take], waiting: dict[tuple[str, str], Take], e: Event) -> None:
    """A rolled-out attempt's hosts run when their wave starts, and a finished wave says how each of its hosts ended: an
    attempt killed in wave 2 played peer1 (done in wave 1, as every view showed it) as `the command's end was not
    recorded`, failing the trainee's rollout there, and gave peer3 (never reached) a take of that attempt."""
    step = e["step"]
    running = {host: take for (phase, sid, host), take in current.items() if phase == "run" and sid == step}
    if e["type"] == ev.WAVE_STARTED:
        if all(take.status == "unknown" and not take.chunks for take in running.values()):  # its first wave (2 of 4 on a re-run)
            waiting.update({(step, host): take for host, take in running.items() if (step, host) not in waiting})
        for host in e.get("hosts") or []:
            waiting.pop((step, host), None)
        return
    failed = set(e.get("failed") or ())
    for host, take in running.items():
        if take.status == "unknown" and (step, host) not in waiting:  # ran in this wave; step_finished may tell more later
            take.status, take.exit_code, take.error = ("error", None, "failed in its wave") if host in failed else ("ok", 0, None)


def _drop_unreached(recording: Recording, waiting: dict[tuple[str, str], Take], step: str | None = None) -> None:
    """The takes of hosts a rolled-out attempt never reached: they did not run then (the attempt stopped, or was killed)."""
    for (sid, host), take in list(waiting.items()):
        if step is None or sid == step:
            recording.takes[("run", sid, host)].remove(take)
            del waiting[(sid, host)]


def verifier_answers(history: History, *, go_ahead: bool) -> dict[str, list[Answer]]:
    """Per step, the verifiers' answers in the order given (confirmed or rejected, with the reason and who): with `go_ahead`, to
    the requests for a go-ahead (given, refused); without, the word on each wave (`verify: per_wave`) and the verdicts
    after it ran. Kept apart so that a go-ahead refused on the night never answers a practice run's outcome."""
    answers = {
        step: [(answer, d.reason or "", d.by) for d in decisions if d.kind.startswith("go-ahead") == go_ahead and (answer := verifier_answer(d.kind))]
        for step, decisions in history.decisions.items()
    }
    return {step: given for step, given in answers.items() if given}


def verifier_answer(kind: str) -> str | None:
    """A decision on a step as the verifier's answer: confirmed (a go-ahead, a wave, the step), rejected, or None (not theirs)."""
    if kind in ("go-ahead", "confirmed") or (kind.startswith("wave ") and kind.endswith(" confirmed")):
        return "confirmed"
    if kind in ("go-ahead refused", "rejected") or (kind.startswith("wave ") and kind.endswith(" rejected")):
        return "rejected"
    return None
