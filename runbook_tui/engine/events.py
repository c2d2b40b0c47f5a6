"""The event vocabulary of a run: one JSON object per journal line, every type declared once here.

Every event has `seq`, `ts`, `type`, `actor`, `prev` and `hash` (see journal.py, `ENVELOPE`);
the rest is its payload, flat at the top level. Each payload is a TypedDict below (fields that
may be absent are `NotRequired`), and each type's constant is an `EventType` made from it: a
`str` (the name the journal writes) that also carries its payload class and what it records.
`Controller.emit` takes the constant and mypy checks the keyword arguments against the
payload, so a producer cannot write a field the table does not know or leave out one it requires.

The table in README ("The journal") is generated from these declarations
(`python -m runbook_tui.engine.event_table`; a test keeps the two equal), and
`event_table.payload_problems` checks a written event against its payload.
"""

# ruff: noqa: UP013  (the functional form keeps each payload on a line or two: the declarations read as a table)

from collections.abc import Callable, Mapping
from typing import Any, Final, Generic, NotRequired, ParamSpec, TypedDict

Event = dict[str, Any]
"""Any event as read from a journal: the generic form, for code that handles a mixed stream."""

#: The keys every event has, written by the journal around the payload.
ENVELOPE: Final = ("seq", "ts", "type", "actor", "prev", "hash")

P = ParamSpec("P")


class EventType(str, Generic[P]):
    """An event type's name (a plain `str` to compare and journal), its payload class and what it records."""

    payload: Callable[P, object]
    doc: str

    def __new__(cls, name: str, payload: Callable[P, object], doc: str = "") -> "EventType[P]":
        made = super().__new__(cls, name)
        made.payload, made.doc = payload, doc
        return made


#: Every event type, by name, in the order the table lists them.
VOCABULARY: Final[dict[str, "EventType[...]"]] = {}


def _declare(name: str, payload: Callable[P, object], doc: str) -> EventType[P]:
    kind = EventType(name, payload, doc)
    VOCABULARY[name] = kind
    return kind


def of(name: str) -> "EventType[...]":
    """The type of a journaled name, for code that forwards events it did not make (practice cues, outreach)."""
    return VOCABULARY.get(name) or EventType(name, dict)


class Rendered(TypedDict):
    """A step as it will run: rendered with the captures known then, secrets masked."""

    title: str
    commands: NotRequired[dict[str, str]]
    undo: NotRequired[dict[str, str]]
    text: NotRequired[str]
    confirm: NotRequired[str]
    env: NotRequired[dict[str, str]]
    left_out: NotRequired[dict[str, str]]
    now: NotRequired[str]  # the time the step's `{{ now }}` renders with, shown and run alike (engine/step_now.py)


class StepReady(Rendered):
    step: str


class StepStarted(Rendered):
    step: str
    attempt: int
    hosts: list[str]
    phase: str
    driver: NotRequired[str]  # the command whose policy started it (exec, resume, rehearse), not a person's move then
    at_once: NotRequired[int]  # more hosts than run at once (max_concurrency): the rest wait for a slot (fold_steps.py)
    injected: NotRequired[bool]  # rehearse --fail-at: the step fails without running its command (engine/injected.py)


# -- the session -------------------------------------------------------------------------------

SessionStarted = TypedDict(
    "SessionStarted",
    {"session": str, "runbook": str, "title": str, "file": str, "path": str, "digest": str, "params": dict[str, Any], "ticket": dict[str, Any] | None,
     "no_ticket": bool, "mode": str, "solo": str | None, "assignee": str, "verifier": str | None, "plan": dict[str, Any], "journal": str,
     "planned_assignee": str | None, "rehearsed": NotRequired[dict[str, Any]], "source": NotRequired[str], "process": NotRequired[dict[str, Any]],
     "allowed_signers": NotRequired[dict[str, str]], "practised": NotRequired[dict[str, Any]]},
)  # fmt: skip
SESSION_STARTED: Final = _declare(
    "session_started",
    SessionStarted,
    "The run's first line: what runs, under which ticket, how it is verified, and the plan (`rehearsed` {seconds, scope,"
    " journal, at}: the rollback the newest rehearsal of this runbook measured, for `rollback must start by`, since session 26;"
    " `source`: the runbook file's text, whose sha256 is `digest`, up to 1 MiB: `resume` of a run whose runbook file is gone"
    " and `replay --practice` of one whose runbook changed since read it, since session 27; `process` {pid, started, boot,"
    " host, file, machine}: the process that writes the journal, so that `resume` of a copy refuses while it still runs, since"
    " session 34; `machine` (/etc/machine-id) since session 35: another boot id under the same host name is a reboot only when"
    " the machine id is the same, else the copy came from another machine and cannot be checked from here; `allowed_signers`"
    " {path, sha256}: the file the run read for who is who, since session 36; `practised` {journal, session, head}: a practice's"
    " night, its journal as given (absolute), its session id and last hash, so the practice's own journal names what to"
    " practise again, since session 38).",
)
SessionResumed = TypedDict("SessionResumed", {"pid": int, "process": NotRequired[dict[str, Any]], "allowed_signers": NotRequired[dict[str, str]]})
SESSION_RESUMED: Final = _declare(
    "session_resumed", SessionResumed, "`resume` continues the journal in a new process (`process`, `allowed_signers`: as session_started's)."
)
SessionInterrupted = TypedDict("SessionInterrupted", {"pid": int, "elsewhere": NotRequired[str]})
SESSION_INTERRUPTED: Final = _declare(
    "session_interrupted",
    SessionInterrupted,
    "A `resume` that only looked (`pid`: its process) found the run's process gone (`elsewhere`: the run's process, on another"
    " machine, could not be checked; since session 34): a step it ran is `unknown` (nobody resumed).",
)
WindowOverride = TypedDict("WindowOverride", {"reason": str, "window": Any, "resumed": NotRequired[bool]})
WINDOW_OVERRIDE: Final = _declare(
    "window_override", WindowOverride, "The run started (`resumed`: went on, on resume) outside the ticket's window or in a blackout, with a reason."
)
ModeChanged = TypedDict("ModeChanged", {"solo": str | None, "shared": bool, "reason": str})
MODE_CHANGED: Final = _declare("mode_changed", ModeChanged, "`resume --solo` / `--share` changed how the run is verified (`solo`: the reason, or null).")
SessionReopened = TypedDict("SessionReopened", {"outcome": str | None, "reason": str})
SESSION_REOPENED: Final = _declare(
    "session_reopened",
    SessionReopened,
    "`resume --rollback` on a failed session, or `--rollback --full` on one rolled back to its checkpoint (`outcome`: the one it had): a rollback follows.",
)
SessionFinished = TypedDict("SessionFinished", {"outcome": str, "driver": NotRequired[str]})
SESSION_FINISHED: Final = _declare(
    "session_finished", SessionFinished, "`outcome`: done, failed, rolled_back, aborted or done_criteria_failed (a success criterion not met, not accepted)."
)


# -- steps -------------------------------------------------------------------------------------

STEP_READY: Final = _declare(
    "step_ready",
    StepReady,
    "The step as it will run (rendered with the captures known now, secrets masked), whenever it becomes the current one: what the verifier approves;"
    " `left_out` as in step_started (their commands not listed), since session 23; `now`, for a step whose texts read"
    " `{{ now }}`: the time they render with, shown and run alike (a resumed run's undo too), since session 30."
    " Also written by `resume` for the step the run stands on when the dead process never got its `step_ready` to the"
    " disk (before anything acts), since session 32.",
)
STEP_STARTED: Final = _declare(
    "step_started",
    StepStarted,
    'An attempt starts (`phase` "run"); the step rendered as in step_ready, `commands` as run, secrets masked;'
    " `left_out` {host: why}: hosts of the step not run because an earlier step of the run failed, timed out or ended"
    " unknown on them (`failed at step drain`; not in `hosts`, nor undone by a rollback), since session 23. `at_once`: more"
    " `hosts` than run at once (max_concurrency): the first `at_once` start (of each wave), each other host when one before it"
    " ends (`host_finished`), in order, so a process that dies leaves those that never started `pending`, since session 26."
    " `injected` true: `rehearse --fail-at` fails this step without running its command, since session 30.",
)
Output = TypedDict("Output", {"step": str, "host": str, "stream": str, "text": str, "phase": str, "chunk": NotRequired[int]})
OUTPUT: Final = _declare("output", Output, 'Output of a command (`phase` "run" or "undo"; in groups); `chunk`: 0, 1, 2 ... per command, since session 37.')
StepFinished = TypedDict(
    "StepFinished",
    {
        "step": str,
        "status": str,
        "hosts": dict[str, dict[str, Any]],
        "verified": bool | None,
        "captured": NotRequired[dict[str, str]],
        "rendered": NotRequired[dict[str, Any]],
        "titles": NotRequired[dict[str, str]],
        "answer": NotRequired[str],
        "problems": NotRequired[list[str]],
        "checks_met": NotRequired[list[str]],
        "tolerated": NotRequired[dict[str, Any]],
    },
)
STEP_FINISHED: Final = _declare(
    "step_finished",
    StepFinished,
    "An attempt's end: `hosts` {host: {status, exit_code, error, started?}} (`started` false: the command never began on"
    " that host, its connection never opened: a rollback leaves that host out, since session 20; a host `failed` by a stop or"
    " `timed_out` before its command was sent says it too, since session 29); `verified` false in a solo run;"
    " `checks_met` the expect.metric that held, in words with the reading (`p99 below 250 ms: met (180 ms, the first reading after the command)`);"
    " `tolerated` {max_fail (as written), allowed (hosts), problems}: hosts failed within `max_fail`, every wave ran and the"
    " step went on (status done or awaiting_verification; those hosts stay failed in `hosts` and in the undo list), since session 22."
    " `rendered` {title, text, undo, confirm, env}: with `captured`, those of the step's texts that read differently with the"
    " capture (its undo using it), as `step_started` carries them, over which they are shown from then on; `titles` {step: title}:"
    " the titles of steps not run yet that read differently with it (a title reading `now` waits for its `step_ready`), since session 38.",
)
HostFinished = TypedDict("HostFinished", {"step": str, "host": str, "status": str, "exit_code": int | None, "error": str | None, "started": NotRequired[bool]})
HOST_FINISHED: Final = _declare(
    "host_finished",
    HostFinished,
    "One host of a step on several hosts ended (as `step_finished` will say it in `hosts`), journaled as it ends: a process"
    " that dies before the step's end leaves that host's outcome known, only the hosts still running `unknown`, since session 23.",
)
StepDecision = TypedDict("StepDecision", {"step": str, "phase": str, "attempt": int, "reason": NotRequired[str]})
STEP_CONFIRMED: Final = _declare(
    "step_confirmed", StepDecision, 'The verifier confirms a step: `phase` "before" (a go-ahead) or "after"; `attempt` the run it is about.'
)
STEP_REJECTED: Final = _declare(
    "step_rejected",
    StepDecision,
    'The verifier rejects a step: `phase` "before" (the go-ahead refused) or "after" (the run stops); `attempt` the run it is about.',
)
StepSkipped = TypedDict("StepSkipped", {"step": str, "reason": str, "left_out": NotRequired[dict[str, str]]})
STEP_SKIPPED: Final = _declare(
    "step_skipped",
    StepSkipped,
    "The assignee skipped the current step; or the program did (actor `system`), every host of it being `left_out`"
    " {host: why} as in step_started, since session 23.",
)
StepMarkedDone = TypedDict("StepMarkedDone", {"step": str, "reason": str, "verified": bool | None})
STEP_MARKED_DONE: Final = _declare("step_marked_done", StepMarkedDone, "An `unknown` step the assignee checked by hand.")
CheckpointReached = TypedDict("CheckpointReached", {"step": str})
CHECKPOINT_REACHED: Final = _declare("checkpoint_reached", CheckpointReached, "A checkpoint step is done (and confirmed): a rollback goes back to here.")
WaveStarted = TypedDict("WaveStarted", {"step": str, "wave": int, "of": int, "hosts": list[str]})
WAVE_STARTED: Final = _declare("wave_started", WaveStarted, "A serial step's wave (1-based, `of` the step's number of waves) starts on its hosts.")
WaveFinished = TypedDict(
    "WaveFinished",
    {"step": str, "wave": int, "of": int, "failed": list[str], "stopped": bool, "awaiting": bool, "within": NotRequired[dict[str, Any]]},
)
WAVE_FINISHED: Final = _declare(
    "wave_finished",
    WaveFinished,
    "`failed`: hosts of this wave that failed; `stopped`: the failure budget is spent; `awaiting`: verify per_wave, the rollout waits for the verifier;"
    " `within` {failed (hosts of the rollout failed so far), hosts, max_fail (as written)}: this wave's failures stay within `max_fail`"
    " and the rollout goes on, since session 23.",
)
WaveDecision = TypedDict("WaveDecision", {"step": str, "wave": int, "attempt": int, "reason": NotRequired[str]})
WAVE_CONFIRMED: Final = _declare("wave_confirmed", WaveDecision, "The verifier lets a finished wave's rollout go on.")
WAVE_REJECTED: Final = _declare("wave_rejected", WaveDecision, "The verifier stops the rollout after a finished wave.")


# -- rollback ----------------------------------------------------------------------------------

Reason = TypedDict("Reason", {"reason": str})
ROLLBACK_REQUESTED: Final = _declare("rollback_requested", Reason, "The verifier asks the assignee to roll back, with why.")
RollbackDeclined = TypedDict("RollbackDeclined", {"reason": str, "request": str})
ROLLBACK_DECLINED: Final = _declare(
    "rollback_declined", RollbackDeclined, "The assignee declines the open rollback request (the verifier's or a guard's), with why; `request`: its words."
)
RollbackStarted = TypedDict("RollbackStarted", {"scope": str, "plan": dict[str, Any], "acknowledged": bool, "reason": str, "driver": NotRequired[str]})
ROLLBACK_STARTED: Final = _declare("rollback_started", RollbackStarted, "`scope` checkpoint or full; `plan` as engine.rollback.to_json writes it.")
UndoStarted = TypedDict("UndoStarted", {"step": str, "hosts": list[str], "commands": NotRequired[dict[str, str]]})
UNDO_STARTED: Final = _declare("undo_started", UndoStarted, "A step's undo starts on its hosts (`commands` {host: undo as run}).")
UndoHostFinished = TypedDict("UndoHostFinished", {"step": str, "host": str, "status": str, "exit_code": int | None, "error": str | None})
UNDO_HOST_FINISHED: Final = _declare(
    "undo_host_finished",
    UndoHostFinished,
    "One host of an undo on several hosts ended (as `undo_finished` will say it in `hosts`), journaled as it ends: a process that"
    " dies before the undo's end leaves that host's undo known, and `resume --rollback` runs it only where it is not, since session 26.",
)
UndoFinished = TypedDict("UndoFinished", {"step": str, "hosts": dict[str, dict[str, Any]], "ok": bool})
UNDO_FINISHED: Final = _declare("undo_finished", UndoFinished, "`hosts` {host: {status, exit_code, error}}.")
RollbackFinished = TypedDict("RollbackFinished", {"scope": str, "ok": bool, "failed_step": NotRequired[str]})
ROLLBACK_FINISHED: Final = _declare("rollback_finished", RollbackFinished, "`failed_step`: the undo or rollback step that failed (the rollback stopped there).")


# -- people and words --------------------------------------------------------------------------

PAUSED: Final = _declare("paused", Reason, "The assignee paused the run (or a guard did), with why.")
RESUMED: Final = _declare("resumed", Reason, "The pause ended, with why.")
HOLD_REQUESTED: Final = _declare("hold_requested", Reason, "The verifier asks the assignee to hold, with why.")
Note = TypedDict("Note", {"text": str, "step": NotRequired[str | None], "request": NotRequired[str], "follows": NotRequired[dict[str, list[Any]]]})
NOTE: Final = _declare(
    "note",
    Note,
    "A person's note, or the program's (`request`: what it stands for: go_ahead, acknowledge, ack_manual, stop, exit: the program quit;"
    " follow: a re-run or a resumed rollback follows the runs a stopped process left, `follows` {host: [attempt, try tag]} naming each, a rollback's tags starting `@`, engine/reattach.py).",
)
Error = TypedDict(
    "Error",
    {
        "message": str,
        "step": NotRequired[str],
        "host": NotRequired[str],
        "transient": NotRequired[bool],
        "metrics": NotRequired[bool],
        "outreach": NotRequired[bool],
        "receiver": NotRequired[str],
        "unprepared": NotRequired[str],
        "unsigned": NotRequired[str],
    },
)
ERROR: Final = _declare(
    "error", Error,
    "A failure in words; `transient` when the run goes on (`metrics`, `outreach`: where it came from). A notify receiver"
    " the run could not prepare (it gets nothing) has `receiver` (as `notified.target` names it) and `unprepared` (why). A seal or"
    " decision signature the key would not make: `unsigned` (seal or decision_signed; may follow session_finished, as they may), since session 37.",
)  # fmt: skip
Participant = TypedDict("Participant", {"name": str, "role": str, "repeats": NotRequired[int]})
PARTICIPANT_JOINED: Final = _declare(
    "participant_joined",
    Participant,
    "Someone joined the share; `repeats`: sessions (a join and its leave) since the last one journaled, counted instead (a participant reconnecting in a loop).",
)
PARTICIPANT_LEFT: Final = _declare(
    "participant_left", Participant, "Someone left the share (may follow session_finished); `repeats` as for participant_joined."
)
VerifierHandover = TypedDict("VerifierHandover", {"from": str, "to": str})
VERIFIER_HANDOVER: Final = _declare("verifier_handover", VerifierHandover, "A different verifier acts: a shift change.")
ShareStarted = TypedDict("ShareStarted", {"address": str, "fingerprint": str, "keys": NotRequired[dict[str, list[str]]], "verifiers": NotRequired[list[str]]})
SHARE_STARTED: Final = _declare(
    "share_started",
    ShareStarted,
    "`fingerprint`: the session's SSH host key; `keys`: the public key files of who may join, by option (`verifier-key`, `observer-key`, `participants`: absolute paths), for the resume command to name; `verifiers`: the names of who may join as verifier (the keys' comments).",
)
ShareClosed = TypedDict(
    "ShareClosed",
    {
        "authenticated": int,
        "unauthenticated": int,
        "no_login_tried": NotRequired[int],
        "refused_address": int,
        "refused_total": int,
        "refused_descriptors": int,
        "refused_sessions": int,
        "refused_requests": NotRequired[int],
        "presence_unjournaled": int,
    },
)
SHARE_CLOSED: Final = _declare(
    "share_closed",
    ShareClosed,
    "Connections counted while shared: refused before any SSH work, a participant's sessions over the limit of 4 at once (or connections over 8 per key), requests refused for coming too fast (`refused_requests`, since session 12), connections among `unauthenticated` that never asked to log in (`no_login_tried`, since session 26: a join reads the session's SSH version, and on first contact its host key, on connections of their own), sessions counted in no `repeats` (may follow session_finished).",
)
ShareRefusing = TypedDict("ShareRefusing", {"refused": int, "reason": str, "waiting": int, "addresses": int})
SHARE_REFUSING: Final = _declare(
    "share_refusing",
    ShareRefusing,
    "Connections to the share port refused before any SSH work since the last such event (`reason`, the latest: refused_address, refused_total or refused_descriptors); `waiting`: connections then waiting to authenticate, from `addresses` addresses. A verifier may be kept out while it lasts. The first at once, then at most one a minute (since session 13).",
)
JoinRefused = TypedDict("JoinRefused", {"keys": list[dict[str, str]], "user": str, "address": str, "last": NotRequired[bool]})
JOIN_REFUSED: Final = _declare(
    "join_refused",
    JoinRefused,
    "An SSH connection to the share port ended without getting in after offering public keys that are not participants' (`keys` [{fingerprint, type}]: those no earlier join_refused named; `user`: the name the client gave, cut to 64 characters; `address`: where it came from). One event when the connection ends, not one per key: a client that offers other keys before a participant's and gets in is not said. Each key is named once a session, and 20 in all: the event naming the 20th has `last` true; later ones are only counted (`unauthenticated` in share_closed). May follow session_finished.",
)
Review = TypedDict("Review", {"planned": str, "surprised": str, "change": str})
REVIEW: Final = _declare("review", Review, "The post-change review (may follow session_finished).")
CriteriaAccepted = TypedDict("CriteriaAccepted", {"reason": str, "criteria": list[str], "needs_verifier": bool})
CRITERIA_ACCEPTED: Final = _declare("criteria_accepted", CriteriaAccepted, "The assignee accepts unmet success criteria (`criteria`: their texts).")
CriteriaAcceptanceConfirmed = TypedDict("CriteriaAcceptanceConfirmed", {"reason": str | None})
CRITERIA_ACCEPTANCE_CONFIRMED: Final = _declare(
    "criteria_acceptance_confirmed", CriteriaAcceptanceConfirmed, "The verifier confirms the acceptance, in a shared run."
)


# -- metrics -----------------------------------------------------------------------------------

MetricSample = TypedDict(
    "MetricSample",
    {"panel": str, "value": float | None, "ts_sample": str, "error": str | None, "note": NotRequired[str], "series": NotRequired[str], "infinite": NotRequired[str], "reading": NotRequired[int]},
)  # fmt: skip
METRIC_SAMPLE: Final = _declare(
    "metric_sample",
    MetricSample,
    "One reading (written in groups); a failed one has `value` null and the error in words; `note`: what the value leaves out (series without a number);"
    ' `series`: which of several series the value is (`the worst of 2 series: service="batch"`), since session 29;'
    " `infinite`: `+Inf` or `-Inf`, a reading past every line on its side (`value` null: JSON has no infinity), since session 31; `reading`: 0, 1, 2 ... per panel, since session 38.",
)
GuardTripped = TypedDict(
    "GuardTripped",
    {
        "panel": str,
        "value": float | None,
        "threshold": float | None,
        "direction": NotRequired[str],
        "for": float | None,
        "action": str,
        "since": Any,
        "samples": list[Any],
        "no_data": NotRequired[bool],
        "error": NotRequired[str | None],
        "title": str,
        "unit": str,
        "words": str,
    },
)
GUARD_TRIPPED: Final = _declare(
    "guard_tripped", GuardTripped, "A guard's threshold held for `for` seconds (or no data came); `action` pause, rollback or notify."
)
MetricsStarted = TypedDict(
    "MetricsStarted", {"source": dict[str, str], "interval": float, "timeout": float, "panels": list[dict[str, Any]], "success": list[dict[str, Any]]}
)
METRICS_STARTED: Final = _declare(
    "metrics_started",
    MetricsStarted,
    "`source` {kind, url}; `panels` [{id, title, query, unit, warn, critical, direction, for, on_critical}]; `success` [criteria].",
)
MetricBaseline = TypedDict("MetricBaseline", {"panel": str, "value": float | None, "error": str | None, "basis": str})
METRIC_BASELINE: Final = _declare("metric_baseline", MetricBaseline, "What the panel read before the change (`basis`: how it was read).")
SuccessCheckStarted = TypedDict("SuccessCheckStarted", {"when": str, "criteria": list[dict[str, Any]], "until": str})
SUCCESS_CHECK_STARTED: Final = _declare(
    "success_check_started", SuccessCheckStarted, '`when` "verify" or "end"; `criteria` [{panel, below/above, within, text}].'
)
SuccessChecked = TypedDict("SuccessChecked", {"criterion": dict[str, Any], "met": bool | None, "value": float | None, "when": str, "words": str})
SUCCESS_CHECKED: Final = _declare("success_checked", SuccessChecked, "One criterion decided (`met` null: not decided).")


# -- outreach ----------------------------------------------------------------------------------

Notified = TypedDict("Notified", {"event": str, "target": str, "status": int, "attempts": int})
NOTIFIED: Final = _declare("notified", Notified, "`target`: the URL as shown (a secret URL by its source); `status` the HTTP status.")
NotifyFailed = TypedDict("NotifyFailed", {"event": str, "target": str, "error": str, "attempts": int})
NOTIFY_FAILED: Final = _declare("notify_failed", NotifyFailed, "`error` in words, secrets masked.")
SilenceCreated = TypedDict(
    "SilenceCreated", {"id": str, "alertmanager": str, "matchers": list[str], "starts_at": str, "ends_at": str, "comment": str, "created_by": str}
)
SILENCE_CREATED: Final = _declare("silence_created", SilenceCreated, "An Alertmanager silence for the change (`matchers` as text).")
SilenceFailed = TypedDict(
    "SilenceFailed", {"alertmanager": str, "action": str, "error": str, "matchers": NotRequired[list[str]], "id": NotRequired[str], "until": NotRequired[str]}
)
SILENCE_FAILED: Final = _declare(
    "silence_failed",
    SilenceFailed,
    '`action` "create" or "expire"; `until`: when a silence that may still be active (not expired, or made and not confirmed) ends by itself.',
)
SilenceExpired = TypedDict("SilenceExpired", {"id": str, "alertmanager": str, "gone": NotRequired[str]})
SILENCE_EXPIRED: Final = _declare(
    "silence_expired",
    SilenceExpired,
    (
        "The session's silence expired at its end; `gone`: why there was none left to expire (Alertmanager lost it, or"
        " someone expired it before its end: seen while the run went on)."
    ),
)
SilenceExtended = TypedDict("SilenceExtended", {"id": str, "alertmanager": str, "ends_at": str, "replaces": NotRequired[str]})
SILENCE_EXTENDED: Final = _declare(
    "silence_extended",
    SilenceExtended,
    (
        "An `until: session_end` silence near its end extended while the session goes on, to `ends_at`; `replaces`: the id"
        " it had when Alertmanager gave the extended silence a new one."
    ),
)
SilenceKept = TypedDict("SilenceKept", {"id": str, "alertmanager": str, "until": str | None})
SILENCE_KEPT: Final = _declare("silence_kept", SilenceKept, "Kept until the window's end (`until`), after a rollback.")


# -- signatures --------------------------------------------------------------------------------

DecisionSigned = TypedDict("DecisionSigned", {"decision": int, "statement": dict[str, Any], "signature": str, "key": str})
DECISION_SIGNED: Final = _declare(
    "decision_signed",
    DecisionSigned,
    "`decision`: the seq of the decision; `statement` {kind, session, action, by, step, attempt, phase, shown, reason, answers?}; `signature` armored SSHSIG; `key` its fingerprint."
    " `answers` (a verifier's confirm or reject, since session 35): the seq of the last decision on the step the verifier had seen, named when there"
    " was one; a word answering an older decision than the last is refused, and `journal verify` calls one whose `answers` is not"
    " the step's last decision before it impossible (a decision removed, added or moved); a statement without it is not asked.",
)
Seal = TypedDict("Seal", {"statement": dict[str, Any], "signature": str, "key": str, "role": str})
SEAL: Final = _declare("seal", Seal, "The journal's head signed at a checkpoint and at the end: `statement` {kind, session, by, seq, head}.")
PlanApproved = TypedDict("PlanApproved", {"statement": dict[str, Any], "signature": str, "key": str, "principal": str, "file": str})
PLAN_APPROVED: Final = _declare("plan_approved", PlanApproved, "The approval the run started under: `statement` {kind, plan, runbook, params, by}.")


#: Finished outcomes after which `resume --rollback` may reopen the session to undo the change.
REOPENABLE: Final = frozenset({"failed", "done_criteria_failed", "aborted"})

#: Events that may follow session_finished: the review of the finished change, people leaving,
#: the delivery of what the end itself set off (its notification, the silences' expiry, an extension in flight), and the share server's counts and refusals.
AFTER_FINISH: Final[frozenset[str]] = frozenset({
    REVIEW, PARTICIPANT_LEFT, NOTIFIED, NOTIFY_FAILED, SILENCE_EXPIRED, SILENCE_KEPT, SILENCE_FAILED, SILENCE_EXTENDED, SHARE_CLOSED, SHARE_REFUSING, JOIN_REFUSED,
    SEAL, DECISION_SIGNED,
})  # fmt: skip

#: Events that show a step's rendered commands to the verifier; a signed decision names the last one's hash.
STEP_READY_TYPES: Final[frozenset[str]] = frozenset({STEP_READY, STEP_STARTED})

#: Events written in groups (fsynced at least once a second and before any other event).
GROUPED: Final[frozenset[str]] = frozenset({OUTPUT, METRIC_SAMPLE})

SYSTEM: Final = "system"


def undid(result: Mapping[str, Any]) -> bool:
    """Whether one host of an `undo_finished` undid its step: the command ran (`ok`) and exited 0.

    The one verdict behind the state (undone or not), the report's undo table and the words exec and the log print."""
    return result.get("status") == "ok" and result.get("exit_code") == 0


def said_by_its_own(event: Mapping[str, Any]) -> bool:
    """An outreach failure's `error` while the run goes on (app/outreach.py): its `notify_failed`/`silence_failed` says
    it, so exec, the log, the timeline and the report's Errors table say it once, there (the Errors table said it again)."""
    return event.get("type") == ERROR and bool(event.get("outreach")) and bool(event.get("transient"))
