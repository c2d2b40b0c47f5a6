"""The history fold: one pass over a journal's events, keeping what the run state does not.

`History.feed(event)` applies each event to the engine's state with `apply()` (the same function as the live run,
`resume` and `replay`) and keeps, on the way: every attempt with its timings, hosts and output tail; each step's
history in the order it happened (attempts, go-aheads, confirmations and rejections with their reasons, skips,
rollbacks that touched it, undo results); rollback plans (and the request each answers, unless declined), guard
trips, metric samples, pauses, participants, share connection counts, notifications sent or failed, Alertmanager
silences and what became of them; and the assignee's moves (`moves.MoveLog`). What the state knows (where each step
stands, the step as rendered for people, verdict counts, captures) is read from `state`, not kept twice. The report
(`report/assemble.py`) and practice's results (`practice_results.py`) and recordings (`recording.py`) all read this fold."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.event_words import decision_words, declined_words, lifted_words
from runbook_tui.engine.events import Event
from runbook_tui.engine.history_model import (
    NOTED_IN_HISTORY,
    TAIL_LINES,
    Attempt,
    Decision,
    ErrorEntry,
    GuardTrip,
    Handover,
    HistoryEntry,
    HostResult,
    Move,
    Note,
    Participant,
    Pause,
    Review,
    Rollback,
    RollbackDecline,
    TailLine,
    UndoResult,
    WindowOverride,
    before_attempt,
    caused,
    exit_words,
    rollback_words,
)
from runbook_tui.engine.history_moments import number, sample_time, seconds_between
from runbook_tui.engine.history_outreach import OutreachHistory
from runbook_tui.engine.host_result import is_retry_note
from runbook_tui.engine.host_tally import tolerated_problems
from runbook_tui.engine.mark_done import EXIT_NOTE
from runbook_tui.engine.moves import MoveLog
from runbook_tui.engine.reattach import FOLLOW
from runbook_tui.engine.said import by_host, in_host_order
from runbook_tui.engine.state import RunState, apply, initial
from runbook_tui.runbook.durations import parse_duration
from runbook_tui.runbook.lean_dataclass import dataclass, field

#: What a record can say of a step that was running when it ends: nobody saw it end (`resume` finds it `unknown`).
RECORD_ENDS_RUNNING = "was running when the record ends"

#: The counts of `share_closed` the report keeps (`presence_unjournaled` counted as sessions).
_SHARE_COUNTS = (
    "authenticated", "unauthenticated", "no_login_tried", "refused_address", "refused_total", "refused_descriptors", "refused_sessions", "refused_requests",
    "presence_unjournaled",
)  # fmt: skip

#: Events that sign the run (trust/): a journal holding one gets the report's Signatures section.
_SIGNATURES = frozenset({ev.DECISION_SIGNED, ev.SEAL, ev.PLAN_APPROVED})


@dataclass
class _Run:
    """An attempt being collected, with its output tails."""

    attempt: Attempt
    tails: dict[str, deque[TailLine]] = field(default_factory=dict)


class History(OutreachHistory):
    """One pass over the events: the state via apply(), and what the state does not keep (notifications and silences:
    `OutreachHistory`, engine/history_outreach.py)."""

    def __init__(self) -> None:
        super().__init__()
        self.state: RunState = initial()
        self.attempts: dict[str, list[Attempt]] = {}
        self.running: dict[str, _Run] = {}
        self.decisions: dict[str, list[Decision]] = {}
        self.entries: dict[str, list[HistoryEntry]] = {}  # per step: its history in time order
        self.confirmed_at: dict[str, str] = {}
        self.rollbacks: list[Rollback] = []
        self.undo_tails: dict[tuple[str, str], deque[TailLine]] = {}
        self.undo_lines: dict[tuple[str, str], int] = {}  # how many lines each undo printed (the tail keeps the last few)
        self.before_undo: dict[str, str] = {}  # step -> its status when its undo finished
        self.rollback_request: tuple[str, str, str] | None = None
        self.declines: list[RollbackDecline] = []  # rollback requests the assignee declined, in order
        self.trips: list[GuardTrip] = []
        self.pauses: list[Pause] = []
        self.errors: list[ErrorEntry] = []
        self.notes: list[Note] = []  # every one (the state keeps the last NOTES_KEPT)
        self.reviews: list[Review] = []
        self.samples: dict[str, list[tuple[str, float | None]]] = {}
        self.noted: dict[str, int] = {}  # per panel: readings whose value leaves something out (`note`: a NaN series, a stale one)
        self.participants: list[Participant] = []
        self.share_connections: dict[str, int] = {}
        self.handovers: list[Handover] = []
        self.resumed_at: list[str] = []
        self.resumed_by: list[str] = []  # who resumed, in the order of resumed_at
        self.overrides: list[WindowOverride] = []  # the start's, then each resume's, in order
        self.solo_reasons: list[str] = []  # why the run went without a verifier: at the start, then each mode change
        self.finished: Event | None = None
        self.signed = False  # the journal holds signatures (decisions, seals, an approval)
        self.moves: list[Move] = []  # the assignee's, in order (moves.py)
        self._move_log = MoveLog(self.moves)

    @classmethod
    def of(cls, events: Iterable[Event]) -> History:
        """The history of a whole journal's events."""
        history = cls()
        for event in events:
            history.feed(event)
        return history

    def feed(self, event: Event) -> None:
        before = self.state
        handler = getattr(self, f"_on_{event['type']}", None)
        if handler is not None:
            handler(event)
        self.state = apply(before, event)
        if event["type"] == ev.ROLLBACK_FINISHED:  # the steps it went back past with nothing to undo (a wait): as they stood
            self.before_undo |= {sid: before.steps[sid].status for sid, st in self.state.steps.items() if st.status == "undone" != before.steps[sid].status}
            self._reset_by_the_rollback(before)
        self._move_log.feed(event, before, self)
        self.signed = self.signed or event["type"] in _SIGNATURES

    # -- steps -------------------------------------------------------------------

    def _on_step_started(self, e: Event) -> None:
        rollback = self.state.rollback
        attempt = Attempt(
            number=int(e.get("attempt") or len(self.attempts.get(e["step"], [])) + 1), started_at=e["ts"], started_by=e["actor"],
            finished_at=None, duration_seconds=None, status="running", during_rollback=rollback is not None and not rollback.finished,
            commands=dict(e.get("commands") or {}), hosts=[HostResult(h, "running") for h in e.get("hosts", [])],
            left_out={str(h): str(why) for h, why in (e.get("left_out") or {}).items()},  # hosts an earlier step failed on
        )  # fmt: skip
        attempts = self.attempts.setdefault(e["step"], [])
        attempts.append(attempt)
        self.running[e["step"]] = _Run(attempt)
        self._record(e["step"], HistoryEntry(e["ts"], "attempt", e["actor"], attempt=len(attempts)))

    def _record(self, step: str, entry: HistoryEntry) -> None:
        self.entries.setdefault(step, []).append(entry)

    def _on_output(self, e: Event) -> None:
        lines = str(e.get("text", "")).splitlines()
        host, stream, step = str(e.get("host", "")), str(e.get("stream", "stdout")), e.get("step")
        if e.get("phase") == "undo":
            tail = self.undo_tails.setdefault((str(step), host), deque(maxlen=TAIL_LINES))
            tail.extend(TailLine(host, stream, text) for text in lines)
            self.undo_lines[(str(step), host)] = self.undo_lines.get((str(step), host), 0) + len(lines)
            return
        run = self.running.get(str(step))
        if run is None:
            return
        run.attempt.output_lines += len(lines)
        tail = run.tails.setdefault(host, deque(maxlen=TAIL_LINES))
        tail.extend(TailLine(host, stream, text) for text in lines)

    def _close(self, step: str, at: str | None, status: str, hosts: list[HostResult], problems: Sequence[str], finished: Event | None = None) -> None:
        """The attempt's end; `at` None when nobody saw it end (the process died while it ran); `finished` its `step_finished`."""
        run = self.running.pop(step, None)
        if run is None:
            return
        attempt = run.attempt
        attempt.finished_at = at
        attempt.duration_seconds = seconds_between(attempt.started_at, at)
        attempt.status, attempt.hosts, attempt.problems = status, hosts, list(problems)
        attempt.checks_met, attempt.tolerated = list((finished or {}).get("checks_met", ())), tolerated_problems(finished or {})
        attempt.output_tail = [line for tail in run.tails.values() for line in tail]
        caused(self.errors, step, attempt.started_at, {h.host for h in hosts if h.status != "done"})

    def _on_step_finished(self, e: Event) -> None:
        hosts = [HostResult(h, r.get("status", "done"), r.get("exit_code"), r.get("error")) for h, r in e.get("hosts", {}).items()]
        self._close(e["step"], e["ts"], e["status"], hosts, e.get("problems", ()), e)

    def _on_session_resumed(self, e: Event) -> None:
        self.resumed_at.append(e["ts"])
        self.resumed_by.append(e["actor"])
        self._on_session_interrupted(e)

    def _on_session_interrupted(self, e: Event) -> None:
        """The process that died took its running steps and its rollback (`_stopped`), and its participants."""
        for participant in self.participants:
            if participant.left_at is None:  # they were gone with the process that died, when no record says
                participant.left_at, participant.gone_with_process = str(self.state.last_ts), True
        self._stopped(e)

    def _stopped(self, e: Event) -> None:
        """The process stopped (`e`: found dead later, or its own last note): its running attempts end unknown, an undo too."""
        resumed = apply(self.state, e).steps  # how the fold left each step the process died in (a finished wave's hosts kept)
        for step in list(self.running):
            held = resumed[step]
            hosts = [HostResult(h, hs.status, hs.exit_code, hs.error) for h, hs in held.hosts.items()]
            self._close(step, None, "unknown", hosts, held.problems[-1:])
        rollback = self.rollbacks[-1] if self.rollbacks else None
        if rollback is not None and rollback.ok is None:
            rollback.ok = False
            cut = [u for u in rollback.undo if u.status == "running"]  # started, never finished: it may have changed things, or not
            for entry in cut:
                entry.status, entry.error = "unknown", "the program stopped while this undo ran; its outcome is unknown"
                self._undo_output(entry)  # its own (it read as the next undo's)
            for step in dict.fromkeys(u.step for u in cut):  # the step's history says it (it went from the rollback to the next)
                self._undo_said(step, [u for u in cut if u.step == step], e)

    def record_ends(self) -> set[str]:
        """The journal ends here (the report's end of the fold): the steps still running then, their attempts closed
        `unknown` as `resume` would find them (a host that was running, unknown; a finished wave's hosts keep their end).
        Whether such a step ran to its end, the record cannot say: it read `running`, as if still under way. An undo
        still running keeps the output the journal holds of it (it had none)."""
        ended = set(self.running)
        for step in ended:
            held = self.state.steps[step].hosts
            hosts = [HostResult(h, "unknown" if hs.status == "running" else hs.status, hs.exit_code, hs.error) for h, hs in held.items()]
            self._close(step, None, "unknown", hosts, [f"outcome unknown: {RECORD_ENDS_RUNNING}"])
        running = [u for rollback in self.rollbacks[-1:] for u in rollback.undo if u.status == "running"]
        for undo in running:  # its output so far
            self._undo_output(undo)
        for step in dict.fromkeys(u.step for u in running):  # its own history says it too (it ended at the rollback's line)
            named = ", ".join(in_host_order(u.host for u in running if u.step == step))
            self._record(step, HistoryEntry(str(self.state.last_ts), "undo", ev.SYSTEM, words=f"undo on {named}: unknown, {RECORD_ENDS_RUNNING}"))
        return ended

    def _decide(self, e: Event) -> None:
        """A decision on a step (or on a wave of it), named as `exec` and the log name it: `go-ahead`, `wave 2 rejected` ..."""
        kind = decision_words(e)
        self.decisions.setdefault(e["step"], []).append(Decision(kind, e["actor"], e["ts"], e.get("reason")))
        self._record(e["step"], HistoryEntry(e["ts"], kind, e["actor"], e.get("reason")))

    def _on_step_confirmed(self, e: Event) -> None:
        self._decide(e)
        if e.get("phase") != "before":
            self.confirmed_at[e["step"]] = e["ts"]

    _on_step_rejected = _on_step_skipped = _on_step_marked_done = _on_wave_confirmed = _on_wave_rejected = _decide

    # -- rollbacks ---------------------------------------------------------------

    def _on_rollback_requested(self, e: Event) -> None:
        self.rollback_request = (e["actor"], str(e.get("reason") or ""), e["ts"])

    def _on_rollback_declined(self, e: Event) -> None:  # the request is answered (none stays open), and kept for the record
        self.rollback_request, said = None, (str(e["actor"]), str(e.get("reason") or ""), str(e.get("request") or self.state.rollback_requested or ""))
        self.declines.append(RollbackDecline(e["ts"], *said, self.state.rollback_asked_by, self.state.current, declined_words(*said)))

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
                note=str(entry.get("note") or ""),
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
                requested_at=requested[2] if requested else None,
                undo=entries,
                rollback_steps=list(plan.get("rollback_steps", [])),
                driver=str(e.get("driver") or ""),
            )
        )
        rollback = self.rollbacks[-1]
        touched = dict.fromkeys([*(entry.step for entry in entries), *([self.state.current] if self.state.current else [])])
        for step in touched:
            self._record(step, HistoryEntry(e["ts"], "rollback", e["actor"], rollback.reason or None, words=rollback_words(rollback, step)))

    def _reset_by_the_rollback(self, before: RunState) -> None:
        """The steps the last rollback went back past with nothing to undo (a look, a wait): their history says so, as it
        says of the steps it undid (it said nothing of them, while their outcome read `then reset`)."""
        rollback = self.rollbacks[-1] if self.rollbacks else None
        if rollback is None:
            return
        for sid, step in self.state.steps.items():
            if step.reset and not before.steps[sid].reset:
                words = rollback_words(rollback, sid, reset=True)
                self._record(sid, HistoryEntry(rollback.started_at, "rollback", rollback.started_by, rollback.reason or None, words=words))

    def _on_undo_started(self, e: Event) -> None:
        """The undo as it ran (rendered; journals before issue 15 have only the plan's command)."""
        if not self.rollbacks:
            return
        hosts = e.get("hosts")
        for entry in self.rollbacks[-1].undo:
            if entry.step != e["step"]:
                continue
            command = (e.get("commands") or {}).get(entry.host)
            if command is not None:
                entry.command = str(command)
            if entry.status == "not run" and (not isinstance(hosts, list) or entry.host in hosts):
                entry.status = "running"  # until its undo_finished; a process that died here leaves it unknown

    def _on_undo_host_finished(self, e: Event) -> None:
        """One host's undo ended before the others' (the process may die before `undo_finished`): known from here."""
        self._undo_ended(e["step"], {str(e.get("host")): e})

    def _on_undo_finished(self, e: Event) -> None:
        if not self.rollbacks:
            return
        step = e["step"]
        self.before_undo[step] = self.state.steps[step].status
        self._undo_ended(step, e.get("hosts", {}))
        caused(self.errors, step, self.rollbacks[-1].started_at, {h for h, r in e.get("hosts", {}).items() if not ev.undid(r)})  # as an attempt's
        self._undo_said(step, [u for u in self.rollbacks[-1].undo if u.step == step and u.status in ("ok", "failed")], e)

    def _undo_said(self, step: str, ended: Sequence[UndoResult], e: Event) -> None:
        """`undo on web1: ok (exit 0); web2: failed (exit 4)` in the step's history, by host name as exec's undo_finished
        line says them (it followed the undo list, newest host first); nothing when no host's undo ended."""
        results = {u.host: u for u in ended}
        if results:
            words = "; ".join(f"{host}: {u.status} ({exit_words(u)})" for host, u in by_host(results))
            self._record(step, HistoryEntry(e["ts"], "undo", e["actor"], words=f"undo on {words}"))

    def _undo_ended(self, step: str, ended: Mapping[str, Any]) -> None:
        for entry in self.rollbacks[-1].undo if self.rollbacks else ():
            result = ended.get(entry.host) if entry.step == step else None
            if result is None:
                continue
            entry.status = "ok" if ev.undid(result) else "failed"
            entry.exit_code = result.get("exit_code")
            entry.error = result.get("error")
            if (step, entry.host) in self.undo_tails:  # its output's tail (said once: a host's own end came first)
                self._undo_output(entry)

    def _undo_output(self, undo: UndoResult) -> None:
        """The undo's output as far as the journal holds it: its last lines, and how many it printed."""
        undo.output_tail = list(self.undo_tails.pop((undo.step, undo.host), ()))
        undo.output_lines = self.undo_lines.pop((undo.step, undo.host), 0)

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
        self.samples.setdefault(panel, []).append((sample_time(e.get("ts_sample"), e["ts"]), number(e.get("value"))))
        if e.get("note") and number(e.get("value")) is not None:
            self.noted[panel] = self.noted.get(panel, 0) + 1

    def _on_guard_tripped(self, e: Event) -> None:
        sustained = e.get("for")
        try:
            for_seconds = None if sustained is None else parse_duration(sustained)
        except ValueError:
            for_seconds = None
        step = next(iter(self.running), None) or self.state.current
        words = str(e.get("words") or f"guard '{e.get('panel')}' tripped at {e.get('value')}")
        self.trips.append(
            GuardTrip(e["ts"], str(e.get("panel")), number(e.get("value")), number(e.get("threshold")), for_seconds, e.get("action"), step, words)
        )

    def _on_note(self, e: Event) -> None:
        self.notes.append(Note(e["ts"], e["actor"], str(e.get("text", "")), e.get("step")))
        step = e.get("step")
        if (run := self.running.get(str(step))) is not None and is_retry_note(e):  # a try failed: its host runs it again
            run.attempt.retries.append(str(e.get("text", "")))
        if (said := NOTED_IN_HISTORY.get(str(e.get("request")))) and step:  # exec --ack-manual: no person did this step; a go-ahead asked
            self._record(step, HistoryEntry(e["ts"], said, e["actor"], words=str(e.get("text", "")) if said == "ack-manual" else ""))
        if e.get("request") == FOLLOW and step:  # a re-run (or resumed undo) follows the runs a dead process left: only Notes said so
            before_attempt(self.entries.setdefault(step, []), HistoryEntry(e["ts"], "follow", e["actor"], words=str(e.get("text", ""))), step in self.running)
        if e.get("request") == "stop" and step:  # `k`: who stopped the step (its attempt ends failed), or its undo
            self._record(step, HistoryEntry(e["ts"], "stopped" if step in self.running else "undo stopped", e["actor"]))
        if e.get("request") == EXIT_NOTE:  # a signal or a quit stopped the program: what ran ends as `resume` finds it
            self._stopped(e)  # (the report said `was running when the record ends`, of a run whose record says why)

    def _on_error(self, e: Event) -> None:
        if ev.said_by_its_own(e):  # in the Notifications or Silences table: said once, as exec and the timeline say it
            return
        self.errors.append(ErrorEntry(e["ts"], str(e.get("message", "")), e.get("step"), e.get("host"), bool(e.get("transient"))))

    def _on_paused(self, e: Event) -> None:
        self.pauses.append(Pause(e["ts"], e["actor"], e.get("reason"), asked=self.state.hold_requested))  # the hold it answers

    def _on_resumed(self, e: Event) -> None:
        self._end_pause(e, "resumed", lifted_words(e))

    def _end_pause(self, e: Event, how: str, lifted: str | None = None) -> None:
        if self.pauses and self.pauses[-1].ended_by is None:
            pause = self.pauses[-1]
            pause.resumed_at, pause.resumed_by, pause.ended_by, pause.lifted = e["ts"], e["actor"], how, lifted

    def _on_participant_joined(self, e: Event) -> None:
        self.participants.append(Participant(str(e["name"]), str(e.get("role", "observer")), e["ts"]))
        self._count_sessions(e)

    def _count_sessions(self, e: Event) -> None:
        repeats = e.get("repeats")
        if isinstance(repeats, int) and not isinstance(repeats, bool) and repeats > 0:
            self.share_connections["sessions_counted"] = self.share_connections.get("sessions_counted", 0) + repeats

    def _on_share_closed(self, e: Event) -> None:
        for key in _SHARE_COUNTS:
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
        self.overrides.append(WindowOverride(e["ts"], e["actor"], str(e.get("reason") or ""), bool(e.get("resumed"))))

    def _on_mode_changed(self, e: Event) -> None:  # session_started too: the reason it started solo
        if e.get("solo") and self.solo_reasons[-1:] != [e["solo"]]:
            self.solo_reasons.append(str(e["solo"]))

    _on_session_started = _on_mode_changed

    def _on_session_finished(self, e: Event) -> None:
        self.finished = e

    def _on_session_reopened(self, _e: Event) -> None:
        self.finished = None  # `resume --rollback` on a failed run: it ends again, or the journal ends with it open

    def _on_review(self, e: Event) -> None:
        self.reviews.append(Review(e["ts"], e["actor"], str(e.get("planned") or ""), str(e.get("surprised") or ""), str(e.get("change") or "")))
