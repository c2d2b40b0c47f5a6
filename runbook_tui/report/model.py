"""The change record as plain data: one `Report` built from a journal alone.

`build_report(path)` reads and verifies the journal (a tampered one is
refused with the line and the reason), folds its events with the engine's
`apply()` (the same function as the live run, `resume` and `replay`), and
collects on the way what the state does not keep: every attempt with its
timings and hosts, who gave the go-ahead and who confirmed, skips, rollback
plans with the result of each undo, guard trips, notes, metric series,
pauses and the post-change review.

The renderers (markdown, html, json_report) only format this model; every
decision about what the record says is taken here, once.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.describe import describe
from runbook_tui.engine.events import Event
from runbook_tui.engine.journal import JournalScan
from runbook_tui.engine.state import RunState, apply, initial
from runbook_tui.report.signatures import SignatureRow, signature_rows
from runbook_tui.runbook.durations import format_duration, parse_duration

if TYPE_CHECKING:  # asyncssh is loaded only when a journal holds signatures
    from runbook_tui.trust.sshsig import AllowedSigners

FORMAT = "runbook-tui-report/1"
#: The event a post-change review is journaled as: {planned, surprised, change}.
REVIEW = "review"
#: Output lines kept per host and attempt (the journal has all of them).
OUTPUT_TAIL = 20
#: Points kept per metric series; longer series keep each bucket's lowest and highest value.
SERIES_POINTS = 240
#: Outcomes of a step that count as completed (its confirmation matters).
_COMPLETED = frozenset({"done", "awaiting_verification"})


class ReportError(Exception):
    """The journal cannot be reported on: unreadable, or it does not verify (says which line and why)."""


# -- the model ----------------------------------------------------------------------


@dataclass
class Ticket:
    id: str | None  # None: the run was not tied to a ticket
    subject: str = ""
    description: str = ""
    risk_level: str | None = None
    risk_summary: str = ""
    mitigations: list[str] = field(default_factory=list)
    assignee: str | None = None
    verifier: str | None = None
    success_criteria: list[str] = field(default_factory=list)


@dataclass
class Window:
    start: str | None  # the approved window, as the ticket wrote it
    end: str | None
    started_inside: bool | None  # None: no window to compare with
    ended_inside: bool | None  # the end: session_finished, or the last event of an unfinished run
    stayed_inside: bool | None
    override: str | None = None  # the reason given to start outside it (or in a blackout)
    override_by: str | None = None


@dataclass
class Participant:
    name: str
    role: str
    joined_at: str
    left_at: str | None = None


@dataclass
class Handover:
    """A different verifier started acting: a shift change."""

    at: str
    previous: str
    to: str


@dataclass
class Session:
    id: str
    runbook: str
    title: str
    file: str
    digest: str
    params: dict[str, Any]
    mode: str
    solo: str | None  # the reason the run had no verifier
    assignee: str | None
    verifier: str | None
    started_at: str
    finished_at: str | None  # None: no session_finished (the process died and was not resumed)
    last_event_at: str
    duration_seconds: float
    outcome: str  # done, failed, rolled_back, aborted, or unfinished
    finished_by: str | None
    resumed_at: list[str] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    handovers: list[Handover] = field(default_factory=list)
    shared_at: str | None = None  # the address verifiers joined at, when the run was shared
    share_fingerprint: str | None = None  # the session's SSH host key
    #: What the share server counted instead of journaling (`share_closed`, `repeats`): connections
    #: authenticated, unauthenticated, refused_address/total/descriptors/sessions, sessions_counted.
    share_connections: dict[str, int] = field(default_factory=dict)
    planned_assignee: str | None = None  # the ticket's assignee, when someone else ran it
    criteria_unmet: list[str] = field(default_factory=list)  # metrics.success criteria not met at the end
    criteria_acceptance: dict[str, Any] | None = None  # reason, by, confirmed_by: unmet criteria accepted


@dataclass
class HostResult:
    host: str
    status: str
    exit_code: int | None = None
    error: str | None = None


@dataclass
class OutputLine:
    host: str
    stream: str
    text: str


@dataclass
class Attempt:
    number: int
    started_at: str
    started_by: str
    finished_at: str | None
    duration_seconds: float | None
    status: str  # the step_finished status; "unknown" when the process died while it ran
    during_rollback: bool
    commands: dict[str, str] = field(default_factory=dict)  # host -> the command as run (secrets masked); {} in older journals
    hosts: list[HostResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    output_lines: int = 0  # lines of output in the journal for this attempt
    output_tail: list[OutputLine] = field(default_factory=list)  # the last OUTPUT_TAIL lines per host

    def command_groups(self) -> list[tuple[list[str], str]]:
        return _groups(self.commands)


@dataclass
class Decision:
    """What a person decided about a step, in order: go-ahead, confirmed, rejected, skipped, marked done."""

    kind: str
    by: str
    at: str
    reason: str | None = None


@dataclass
class Step:
    number: int  # 1-based, in runbook order (rollback sections last, as written)
    id: str
    title: str
    section: str
    section_title: str
    section_kind: str
    kind: str  # run, note, wait, ask
    hosts: list[str]
    commands: dict[str, str] | None  # run steps: host -> command as planned (secrets masked; captures as templates)
    text: str | None  # note / ask text, or "wait 5m"
    undo: dict[str, str] | None
    checkpoint: bool
    verify: str  # the runbook's verification mode: after, before, both, none
    outcome: str  # the state's final status; pending becomes "not run"
    result: str  # how the step ended before a rollback undid it (= outcome when it was not undone)
    attempts: list[Attempt] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    confirmed_by: str | None = None
    confirmed_at: str | None = None
    go_ahead_by: str | None = None
    verification: str = "n/a"  # confirmed, unverified, not required, n/a (never completed)
    unverified: bool = False  # completed without a verifier's confirmation
    reason: str | None = None  # skip / reject / mark-done reason, as the state keeps it
    started_at: str | None = None  # first attempt
    finished_at: str | None = None  # last attempt
    duration_seconds: float | None = None  # time spent running, all attempts together
    answer: str | None = None
    captured: dict[str, str] = field(default_factory=dict)

    @property
    def fanned_out(self) -> bool:
        return len(self.hosts) > 1

    def command_groups(self) -> list[tuple[list[str], str]]:
        """Hosts sharing the same command, so a command shown once stands for all of them."""
        return _groups(self.commands)

    def undo_groups(self) -> list[tuple[list[str], str]]:
        return _groups(self.undo)


@dataclass
class UndoResult:
    step: str
    step_title: str
    host: str
    command: str | None  # None: the step had no undo (acknowledged before the rollback started)
    original_outcome: str  # how the step had ended on that host
    status: str  # ok, failed, not run (the rollback stopped first), no undo
    exit_code: int | None = None
    error: str | None = None
    output_tail: list[OutputLine] = field(default_factory=list)


@dataclass
class Rollback:
    number: int
    scope: str  # checkpoint or full
    reason: str
    started_by: str
    started_at: str
    back_to: str | None  # the checkpoint step; None = the start
    acknowledged: bool  # steps without undo were acknowledged
    requested_by: str | None  # the verifier who asked for it, when one did
    requested_reason: str | None
    finished_at: str | None = None
    duration_seconds: float | None = None
    ok: bool | None = None  # None: it never finished
    failed_step: str | None = None
    undo: list[UndoResult] = field(default_factory=list)
    rollback_steps: list[str] = field(default_factory=list)  # `rollback` section steps it runs after the undos


@dataclass
class GuardTrip:
    at: str
    panel: str
    value: float | None
    threshold: float | None
    for_seconds: float | None
    action: str | None
    step: str | None  # the step the run stood at
    words: str  # what tripped, in words


@dataclass
class Note:
    at: str
    by: str
    text: str
    step: str | None


@dataclass
class Pause:
    at: str
    by: str
    reason: str | None
    resumed_at: str | None = None  # when the run went on: resumed, or a rollback started
    resumed_by: str | None = None
    ended_by: str | None = None  # resumed or rollback; None: still paused when the journal ends


@dataclass
class ErrorEntry:
    at: str
    message: str
    step: str | None
    host: str | None
    transient: bool


@dataclass
class Panel:
    id: str
    title: str
    unit: str
    warn: float | None  # thresholds, from metrics_started (None when the journal has none)
    critical: float | None
    direction: str  # above or below: which side of the lines is bad
    samples: int = 0
    failed_readings: int = 0  # samples without a value (the source failed)
    before: float | None = None  # the baseline before the change, else the first reading
    before_basis: str = ""  # what `before` is, in words
    after: float | None = None  # the last reading
    first_at: str | None = None
    last_at: str | None = None
    min: float | None = None
    max: float | None = None
    trips: int = 0
    series: list[tuple[str, float | None]] = field(default_factory=list)  # at most SERIES_POINTS
    series_reduced: bool = False


@dataclass
class SuccessCheck:
    """A measured success criterion (`metrics.success`) and what the run found."""

    at: str | None  # None: still being checked when the journal ends
    when: str  # verify (after the verify section) or end (before finishing)
    criterion: str  # in words: "errors below 1% within 10m"
    met: bool | None  # None: not decided
    value: float | None
    words: str


@dataclass
class Review:
    at: str
    by: str
    planned: str
    surprised: str
    change: str


@dataclass
class Integrity:
    events: int
    final_hash: str
    verified: bool  # `journal verify` passes
    problems: list[str] = field(default_factory=list)


@dataclass
class TimelineEntry:
    seq: int
    at: str
    actor: str
    type: str
    text: str  # the event in words, as `exec` prints it


@dataclass
class Report:
    source: str  # the journal's file name
    ticket: Ticket
    window: Window
    session: Session
    counts: dict[str, int]  # outcome -> number of steps
    unverified: list[str]  # ids of steps completed without a verifier's confirmation
    steps: list[Step]
    rollbacks: list[Rollback]
    guard_trips: list[GuardTrip]
    panels: list[Panel]
    success: list[SuccessCheck]
    notes: list[Note]
    pauses: list[Pause]
    errors: list[ErrorEntry]
    reviews: list[Review]
    integrity: Integrity
    timeline: list[TimelineEntry]
    format: str = FORMAT
    signatures: list[SignatureRow] = field(default_factory=list)  # decisions, seals, approval (report/signatures.py)

    @property
    def skipped(self) -> list[Step]:
        return [s for s in self.steps if s.outcome == "skipped"]


# -- building ---------------------------------------------------------------------------


def build_report(path: str | Path, signers: AllowedSigners | None = None) -> Report:
    """The report of one journal; ReportError when it is unreadable or does not verify."""
    path = Path(path)
    read = JournalScan(path, finished_rule=True)
    builder = _Builder()
    for event in read:  # one line at a time: memory does not grow with the journal
        builder.feed(event)
    if read.unreadable or read.last is None:
        raise ReportError(read.unreadable or f"{path}: no event holds together")
    torn_tail_only = read.truncated_at is not None and len(read.problems) == 1
    if read.problems and not torn_tail_only:
        raise ReportError(f"{path}: the journal does not verify, refusing to report on it: {'; '.join(read.problems)}")
    last = read.last
    integrity = Integrity(events=read.count, final_hash=str(last["hash"]), verified=not read.problems, problems=list(read.problems))
    report = builder.report(path.name, integrity)
    report.signatures = signature_rows(path, signers)
    return report


def _ts(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def seconds_between(start: str | None, end: str | None) -> float | None:
    a, b = _ts(start), _ts(end)
    if a is None or b is None:
        return None
    return round((b - a).total_seconds(), 3)


def _sample_time(value: Any, fallback: str) -> str:
    """A sample's own time (ISO text or epoch seconds) as the journal's ISO form."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = dt.datetime.fromtimestamp(float(value), dt.UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return str(value) if value else fallback


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _groups(per_host: Mapping[str, str] | None) -> list[tuple[list[str], str]]:
    groups: dict[str, list[str]] = {}
    for host, text in (per_host or {}).items():
        groups.setdefault(text, []).append(host)
    return [(hosts, text) for text, hosts in groups.items()]


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


@dataclass
class _Run:
    """An attempt being collected, with its output tails."""

    attempt: Attempt
    tails: dict[str, deque[OutputLine]] = field(default_factory=dict)


class _Builder:
    """One pass over the events: the state via apply(), and what the state does not keep."""

    def __init__(self) -> None:
        self.state: RunState = initial()
        self.attempts: dict[str, list[Attempt]] = {}
        self.running: dict[str, _Run] = {}
        self.decisions: dict[str, list[Decision]] = {}
        self.confirmed_at: dict[str, str] = {}
        self.rollbacks: list[Rollback] = []
        self.undo_tails: dict[tuple[str, str], deque[OutputLine]] = {}
        self.before_undo: dict[str, str] = {}  # step -> its status when its undo finished
        self.rollback_request: tuple[str, str] | None = None
        self.trips: list[GuardTrip] = []
        self.pauses: list[Pause] = []
        self.errors: list[ErrorEntry] = []
        self.reviews: list[Review] = []
        self.samples: dict[str, list[tuple[str, float | None]]] = {}
        self.participants: list[Participant] = []
        self.share_connections: dict[str, int] = {}
        self.handovers: list[Handover] = []
        self.failed_readings: dict[str, int] = {}
        self.resumed_at: list[str] = []
        self.override: tuple[str, str] | None = None
        self.finished: Event | None = None
        self.timeline: list[TimelineEntry] = []

    def feed(self, event: Event) -> None:
        kind = event["type"]
        handler = getattr(self, f"_on_{kind}", None)
        if handler is not None:
            handler(event)
        self.state = apply(self.state, event)
        if kind not in ev.GROUPED:
            lines = describe(event) if kind != REVIEW else [f"{str(event['ts'])[11:19]} {kind:<18} post-change review by {event['actor']}"]
            if lines:
                self.timeline.append(TimelineEntry(event["seq"], event["ts"], event["actor"], kind, "\n".join(lines)))

    # -- steps -------------------------------------------------------------------

    def _on_step_started(self, e: Event) -> None:
        rollback = self.rollbacks[-1] if self.rollbacks else None
        attempt = Attempt(
            number=int(e.get("attempt") or len(self.attempts.get(e["step"], [])) + 1),
            started_at=e["ts"],
            started_by=e["actor"],
            finished_at=None,
            duration_seconds=None,
            status="running",
            during_rollback=rollback is not None and rollback.ok is None,
            commands=dict(e.get("commands") or {}),
            hosts=[HostResult(h, "running") for h in e.get("hosts", [])],
        )
        self.attempts.setdefault(e["step"], []).append(attempt)
        self.running[e["step"]] = _Run(attempt)

    def _on_output(self, e: Event) -> None:
        lines = str(e.get("text", "")).splitlines()
        host, stream, step = str(e.get("host", "")), str(e.get("stream", "stdout")), e.get("step")
        if e.get("phase") == "undo":
            tail = self.undo_tails.setdefault((str(step), host), deque(maxlen=OUTPUT_TAIL))
            tail.extend(OutputLine(host, stream, text) for text in lines)
            return
        run = self.running.get(str(step))
        if run is None:
            return
        run.attempt.output_lines += len(lines)
        tail = run.tails.setdefault(host, deque(maxlen=OUTPUT_TAIL))
        tail.extend(OutputLine(host, stream, text) for text in lines)

    def _close(self, step: str, at: str | None, status: str, hosts: list[HostResult], problems: Sequence[str]) -> None:
        """The attempt's end; `at` None when nobody saw it end (the process died while it ran)."""
        run = self.running.pop(step, None)
        if run is None:
            return
        attempt = run.attempt
        attempt.finished_at = at
        attempt.duration_seconds = seconds_between(attempt.started_at, at)
        attempt.status = status
        attempt.hosts = hosts
        attempt.problems = list(problems)
        attempt.output_tail = [line for tail in run.tails.values() for line in tail]

    def _on_step_finished(self, e: Event) -> None:
        hosts = [HostResult(h, r.get("status", "done"), r.get("exit_code"), r.get("error")) for h, r in e.get("hosts", {}).items()]
        self._close(e["step"], e["ts"], e["status"], hosts, e.get("problems", ()))

    def _on_session_resumed(self, e: Event) -> None:
        self.resumed_at.append(e["ts"])
        for participant in self.participants:
            if participant.left_at is None:
                participant.left_at = str(self.state.last_ts)  # they were gone with the process that died
        for step in list(self.running):
            run = self.running[step]
            hosts = [HostResult(h.host, "unknown" if h.status == "running" else h.status, h.exit_code, h.error) for h in run.attempt.hosts]
            self._close(step, None, "unknown", hosts, ["the program stopped while this step ran; its outcome is unknown"])
        rollback = self.rollbacks[-1] if self.rollbacks else None
        if rollback is not None and rollback.ok is None:
            rollback.ok = False

    def _decide(self, e: Event, kind: str) -> None:
        self.decisions.setdefault(e["step"], []).append(Decision(kind, e["actor"], e["ts"], e.get("reason")))

    def _on_step_confirmed(self, e: Event) -> None:
        if e.get("phase") == "before":
            self._decide(e, "go-ahead")
        else:
            self._decide(e, "confirmed")
            self.confirmed_at[e["step"]] = e["ts"]

    def _on_step_rejected(self, e: Event) -> None:
        self._decide(e, "rejected" if e.get("phase") != "before" else "go-ahead refused")

    def _on_step_skipped(self, e: Event) -> None:
        self._decide(e, "skipped")

    def _on_step_marked_done(self, e: Event) -> None:
        self._decide(e, "marked done")

    # -- rollbacks ---------------------------------------------------------------

    def _on_rollback_requested(self, e: Event) -> None:
        self.rollback_request = (e["actor"], str(e.get("reason") or ""))

    def _on_rollback_started(self, e: Event) -> None:
        plan = e.get("plan", {})
        requested = self.rollback_request
        self.rollback_request = None
        self._end_pause(e, "rollback")
        entries = [
            UndoResult(
                step=entry["step_id"],
                step_title=entry.get("step_title", ""),
                host=entry["host"],
                command=entry.get("command"),
                original_outcome=entry.get("outcome", ""),
                status="not run" if entry.get("command") is not None else "no undo",
            )
            for entry in plan.get("entries", [])
        ]
        self.rollbacks.append(
            Rollback(
                number=len(self.rollbacks) + 1,
                scope=str(e.get("scope") or plan.get("scope")),
                reason=str(e.get("reason") or ""),
                started_by=e["actor"],
                started_at=e["ts"],
                back_to=plan.get("checkpoint_step"),
                acknowledged=bool(e.get("acknowledged")),
                requested_by=requested[0] if requested else None,
                requested_reason=requested[1] if requested else None,
                undo=entries,
                rollback_steps=list(plan.get("rollback_steps", [])),
            )
        )

    def _on_undo_finished(self, e: Event) -> None:
        if not self.rollbacks:
            return
        step = e["step"]
        self.before_undo[step] = self.state.steps[step].status
        for entry in self.rollbacks[-1].undo:
            result = e.get("hosts", {}).get(entry.host) if entry.step == step else None
            if result is None:
                continue
            ok = result.get("status") == "ok" and result.get("exit_code") == 0
            entry.status = "ok" if ok else "failed"
            entry.exit_code = result.get("exit_code")
            entry.error = result.get("error")
            entry.output_tail = list(self.undo_tails.pop((step, entry.host), ()))

    def _on_rollback_finished(self, e: Event) -> None:
        if not self.rollbacks:
            return
        rollback = self.rollbacks[-1]
        rollback.finished_at = e["ts"]
        rollback.duration_seconds = seconds_between(rollback.started_at, e["ts"])
        rollback.ok = bool(e.get("ok"))
        rollback.failed_step = e.get("failed_step")

    # -- metrics, guards, people -------------------------------------------------

    def _on_metric_sample(self, e: Event) -> None:
        panel = str(e["panel"])
        value = _number(e.get("value"))
        self.samples.setdefault(panel, []).append((_sample_time(e.get("ts_sample"), e["ts"]), value))
        if value is None:
            self.failed_readings[panel] = self.failed_readings.get(panel, 0) + 1

    def _on_guard_tripped(self, e: Event) -> None:
        sustained = e.get("for")
        try:
            for_seconds = None if sustained is None else parse_duration(sustained)
        except ValueError:
            for_seconds = None
        step = next(iter(self.running), None) or self.state.current
        words = str(e.get("words") or f"guard '{e.get('panel')}' tripped at {e.get('value')}")
        self.trips.append(GuardTrip(e["ts"], str(e.get("panel")), _number(e.get("value")), _number(e.get("threshold")), for_seconds, e.get("action"), step, words))

    def _on_error(self, e: Event) -> None:
        self.errors.append(ErrorEntry(e["ts"], str(e.get("message", "")), e.get("step"), e.get("host"), bool(e.get("transient"))))

    def _on_paused(self, e: Event) -> None:
        self.pauses.append(Pause(e["ts"], e["actor"], e.get("reason")))

    def _on_resumed(self, e: Event) -> None:
        self._end_pause(e, "resumed")

    def _end_pause(self, e: Event, how: str) -> None:
        if self.pauses and self.pauses[-1].ended_by is None:
            pause = self.pauses[-1]
            pause.resumed_at, pause.resumed_by, pause.ended_by = e["ts"], e["actor"], how

    def _on_participant_joined(self, e: Event) -> None:
        self.participants.append(Participant(str(e["name"]), str(e.get("role", "observer")), e["ts"]))
        self._count_sessions(e)

    def _count_sessions(self, e: Event) -> None:
        repeats = e.get("repeats")
        if isinstance(repeats, int) and not isinstance(repeats, bool) and repeats > 0:
            self.share_connections["sessions_counted"] = self.share_connections.get("sessions_counted", 0) + repeats

    def _on_share_closed(self, e: Event) -> None:
        for key in ("authenticated", "unauthenticated", "refused_address", "refused_total", "refused_descriptors", "refused_sessions", "presence_unjournaled"):
            value = e.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                name = "sessions_counted" if key == "presence_unjournaled" else key
                self.share_connections[name] = self.share_connections.get(name, 0) + value

    def _on_participant_left(self, e: Event) -> None:
        for participant in reversed(self.participants):
            if participant.name == e["name"] and participant.left_at is None:
                participant.left_at = e["ts"]
                break
        self._count_sessions(e)

    def _on_verifier_handover(self, e: Event) -> None:
        self.handovers.append(Handover(e["ts"], str(e.get("from")), str(e.get("to"))))

    def _on_window_override(self, e: Event) -> None:
        self.override = (str(e.get("reason") or ""), e["actor"])

    def _on_session_finished(self, e: Event) -> None:
        self.finished = e

    def _on_review(self, e: Event) -> None:
        self.reviews.append(Review(e["ts"], e["actor"], str(e.get("planned") or ""), str(e.get("surprised") or ""), str(e.get("change") or "")))

    # -- the report --------------------------------------------------------------

    def report(self, source: str, integrity: Integrity) -> Report:
        state = self.state
        session = self._session()
        ticket = _ticket(state.session.get("ticket"))
        steps = self._steps()
        counts: dict[str, int] = {}
        for step in steps:
            counts[step.outcome] = counts.get(step.outcome, 0) + 1
        return Report(
            source=source,
            ticket=ticket,
            window=self._window(session),
            session=session,
            counts=counts,
            unverified=[s.id for s in steps if s.unverified],
            steps=steps,
            rollbacks=self.rollbacks,
            guard_trips=self.trips,
            panels=self._panels(),
            success=_success(state),
            notes=[Note(n["ts"], n["actor"], str(n.get("text", "")), n.get("step")) for n in state.notes],
            pauses=self.pauses,
            errors=self.errors,
            reviews=self.reviews,
            integrity=integrity,
            timeline=self.timeline,
        )

    def _session(self) -> Session:
        s = self.state.session
        finished = self.finished
        started_at = str(s.get("started_at"))
        end = finished["ts"] if finished else str(self.state.last_ts)
        return Session(
            id=str(s.get("session", "")),
            runbook=str(s.get("runbook", "")),
            title=str(s.get("title", "")),
            file=str(s.get("file", "")),
            digest=str(s.get("digest", "")),
            params=dict(s.get("params") or {}),
            mode=self.state.mode,
            solo=self.state.solo,
            assignee=s.get("assignee"),
            verifier=s.get("verifier"),
            started_at=started_at,
            finished_at=finished["ts"] if finished else None,
            last_event_at=str(self.state.last_ts),
            duration_seconds=seconds_between(started_at, end) or 0.0,
            outcome=self.state.outcome or "unfinished",
            finished_by=finished["actor"] if finished else None,
            resumed_at=self.resumed_at,
            participants=self.participants,
            handovers=self.handovers,
            shared_at=self.state.share.get("address"),
            share_fingerprint=self.state.share.get("fingerprint"),
            share_connections=self.share_connections,
            planned_assignee=s.get("planned_assignee"),
            criteria_unmet=list(self.state.criteria_unmet),
            criteria_acceptance=dict(self.state.criteria_acceptance) if self.state.criteria_acceptance else None,
        )

    def _window(self, session: Session) -> Window:
        window = ((self.state.session.get("ticket") or {}).get("window")) or {}
        start, end = _ts(window.get("start")), _ts(window.get("end"))
        override = self.override

        def inside(at: str) -> bool | None:
            moment = _ts(at)
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
            override=override[0] if override else None,
            override_by=override[1] if override else None,
        )

    def _steps(self) -> list[Step]:
        state = self.state
        solo = state.solo is not None
        steps = []
        sections = state.session.get("plan", {}).get("sections", [])
        number = 0
        for section in sections:
            for plan in section["steps"]:
                number += 1
                sid = plan["id"]
                st = state.steps[sid]
                attempts = self.attempts.get(sid, [])
                outcome = "not run" if st.status == "pending" else st.status
                result = self.before_undo.get(sid, outcome) if outcome == "undone" else outcome
                verification = _verification(result, st.confirmed_by, st.verified, str(plan.get("verify", "after")), solo)
                runs = [a.duration_seconds for a in attempts if a.duration_seconds is not None]
                shown = st.rendered  # the step as step_ready / step_started rendered it: what people saw and confirmed
                steps.append(
                    Step(
                        number=number,
                        id=sid,
                        title=str(shown.get("title") or plan.get("title", "")),
                        section=section["id"],
                        section_title=str(section.get("title", "")),
                        section_kind=str(section.get("kind", "")),
                        kind=str(plan.get("kind", "run")),
                        hosts=[h["name"] for h in plan.get("hosts", [])],
                        commands=dict(shown["commands"]) if shown.get("commands") else plan.get("run"),
                        text=_step_text(plan),
                        undo=dict(shown["undo"]) if shown.get("undo") else plan.get("undo"),
                        checkpoint=bool(plan.get("checkpoint")),
                        verify=str(plan.get("verify", "after")),
                        outcome=outcome,
                        result=result,
                        attempts=attempts,
                        decisions=self.decisions.get(sid, []),
                        confirmed_by=st.confirmed_by,
                        confirmed_at=self.confirmed_at.get(sid) if st.confirmed_by else None,
                        go_ahead_by=st.go_ahead_by,
                        verification=verification,
                        unverified=verification == "unverified",
                        reason=st.reason,
                        started_at=attempts[0].started_at if attempts else None,
                        finished_at=attempts[-1].finished_at if attempts else None,
                        duration_seconds=round(sum(runs), 3) if runs else None,
                        answer=st.answer,
                        captured={plan["capture"]: state.captured[plan["capture"]]} if plan.get("capture") in state.captured else {},
                    )
                )
        return steps

    def _panels(self) -> list[Panel]:
        """Every panel the run watched: definitions from metrics_started (or the plan's ids), readings from the samples."""
        state = self.state
        declared = state.metrics.get("panels") or state.session.get("plan", {}).get("panels", [])
        panels: dict[str, Panel] = {}
        for entry in declared:
            info = entry if isinstance(entry, Mapping) else {"id": entry}
            pid = str(info["id"])
            panels[pid] = Panel(
                id=pid,
                title=str(info.get("title") or pid),
                unit=str(info.get("unit") or ""),
                warn=_number(info.get("warn")),
                critical=_number(info.get("critical")),
                direction=str(info.get("direction") or "above"),
            )
        for pid in self.samples:
            panels.setdefault(pid, Panel(pid, pid, "", None, None, "above"))
        for panel in panels.values():
            series = self.samples.get(panel.id, [])
            valued = [(at, v) for at, v in series if v is not None]
            panel.samples = len(series)
            panel.failed_readings = self.failed_readings.get(panel.id, 0)
            if valued:
                panel.first_at, first = valued[0]
                panel.last_at, panel.after = valued[-1]
                panel.min = min(v for _, v in valued)
                panel.max = max(v for _, v in valued)
                panel.before, panel.before_basis = first, "first reading of the run"
            baseline = state.baselines.get(panel.id) or {}
            if _number(baseline.get("value")) is not None:
                panel.before, panel.before_basis = _number(baseline.get("value")), str(baseline.get("basis") or "baseline")
            panel.series = _reduce(series)
            panel.series_reduced = len(panel.series) < len(series)
            panel.trips = sum(1 for trip in self.trips if trip.panel == panel.id)
            if panel.critical is None:
                # Journals without metrics_started name only panel ids: a guard's own threshold is the critical line.
                panel.critical = next((t.threshold for t in self.trips if t.panel == panel.id and t.threshold is not None), None)
        return list(panels.values())


def _success(state: RunState) -> list[SuccessCheck]:
    """The measured success criteria: every decision journaled, then those still open when the journal ends."""
    checks = []
    for event in state.success_checks:
        criterion = event.get("criterion") or {}
        text = str(criterion.get("text") or criterion) if isinstance(criterion, Mapping) else str(criterion)
        checks.append(SuccessCheck(event.get("ts"), str(event.get("when") or ""), text, event.get("met"), _number(event.get("value")), str(event.get("words") or text)))
    for pending in state.success_pending:
        text = str(pending.get("text") or "")
        checks.append(SuccessCheck(None, str(pending.get("when") or ""), text, None, None, f"{text}: not decided (the journal ends while it was being checked)"))
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


def _step_text(plan: Mapping[str, Any]) -> str | None:
    if plan.get("note"):
        return str(plan["note"])
    if plan.get("ask"):
        return str(plan["ask"])
    if plan.get("kind") == "wait":
        watch = f", watching {', '.join(plan.get('watch', []))}" if plan.get("watch") else ""
        return f"wait {format_duration(float(plan.get('wait') or 0))}{watch}"
    return None


def _verification(result: str, confirmed_by: str | None, verified: bool | None, mode: str, solo: bool) -> str:
    """confirmed, unverified (completed without a verifier's confirmation), not required, or n/a (not completed)."""
    if result not in _COMPLETED:
        return "n/a"
    if confirmed_by:
        return "confirmed"
    if verified is False or solo:
        return "unverified"
    if mode in ("after", "both"):
        return "unverified"  # marked done by hand, or the run ended before the verifier confirmed
    return "not required"
