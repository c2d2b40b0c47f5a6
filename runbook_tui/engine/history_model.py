"""What a run's history is made of: the records `history.History` folds a journal into.

Per step, every attempt (timings, hosts, output tail), each decision a person
took on it and the step's history in time order; the rollbacks with their
undo results; guard trips, pauses, errors, participants, handovers, reviews;
and the assignee's moves (practice sets a trainee's beside the night's). The
report renders these records as they are (its JSON schema is these fields),
so keys are only ever added.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runbook_tui.runbook.lean_dataclass import dataclass, field

#: Output lines kept per host and attempt (the journal has all of them).
TAIL_LINES = 20


@dataclass
class HostResult:
    host: str
    status: str
    exit_code: int | None = None
    error: str | None = None


@dataclass
class TailLine:
    """A line of a command's output, as the record keeps it (the last TAIL_LINES per host)."""

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
    checks_met: list[str] = field(default_factory=list)  # expect.metric that held, in words with the reading
    #: Hosts that failed within the step's `max_fail` (it went on), in words: `step_finished`'s `tolerated` problems
    tolerated: list[str] = field(default_factory=list)
    #: Hosts not run on: an earlier step failed, timed out or ended unknown there (`step_started`'s `left_out`) {host: why}
    left_out: dict[str, str] = field(default_factory=dict)
    output_lines: int = 0  # lines of output in the journal for this attempt
    output_tail: list[TailLine] = field(default_factory=list)  # the last TAIL_LINES lines per host
    #: The program's note before each retry of a host's command, in order: `web2: exit code 7, expected 0; retry 1/2 in 5s`
    retries: list[str] = field(default_factory=list)

    def command_groups(self) -> list[tuple[list[str], str]]:
        return host_groups(self.commands)


@dataclass
class Decision:
    """What a person decided about a step, in order: go-ahead, go-ahead refused, confirmed, rejected, skipped,
    marked done, and the verifier's word between waves (`verify: per_wave`): wave N confirmed, wave N rejected."""

    kind: str
    by: str
    at: str
    reason: str | None = None


@dataclass
class HistoryEntry:
    """One thing that happened to a step, in time order.

    kind: attempt (`attempt` is its number in `Step.attempts`), go-ahead, go-ahead refused, confirmed,
    rejected, skipped, marked done, wave N confirmed, wave N rejected, rollback (a rollback that undid it
    or started while it was the current step), undo (the result of its undo, per host, in `words`), stopped
    (the assignee stopped its attempt with `k`), undo stopped (they stopped its undo), ack-manual (exec --ack-manual
    marked this note or ask step done with no person; `words` is the journaled note).
    """

    at: str
    kind: str
    by: str
    reason: str | None = None
    attempt: int | None = None
    words: str = ""


@dataclass
class UndoResult:
    step: str
    step_title: str
    host: str
    command: str | None  # None: the step had no undo (acknowledged before the rollback started)
    original_outcome: str  # how the step had ended on that host
    status: str  # ok, failed, not run (the rollback stopped first), no undo, running (the journal ends in it), unknown (the process died in it)
    note: str = ""  # how the step stood there in the undo list's words, as its plan journaled them ("" = plainly done)
    exit_code: int | None = None
    error: str | None = None
    output_lines: int = 0  # lines of output in the journal for this undo
    output_tail: list[TailLine] = field(default_factory=list)  # the last TAIL_LINES of them


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
    requested_at: str | None = None  # when the verifier asked (the rollback may start minutes later)
    finished_at: str | None = None
    duration_seconds: float | None = None
    ok: bool | None = None  # None: it never finished
    failed_step: str | None = None
    undo: list[UndoResult] = field(default_factory=list)
    rollback_steps: list[str] = field(default_factory=list)  # `rollback` section steps it runs after the undos
    driver: str = ""  # the command whose policy started it (exec --on-failure, rehearse), not a person's move then


@dataclass
class RollbackDecline:
    """A rollback request the assignee declined (`x` at the request, with why): nothing was rolled back, the run went on."""

    at: str
    by: str
    reason: str
    request: str  # the request's words, as the assignee was shown them
    asked_by: str | None  # the verifier who asked; None: a guard's request
    step: str | None  # the step the run stood at
    words: str  # as exec, the log, replay and the verifier's screen say it (event_words.declined_words)


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
class Pause:
    at: str
    by: str
    reason: str | None
    resumed_at: str | None = None  # when the run went on: resumed, or a rollback started
    resumed_by: str | None = None
    ended_by: str | None = None  # resumed or rollback; None: still paused when the journal ends
    lifted: str | None = None  # the words it was lifted with (`resume --lift-pause REASON`); None: `p`, a rollback, or still paused
    asked: str | None = None  # the verifier's hold it answered ("bob: error rate climbing"); None: the assignee's own or a guard's


@dataclass
class Note:
    at: str
    by: str
    text: str
    step: str | None


@dataclass
class ErrorEntry:
    at: str
    message: str
    step: str | None
    host: str | None
    transient: bool  # said while the run went on (as journaled), and not on a host the attempt it was said in failed on


#: A note its step's history records too, by its `request`: the history's kind (a go-ahead asked was in the Notes table
#: only: the step read `go-ahead refused by bob`, then `go-ahead by bob`, never the asks).
NOTED_IN_HISTORY = {"ack_manual": "ack-manual", "go_ahead": "go-ahead asked"}


def before_attempt(entries: list[HistoryEntry], entry: HistoryEntry, running: bool) -> None:
    """`entry` into a step's history before its last attempt when that attempt is `running` (a re-run's follow note,
    journaled as the attempt began, reads before it), else last."""
    at = next((i for i in range(len(entries) - 1, -1, -1) if entries[i].kind == "attempt"), len(entries)) if running else len(entries)
    entries.insert(at, entry)


def caused(errors: list[ErrorEntry], step: str, since: str, failed: set[str]) -> None:
    """Errors said on `step` since `since` on a host in `failed` (where its attempt, or its undo, then failed) are that
    failure's cause, not trouble the run got past: the report said `timed out … (transient)` of the timeout that failed it."""
    for error in errors:
        if error.step == step and error.at >= since and error.host in failed:
            error.transient = False


@dataclass
class Participant:
    name: str
    role: str
    joined_at: str
    left_at: str | None = None
    gone_with_process: bool = False  # joined when the process died: `left_at` is its last event, not a leave


@dataclass
class WindowOverride:
    """A reason given to run outside the ticket's change window (or in a blackout): at the start, or to go on on resume."""

    at: str
    by: str
    reason: str
    resumed: bool  # given to go on (`resume --override-window`), not to start


@dataclass
class Handover:
    """A different verifier started acting: a shift change."""

    at: str
    previous: str
    to: str


@dataclass
class Review:
    at: str
    by: str
    planned: str
    surprised: str
    change: str


@dataclass
class Notification:
    """A notice sent to a receiver (`notify`), or given up on: the target as shown (a secret URL by its source)."""

    at: str
    about: str  # the event the notice was about (session_started, guard_tripped ...)
    target: str
    sent: bool
    status: int | None  # the receiver's HTTP status, when it was sent
    attempts: int
    error: str | None = None  # why it failed, secrets masked as journaled


@dataclass
class Silence:
    """An Alertmanager silence the run made (or failed to make) and what became of it at the end."""

    alertmanager: str
    id: str | None  # None: it could not be created
    matchers: list[str]
    at: str  # created, or the failed attempt to
    created_by: str | None = None
    starts_at: str | None = None
    ends_at: str | None = None
    comment: str = ""
    status: str = "active"  # active (when the journal ends), expired, kept, not created, expiry failed
    ended_at: str | None = None  # expired, kept, or the failed expiry
    until: str | None = None  # kept: until when (the window's end)
    error: str | None = None  # not created, expiry failed: why


@dataclass(frozen=True)
class Point:
    """Where a run stood: the current step, its attempts started, verdicts given on it, whether one runs now.

    The night's cues (a rollback request, a hold, a metric reading) are tied to the point they came at,
    so a practice run meets them at the same point however fast or slow the trainee is; the assignee's
    moves are matched by it.
    """

    step: str | None
    attempts: int
    verdicts: int
    running: bool


@dataclass
class Followed:
    """What followed a run or re-run before the assignee's next move: its end, a verdict on it, a rollback
    request, a guard trip (kind: finished, confirmed, rejected, rollback requested, guard tripped)."""

    kind: str
    by: str
    at: str
    reason: str | None = None  # the verdict's reason; a trip's words


@dataclass
class Move:
    """An assignee's decision at a point of the run: run, re-run, skip, mark done, roll back, decline rollback, pause, resume, finish."""

    kind: str
    step: str | None
    point: Point
    at: str
    seconds: float  # from the moment the situation arose (the last event that was not output or a reading)
    index: int  # the event's place in its journal
    detail: str = ""  # the rollback's scope, the outcome, or the reason given
    attempt: Attempt | None = None  # run, re-run: the attempt it started
    followed: list[Followed] = field(default_factory=list)  # run, re-run: what followed, up to the next move
    rollback: Rollback | None = None  # roll back: the rollback it started
    pause: Pause | None = None  # pause: the pause it started; resume: the one it ended
    trip: Mapping[str, Any] | None = None  # roll back: the last guard trip before it, as journaled
    readings_before: int = 0  # roll back: readings of the tripped panel before it
    driver: str = ""  # the command whose policy made it (exec, resume, rehearse): no person's decision, taken at once
    #: run of an `ask` step: the answer given (`step_finished`'s `answer`), and what the step captured (`captured.NAME`);
    #: practice holds a trainee's answer beside the night's (the same move with another answer read as the night's).
    answer: str | None = None
    captured: dict[str, str] = field(default_factory=dict)
    by: str = ""  # who made it, as journaled (a resumed run's moves are the resumer's)


def host_groups(per_host: Mapping[str, str] | None) -> list[tuple[list[str], str]]:
    """Hosts sharing the same text (a command), so a text shown once stands for all of them."""
    groups: dict[str, list[str]] = {}
    for host, text in (per_host or {}).items():
        groups.setdefault(text, []).append(host)
    return [(hosts, text) for text, hosts in groups.items()]


def exit_words(result: HostResult | UndoResult, none: str = "—") -> str:
    """`exit 1, connection lost`: how a command ended on a host, or `none`."""
    parts = [] if result.exit_code is None else [f"exit {result.exit_code}"]
    if result.error:
        parts.append(result.error)
    return ", ".join(parts) or none


def back_words(rollback: Rollback) -> str:
    """` (back to backup)`, ` (back to the start)` with no checkpoint reached, "" for a full rollback: where it went. (The
    step's history read `rollback 1 to the last checkpoint undoes this step` when none had been reached.)"""
    return back_to_words(rollback.scope, rollback.back_to)


def back_to_words(scope: str, back_to: str | None) -> str:
    """`back_words` of a rollback's scope and its plan's `checkpoint_step`: the cast's marker has its event alone."""
    if back_to:
        return f" (back to {back_to})"
    return " (back to the start)" if scope == "checkpoint" else ""


def rollback_words(rollback: Rollback, step: str, reset: bool = False) -> str:
    """`rollback 1 to the last checkpoint (back to backup-config) undoes it` in a step's history; `reset`: it went back
    past the step with nothing to undo (`StepState.reset`)."""
    target = "to the last checkpoint" if rollback.scope == "checkpoint" else "of the whole change"
    back = back_words(rollback)
    undoes = any(u.step == step and u.command is not None for u in rollback.undo)
    effect = (
        "went back past this step: nothing to undo, it is reset to run again"
        if reset
        else "undoes this step"
        if undoes
        else ("lists this step without an undo" if any(u.step == step for u in rollback.undo) else "started while this step was current")
    )
    requested = (
        f"; requested by {rollback.requested_by}" + (f": {rollback.requested_reason}" if rollback.requested_reason else "") if rollback.requested_by else ""
    )
    return f"rollback {rollback.number} {target}{back} {effect}{requested}"
