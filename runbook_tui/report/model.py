"""The change record as plain data: the schema of one `Report`, built from a journal alone.

The history fold (engine/history.py, which practice reads too) walks the
journal's events once (each step's history in time order: attempts,
decisions, rollbacks that touched it, undo results); its records
(engine/history_model.py: attempts, decisions, rollbacks...) are the report's
own, field for field, and `assemble.py` builds the rest of these dataclasses
from it (`build_report`).
The renderers (markdown, html, json_report, cast) only format this model;
every decision about what the record says is taken in those two modules, once.
"""

from __future__ import annotations

from typing import Any

from runbook_tui.engine import history_model as records
from runbook_tui.report.signatures import SignatureRow, SignersUsed
from runbook_tui.runbook.lean_dataclass import dataclass, field

FORMAT = "runbook-tui-report/1"
#: The event a post-change review is journaled as: {planned, surprised, change}.
REVIEW = "review"
#: A step's `verification` when it completed and was undone before a verifier confirmed it: never confirmed, but its
#: change no longer stands either (it read UNVERIFIED, and counted among the unverified).
ROLLED_BACK_UNCONFIRMED = "rolled back before confirmation"
#: A step's `verification` when it completed while the run was solo and was undone: no confirmation was ever due (it read
#: `rolled back before confirmation`, as if a verifier had been about to give their word).
ROLLED_BACK_SOLO = "unverified (solo run), then rolled back"
#: The two above for a step a rollback went back past with nothing to undo (`RESET`): it was not rolled back, it runs
#: again (its Confirmed-by read `... then rolled back` beside its Outcome `done, then reset (nothing to undo)`).
RESET_UNCONFIRMED = "reset before confirmation"
RESET_SOLO = "unverified (solo run), then reset"
#: A step's `verification` while it waits for the verifier when the journal ends open: `resume` can still take their word.
WAITING_FOR_VERIFIER = "waiting for verifier"
#: How `counts` count a done step a rollback passed over (it has no undo: its change stands), not among `done`.
NOT_ROLLED_BACK_COUNTED = "not rolled back"
#: A step's `outcome` (and how `counts` count it) when a rollback went back past it with nothing to undo (a look in a
#: precheck or verify section, a wait, a question): it runs again, nothing undid it (it read `undone`, counted so).
RESET = "reset"
#: Points kept per metric series; longer series keep each bucket's lowest and highest value.
SERIES_POINTS = 240


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
    override_resumed: bool = False  # the override was given to go on (`resume --override-window`), not to start
    overrides: list[records.WindowOverride] = field(default_factory=list)  # each, in order (the three above: the last)


@dataclass
class Session:
    id: str
    runbook: str
    title: str
    file: str
    digest: str
    params: dict[str, Any]
    mode: str
    solo: str | None  # the reason the run had no verifier (the last one given)
    assignee: str | None
    verifier: str | None
    started_at: str
    finished_at: str | None  # None: no session_finished (the process died and was not resumed)
    last_event_at: str
    duration_seconds: float
    outcome: str  # done, failed, rolled_back, aborted, or unfinished
    finished_by: str | None  # who ended it: session_finished's actor, or who started the rollback that ended it
    finished_driver: str | None  # the command whose policy ended it for finished_by (exec, rehearse), None: a person's move
    resumed_at: list[str] = field(default_factory=list)
    resumed_by: list[str] = field(default_factory=list)  # who resumed it, in the order of resumed_at
    solo_reasons: list[str] = field(default_factory=list)  # every reason given to go solo, in order (a resume may give another)
    participants: list[records.Participant] = field(default_factory=list)
    handovers: list[records.Handover] = field(default_factory=list)
    shared_at: str | None = None  # the address verifiers joined at, when the run was shared
    share_fingerprint: str | None = None  # the session's SSH host key
    #: What the share server counted instead of journaling (`share_closed`, `repeats`): connections
    #: authenticated, unauthenticated, refused_address/total/descriptors/sessions, sessions_counted.
    share_connections: dict[str, int] = field(default_factory=dict)
    planned_assignee: str | None = None  # the ticket's assignee, when someone else ran it
    criteria_unmet: list[str] = field(default_factory=list)  # metrics.success criteria not met at the end
    criteria_acceptance: dict[str, Any] | None = None  # reason, by, confirmed_by: unmet criteria accepted
    verifiers_heard: list[str] = field(default_factory=list)  # who gave a verifier's word on a step (RunState.verifiers_heard)
    #: After a run that ended rolled back to a checkpoint: the steps with an undo it left applied (up to the checkpoint),
    #: newest first, as exec and resume name them (`engine.undo_notes.still_applied`); [] after any other end.
    still_applied: list[str] = field(default_factory=list)
    #: Why the journal ends with the session open (`outcome` unfinished), as the program said it: the note it journaled
    #: when a signal stopped it (`exec was stopped by SIGTERM at 'one'; the journal is kept`), else the pause it was
    #: left in; None when finished or when nothing says why (the process died without a word).
    open_because: str | None = None
    #: Who was at the keyboard, in order: who started the run, then each who resumed it when not the one before (the
    #: md's and html's `ran by: alice, then dave`; since session 38, so that JSON readers get the same fact).
    ran_by: list[str] = field(default_factory=list)


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
    outcome: str  # the state's final status; pending becomes "not run", running (when the journal ends) "unknown"
    result: str  # how the step ended before a rollback undid it (= outcome when it was not undone)
    counted: str  # how the record counts it (assemble.counted_as): the outcome, "not needed" (a rollback section's step) or "not rolled back"
    attempts: list[records.Attempt] = field(default_factory=list)
    decisions: list[records.Decision] = field(default_factory=list)
    history: list[records.HistoryEntry] = field(default_factory=list)  # attempts, decisions, rollbacks and undos, in time order
    confirmed_by: str | None = None
    confirmed_at: str | None = None
    go_ahead_by: str | None = None
    verification: str = "n/a"  # confirmed, unverified, ROLLED_BACK_UNCONFIRMED, ROLLED_BACK_SOLO, WAITING_FOR_VERIFIER, not required, n/a
    unverified: bool = False  # completed without a verifier's confirmation
    reason: str | None = None  # skip / reject / mark-done reason, as the state keeps it
    started_at: str | None = None  # first attempt
    finished_at: str | None = None  # last attempt
    duration_seconds: float | None = None  # time spent running, all attempts together
    answer: str | None = None
    captured: dict[str, str] = field(default_factory=dict)
    record_ends_running: bool = False  # it was running when the journal ends: its outcome is `unknown` (nobody saw it end)
    not_rolled_back: bool = False  # a rollback passed over it: it ran and has no undo, so its change stands
    undone_hosts: list[str] = field(default_factory=list)  # not undone as a whole, but undone on these (the undo failed elsewhere)
    ran_before_skip: dict[str, str] = field(default_factory=dict)  # skipped after it began there: {host: undone | stands}
    serial: list[int | str] = field(default_factory=list)  # the wave sizes as written ([] : one wave of all its hosts)
    max_fail: int | str = 0  # failed hosts tolerated, as written (a count or "10%")
    wave_plan: str = ""  # a group step's waves and failure budget in words (`text.wave_plan`); "" on one host

    @property
    def fanned_out(self) -> bool:
        return len(self.hosts) > 1

    def command_groups(self) -> list[tuple[list[str], str]]:
        """Hosts sharing the same command, so a command shown once stands for all of them."""
        return records.host_groups(self.commands)

    def undo_groups(self) -> list[tuple[list[str], str]]:
        return records.host_groups(self.undo)

    def attempt(self, number: int) -> records.Attempt:
        """The attempt a history entry points at (1-based, in the order they ran)."""
        return self.attempts[number - 1]


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
    noted_readings: int = 0  # samples whose value leaves something out: a series NaN among others, a stale sample
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
    counts: dict[str, int]  # Step.counted -> number of steps
    unverified: list[str]  # ids of steps completed without a verifier's confirmation
    steps: list[Step]
    rollbacks: list[records.Rollback]
    rollbacks_declined: list[records.RollbackDecline]  # rollback requests the assignee declined (the run went on)
    guard_trips: list[records.GuardTrip]
    panels: list[Panel]
    success: list[SuccessCheck]
    notes: list[records.Note]
    pauses: list[records.Pause]
    errors: list[records.ErrorEntry]
    notifications: list[records.Notification]  # notices sent to receivers, or given up on, in order
    silences: list[records.Silence]  # Alertmanager silences the run made (or failed to) and what became of them
    reviews: list[records.Review]
    integrity: Integrity
    timeline: list[TimelineEntry]
    format: str = FORMAT
    signatures: list[SignatureRow] = field(default_factory=list)  # decisions, seals, approval (report/signatures.py)
    allowed_signers: SignersUsed | None = None  # the file the signatures were checked with (None: none given)
    # Events of a kind this version does not know (a newer one wrote the journal): in the timeline as journaled, and
    # flagged first, since nothing else in the record counts what they say.
    unknown_events: list[TimelineEntry] = field(default_factory=list)

    @property
    def failing_signatures(self) -> list[SignatureRow]:
        """The signatures (and the end's seal) that fail the check `journal verify --allowed-signers` makes."""
        return [row for row in self.signatures if row.status == "fails"]

    @property
    def banner_signatures(self) -> list[SignatureRow]:
        """The failing signatures the report opens with: all of them, but the end's missing seal of a run that has not
        ended (it is sealed when it ends; the Summary says UNFINISHED, the Journal row and Signatures say the rest)."""
        unfinished = self.session.outcome == "unfinished"
        return [row for row in self.failing_signatures if not (unfinished and row.line == 0) and row.policy is None]

    @property
    def banner_policy(self) -> list[str]:
        """Why the settings' policy fails the run (`journal verify` fails it with or without allowed signers), for the
        report's opening: no signature's fault (before: under `Signatures FAIL`, `journal verify --allowed-signers` fails)."""
        return [why for row in self.failing_signatures if (why := row.policy) is not None]

    @property
    def journal_verdict(self) -> str:
        """What `journal verify` says of this journal, in a few words: the chain, the settings' policy when it fails the
        run (with or without allowed signers, in `journal verify`'s words), then the signatures when they fail."""
        verdict = "passes" if self.integrity.verified else "FAILS"
        policy = self.banner_policy
        failing = len(self.failing_signatures) - len(policy)
        said = [f"NOT trusted: {why}" for why in policy]
        said += [f"with --allowed-signers it FAILS ({failing} signature problem{'s' * (failing > 1)}, see Signatures)"] if failing else []
        return f"{verdict} the chain; {'; '.join(said)}" if said else verdict

    @property
    def skipped(self) -> list[Step]:
        return [s for s in self.steps if s.outcome == "skipped"]
