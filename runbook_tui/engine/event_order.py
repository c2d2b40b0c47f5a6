"""`journal verify`'s check of the event sequence: each event against where the run stood when it was written.

The hash chain tells an edited line from an honest one, but not a journal rewritten whole by someone who can write the
file: delete a `step_started` and recompute every hash after it, and the chain holds. Nothing keyed is in a solo run's
journal, so such a rewrite cannot be told from an honest one by its hashes (only a seal, `--allowed-signers`, can); what
can be told is a sequence no run writes: a step finished that never started, a confirmation of a step that never ran,
an attempt counted backwards, an undo outside a rollback or of a step that never ran, `resumed` without a pause, a
command's output while its step (or its undo) was not running, a skip while a rollback ran or stood stopped, an end
the run had not reached (`done` over a failed step, `rolled_back` with no rollback finished), a move after the program's
last note (it had left) with no resume between, a verifier's signed word whose `answers` is not the last decision on its
step before it (a decision removed, added or moved: the signature holds, and only a seal would tell), a window override
after the run moved on (it is journaled as the run starts or resumes), a second one, or one `resumed` where no resume
was; a rollback request declined where none stood; a person's pause while the run stood paused; a `step_ready` or
`checkpoint_reached` said again with nothing between, or a checkpoint's cut out (`event_repeats`); an output chunk or a metric reading repeated or cut (`output_numbers`).

`EventOrder` folds every event through `state.apply` (the one definition of where a run stands) and asks, before each,
what the program asks before it writes it, in the program's own terms: `confirmable` and `nothing_to_reject` (the
verifier's `c` and `x`), `markable` (mark done), the runner's attempt count (`attempts + 1`), one step running at a time,
the rollback's undo after undo. A journal the program wrote holds no such event; each one found is said as
"line N: TYPE what was wrong" (the seq, the chain, the first event and what may follow `session_finished` are checked
by the reader, `journal.JournalScan`). Output, metric samples and the like change nothing asked here: they are not
folded (`_UNFOLDED`: a 200,000-event journal is checked in about the time its chain is), and memory stays flat; an
`output` is only asked whether its step runs (phase "run") or its undo does (phase "undo"), a lookup (or, while its undo
runs, whether the rollback waited there for the run a lost link left: `reattach.undo_waits_for`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.event_repeats import Repeats
from runbook_tui.engine.events import Event
from runbook_tui.engine.mark_done import EXIT_NOTE, markable
from runbook_tui.engine.output_numbers import NUMBERED, OutputNumbers
from runbook_tui.engine.reattach import undo_waits_for
from runbook_tui.engine.state import RunState, UnreadableEvent, apply, confirmable, initial, nothing_to_reject
from runbook_tui.runbook.loader import person_key
from runbook_tui.runbook.safe_text import visible_line

#: Events whose fold changes nothing the checks below read (the output tail, the panels, the notes, the trips, the
#: criteria checked, the silences): not folded. They are most of a long journal, and some keep growing in the state (a
#: tuple copied at each one: a journal of 200,000 guard trips would take quadratic time).
_UNFOLDED = frozenset({
    ev.OUTPUT, ev.METRIC_SAMPLE, ev.METRIC_BASELINE, ev.NOTE, ev.ERROR, ev.GUARD_TRIPPED, ev.SUCCESS_CHECK_STARTED, ev.SUCCESS_CHECKED,
    ev.SILENCE_CREATED, ev.SILENCE_EXPIRED, ev.PARTICIPANT_JOINED, ev.PARTICIPANT_LEFT,
})  # fmt: skip


class EventOrder:
    """The state a journal's events build, event after event, and what is impossible about the next one."""

    def __init__(self) -> None:
        self.state: RunState = initial()
        self._refused: tuple[str, str] | None = None  # ("run"/"undo", step) of the last start found impossible
        self._output_fine: tuple[str, str] | None = None  # (phase, step) of an output found possible since the last fold
        self._opened = True  # no step has started and the session was not resumed: the approval may be journaled (once)
        self._left: int | None = None  # the line of the program's last note (`request: exit`) when no resume followed it
        self._moved: str | None = None  # the last move since the run started or resumed ("line N: TYPE of 'STEP'")
        self._resumed = False  # a session_resumed came before
        self._overridden: int | None = None  # the line of the window override since the run started or resumed
        self._guard_asks = False  # a guard's trip asked to roll back (trips are not folded: `_UNFOLDED`), unanswered
        self._answerable: dict[int, tuple[str, int | None]] = {}  # a verifier's word on a step, by seq -> (step, its last decision before it)
        self._numbers = OutputNumbers()  # each command's output chunks, counted as the journal's writer numbers them
        self._repeats = Repeats()  # a step_ready or checkpoint_reached said again with nothing between

    def problem(self, event: Event) -> str | None:
        """What makes `event` impossible where the run stands ("line N: TYPE ..."), or None; the event is folded either way
        (the events after it are checked against the run as the journal tells it)."""
        kind = event["type"]
        if kind == ev.NOTE and event.get("request") == EXIT_NOTE:
            self._left = event["seq"] + 1  # the program left: nothing of the run moves on until a resume takes it over
        if kind == ev.SESSION_RESUMED:
            self._left = None
            self._resumed = True
        if kind == ev.GUARD_TRIPPED and event.get("action") == "rollback" and not self.state.finished:
            self._guard_asks = True  # a request to roll back, as the fold makes it (taken more widely: never a false alarm)
        if kind in NUMBERED and (numbered := self._numbers.problem(event)) is not None:
            return f"line {event['seq'] + 1}: {kind} {numbered}"
        if kind not in NUMBERED:
            self._numbers.seen(event)
        if kind in _UNFOLDED:
            if kind != ev.OUTPUT:
                return None
            key = (event.get("phase") or "run", event["step"])
            if key == self._refused or key == self._output_fine:
                return None  # the output of a start said impossible already (said once, at its start), or asked already
            found = _output(self.state, event)  # asked of the run as it stands; not folded
            held = self.state.steps.get(event["step"])  # a step's output while it does not run: its host's answer (`_output`)
            waited = event.get("phase") == "run" and held is not None and held.status != "running"
            if found is None and event.get("phase") is not None and not waited:  # the same answer until the next fold (a phaseless one is asked each time)
                self._output_fine = key
            return None if found is None else f"line {event['seq'] + 1}: {kind} {found}"
        self._output_fine = None
        if kind in _ANSWERING and (step := self.state.steps.get(event["step"])) is not None:
            self._answerable[event["seq"]] = (event["step"], step.decided_seq)
        rule = _RULES.get(kind)
        found = _own_step(self.state, event) if kind in _VERIFIER_ONLY else None
        found = found or (rule(self.state, event) if rule is not None else None)
        repeated = self._repeats.problem(self.state, event)  # asked of every folded event: it counts what moved
        found = found or repeated
        if kind == ev.DECISION_SIGNED:
            found = found or self._answers(event)
        if kind == ev.ROLLBACK_DECLINED and (self.state.finished or not (self.state.rollback_requested or self._guard_asks)):
            found = found or "where no rollback request stood (the program journals a decline of the open request only)"
        if kind in (ev.ROLLBACK_DECLINED, ev.ROLLBACK_STARTED):
            self._guard_asks = False
        if kind == ev.WINDOW_OVERRIDE:
            found = found or self._override(event)
            self._overridden = event["seq"] + 1
        if kind in (ev.SESSION_STARTED, ev.SESSION_RESUMED):
            self._overridden = None
        if kind in (ev.SESSION_STARTED, ev.SESSION_RESUMED) or kind in _MOVES_ON:
            of = f" of '{event['step']}'" if event.get("step") else ""
            self._moved = f"line {event['seq'] + 1}: {kind}{of}" if kind in _MOVES_ON else None
        if self._left is not None and kind in _MOVES_ON:
            found = (
                found
                or f"of '{event.get('step') or self.state.current}' after the program's last note (line {self._left}: it had left the run) with no session_resumed between"
            )
        if kind == ev.PLAN_APPROVED:  # journaled as the session opens, before any step runs (run_trust.journal_approval)
            found = (
                None
                if self._opened
                else "after the run had begun (a step started, the session resumed, or an approval came before): the approval a run starts under is journaled once, before any step runs"
            )
        if kind in (ev.STEP_STARTED, ev.SESSION_RESUMED, ev.PLAN_APPROVED):
            self._opened = False
        if kind in (ev.STEP_STARTED, ev.UNDO_STARTED):
            self._refused = None if found is None else ("run" if kind == ev.STEP_STARTED else "undo", event["step"])
        before = self.state
        try:
            self.state = apply(self.state, event)
        except UnreadableEvent as exc:
            return str(exc)
        self._repeats.folded(before, self.state, event)
        return None if found is None else f"line {event['seq'] + 1}: {kind} {found}"

    def _override(self, event: Event) -> str | None:
        """A window override is journaled as the run starts (right after `session_started`) or resumes (after
        `session_resumed`, `resumed: true`), before any step moves, once: one after a move, or a second one, was put in
        afterwards, and the report's window verdict would name it among the reasons the run went on."""
        if self._moved is not None:
            return f"after the run had moved on ({self._moved}): an override is journaled as the run starts or resumes, before any step runs"
        if self._overridden is not None:
            return f"after the override at line {self._overridden}: one is journaled as the run starts or resumes, not two"
        if event.get("resumed") and not self._resumed:
            return "given on resume (resumed: true) where the run had not been resumed"
        return None

    def _answers(self, event: Event) -> str | None:
        """A verifier's signed word on a step names the step's last decision it had seen (`answers`, since session 35);
        the session takes it only when that is the last decision journaled on the step (`trust.gate.decided_since`).
        One naming another line was moved off what it answered: a decision on the step removed, added or moved before
        it (its signature still holds). A statement without `answers` (older versions', or no decision before) is not
        asked; nor is a decision of another kind (a hold, a rollback request, accepted criteria: no step's word)."""
        statement, target = event.get("statement"), event.get("decision")
        if not isinstance(statement, dict) or "answers" not in statement or statement.get("action") not in ("confirm", "reject"):
            return None
        if not isinstance(target, int) or target not in self._answerable:
            return None  # it names no verifier's word on a step: the signature's own check says so (trust.check)
        step, last = self._answerable[target]
        answers = statement["answers"]
        if answers == last:
            return None
        named = f"line {answers + 1}" if type(answers) is int else f"{visible_line(repr(answers))[:40]}"
        before = f"the last decision on '{step}' before it was at line {last + 1}" if last is not None else f"'{step}' had no decision before it"
        return (
            f"of the decision at line {target + 1}: the verifier's signed word answers {named}, but {before} (the session takes a"
            " word only when it answers the step's last decision: a decision on the step was removed, added or moved)"
        )


#: A verifier's word on a step's commands (or a wave of it): its signed statement names the decision it answers.
_ANSWERING = frozenset({ev.STEP_CONFIRMED, ev.STEP_REJECTED, ev.WAVE_CONFIRMED, ev.WAVE_REJECTED})

#: What a run's process does only while it runs: after its exit note (app/stopped.py), a `resume` journals itself first.
_MOVES_ON = frozenset({ev.STEP_STARTED, ev.STEP_SKIPPED, ev.STEP_MARKED_DONE, ev.ROLLBACK_STARTED, ev.UNDO_STARTED})

#: What only the verifier decides: the controller refuses each from the assignee (`VerifierIntents._verifier_only`).
_VERIFIER_ONLY = frozenset({ev.STEP_CONFIRMED, ev.STEP_REJECTED, ev.WAVE_CONFIRMED, ev.WAVE_REJECTED, ev.CRITERIA_ACCEPTANCE_CONFIRMED})


def _own_step(state: RunState, e: Event) -> str | None:
    """A verifier's decision made by the assignee (as the two-person rule compares names): no run writes it."""
    assignee = state.session.get("assignee")
    if not isinstance(assignee, str) or person_key(str(e.get("actor", ""))) != person_key(assignee):
        return None
    return f"by {e.get('actor')!r}, the assignee: only the verifier decides this (two-person rule); the program never journals it"


def _attempt(event: Event, expected: int) -> str | None:
    attempt = event.get("attempt")
    if type(attempt) is not int or attempt == expected:
        return None  # older writers left it out
    return f"names attempt {attempt} of '{event['step']}', where attempt {expected} was the one to come (attempts count up by one)"


def _step_started(state: RunState, e: Event) -> str | None:
    running = next((sid for sid, step in state.steps.items() if step.status == "running"), None)
    if running is not None:  # the runner runs one step at a time; a process that died leaves it unknown (session_resumed)
        return f"of '{e['step']}' while '{running}' was still running (one step runs at a time)"
    waiting = _left_waiting(state)
    if waiting is not None and e["step"] != waiting and e["step"] in state.order:
        return f"of '{e['step']}' while '{waiting}' waited for the verifier's confirmation (the run moves on once it is confirmed)"
    return _attempt(e, state.steps[e["step"]].attempts + 1)


def _left_waiting(state: RunState) -> str | None:
    """The forward step the run stands at when it ran and waits for the verifier's word, outside a rollback: no other forward
    step starts and the run does not end done before that word (a rollback's own steps go on, and may wait themselves)."""
    current, rollback = state.current, state.rollback
    if current is None or (rollback is not None and not rollback.finished):
        return None
    return current if state.steps[current].status == "awaiting_verification" else None


def _session_finished(state: RunState, e: Event) -> str | None:
    """An end the program writes only where the run stands so: `done` (or its criteria not met) once every forward step is
    done or skipped, `rolled_back` once a rollback finished whole. A failed run's end rewritten to
    `done` (the chain recomputed) verified intact, and the report's outcome read **done** above a FAILED step."""
    outcome, rollback = e.get("outcome"), state.rollback
    waiting = _left_waiting(state) if outcome == "done" else None
    if waiting is not None:
        return f"done while '{waiting}' waited for the verifier's confirmation (a run ends done once every step is)"
    if outcome in ("done", "done_criteria_failed") and state.current is not None:
        return f"{outcome} while '{state.current}' stood {_stood(state, state.current)} (a run ends done once every step is done or skipped)"
    if outcome == "rolled_back" and (rollback is None or not rollback.finished or not rollback.ok):
        how = "no rollback had begun" if rollback is None else "the rollback was still running" if not rollback.finished else "the rollback did not finish"
        return f"rolled_back where {how} (a run ends rolled back once a rollback finished whole)"
    return None


def _while_running(state: RunState, e: Event) -> str | None:
    """A step's end, or a wave of it: only while it runs."""
    status = state.steps[e["step"]].status
    if status == "running":
        return None
    never = state.steps[e["step"]].attempts == 0
    return f"of '{e['step']}', which {'never started' if never else f'was not running (it stood {status})'}"


def _wave_decided(state: RunState, e: Event) -> str | None:
    step = state.steps[e["step"]]
    if step.wave_awaiting is None or step.wave_awaiting != e.get("wave", step.wave_awaiting):
        return f"on wave {e.get('wave')} of '{e['step']}', which waited for no verifier's word"
    return _attempt(e, step.attempts)


def _phase(e: Event) -> str:
    return "before" if e.get("phase") == "before" else "after"  # as the fold reads it


def _as_taken(state: RunState) -> RunState:
    """The run as a verifier's word was taken on it: versions before session 29 took a go-ahead (or its refusal) while a
    rollback ran (`confirmable` refuses it now), and the journals they wrote stay intact, read as it was taken."""
    return replace(state, rollback=None) if state.rollback is not None and not state.rollback.finished else state


def _step_confirmed(state: RunState, e: Event) -> str | None:
    phase, step = _phase(e), state.steps[e["step"]]
    if e["step"] != state.current or confirmable(_as_taken(state)) != phase:
        what = "a go-ahead for" if phase == "before" else "a confirmation of"
        return f"is {what} '{e['step']}', which had nothing to confirm (it stood {_stood(state, e['step'])})"
    return _attempt(e, step.attempts + (phase == "before"))


def _step_rejected(state: RunState, e: Event) -> str | None:
    phase, step = _phase(e), state.steps[e["step"]]
    why = "it is not the step the run stood at" if e["step"] != state.current else nothing_to_reject(_as_taken(state))
    if why is None and (phase == "after") != (step.status == "awaiting_verification"):
        why = "a rejection after it ran needs a step that ran and waits" if phase == "after" else "it had run already"
    if why is not None:
        return f"of '{e['step']}' ({phase}), which could not be rejected: {why}"
    return _attempt(e, step.attempts + (phase == "before"))


def _output(state: RunState, e: Event) -> str | None:
    """A command's output: its step's run while it runs (`phase` "run"), its undo while the rollback runs that undo."""
    sid, phase = e["step"], e.get("phase")
    step, rollback = state.steps.get(sid), state.rollback
    undoing = rollback is not None and not rollback.finished and rollback.running_step == sid
    if step is None:  # a journal with no plan at all (a hand-made one) has no step to check it against
        return f"of '{sid}', a step not in the plan" if state.steps else None
    if phase == "undo":
        if undoing:
            return None
        now = (
            f"the undo of '{rollback.running_step}' was running"
            if rollback is not None and not rollback.finished and rollback.running_step
            else "no undo was running"
        )
        return f"of the undo of '{sid}', whose undo was not running ({now}): an undo's output comes between its undo_started and its undo_finished"
    if step.status == "running" or (phase is None and undoing):  # no phase: an older writer's, of either
        return None
    if undoing and e.get("host") in undo_waits_for(state, sid):  # the run a lost link left there, followed before its undo
        return None
    return f"of '{sid}', which was not running (it stood {_stood(state, sid)}): a step's output comes between its step_started and its step_finished"


def _step_skipped(state: RunState, e: Event) -> str | None:
    sid = e["step"]
    rollback = state.rollback
    if rollback is not None and not rollback.ok:  # running (ok None), or stopped at a failed undo or by a death (ok False)
        how = "was running" if not rollback.finished else "did not finish" if rollback.interrupted else "had stopped"
        at = f" at '{rollback.failed_step}'" if rollback.finished and rollback.failed_step else ""
        return f"of '{sid}' while the rollback {how}{at}: no step is skipped until the rollback has finished (u goes on with it)"
    if sid == state.current and state.steps[sid].status not in ("running", "awaiting_verification"):
        return None
    return f"of '{sid}', which could not be skipped (it stood {_stood(state, sid)})"


def _step_marked_done(state: RunState, e: Event) -> str | None:
    return None if markable(state, e["step"]) else f"of '{e['step']}', whose outcome was not unknown (it stood {_stood(state, e['step'])})"


def _stood(state: RunState, sid: str) -> str:
    step = state.steps[sid]
    status = "never run" if step.status == "pending" and step.attempts == 0 else step.status
    return status if sid == state.current else f"{status}, and the run stood at {_current(state)}"


def _current(state: RunState) -> str:
    return f"'{state.current}'" if state.current is not None else "no step"


def _rollback_started(state: RunState, _e: Event) -> str | None:
    rollback = state.rollback
    return "while the rollback before it was still running" if rollback is not None and not rollback.finished else None


def _undo_started(state: RunState, e: Event) -> str | None:
    rollback, sid = state.rollback, e["step"]
    if rollback is None or rollback.finished:
        return f"of '{sid}' outside a rollback (no rollback_started before it, or it had finished)"
    if rollback.running_step is not None:
        return f"of '{sid}' while the undo of '{rollback.running_step}' was still running"
    if state.steps[sid].attempts == 0:
        return f"of '{sid}', which never ran (nothing of it to undo)"
    return None


def _undo_finished(state: RunState, e: Event) -> str | None:
    rollback = state.rollback
    if rollback is None or rollback.finished or rollback.running_step != e["step"]:
        return f"of '{e['step']}', whose undo was not running"
    return None


def _rollback_finished(state: RunState, _e: Event) -> str | None:
    rollback = state.rollback
    return "with no rollback running" if rollback is None or rollback.finished else None


def _paused(state: RunState, e: Event) -> str | None:
    """A person's `p` while the run stands paused lifts the pause (`Controller._pausing`): their `paused` never follows
    another without a `resumed` between (the program's own pause, a guard's, may take a person's over)."""
    if not state.paused or e["actor"] == ev.SYSTEM:
        return None
    return (
        f"by {e['actor']!r} while the run stood paused by {state.paused_by} (p then lifts the pause: no person's pause follows another without resumed between)"
    )


def _resumed(state: RunState, _e: Event) -> str | None:
    return None if state.paused else "while the run was not paused"


def _reopened(state: RunState, _e: Event) -> str | None:
    return None if state.finished else "of a session that had not finished"


_RULES: dict[str, Callable[[RunState, Event], str | None]] = {
    ev.STEP_STARTED: _step_started,
    ev.STEP_FINISHED: _while_running,
    ev.WAVE_STARTED: _while_running,
    ev.WAVE_FINISHED: _while_running,
    ev.HOST_FINISHED: _while_running,
    ev.WAVE_CONFIRMED: _wave_decided,
    ev.WAVE_REJECTED: _wave_decided,
    ev.STEP_CONFIRMED: _step_confirmed,
    ev.STEP_REJECTED: _step_rejected,
    ev.STEP_SKIPPED: _step_skipped,
    ev.STEP_MARKED_DONE: _step_marked_done,
    ev.ROLLBACK_STARTED: _rollback_started,
    ev.UNDO_STARTED: _undo_started,
    ev.UNDO_HOST_FINISHED: _undo_finished,
    ev.UNDO_FINISHED: _undo_finished,
    ev.ROLLBACK_FINISHED: _rollback_finished,
    ev.PAUSED: _paused,
    ev.RESUMED: _resumed,
    ev.SESSION_REOPENED: _reopened,
    ev.SESSION_FINISHED: _session_finished,
}


class FirstImpossible:
    """Handed each event of a journal in order: `found` is the first one no run writes where it stood, as `journal verify`
    says it (None: none so far). `report`, `replay` and `resume` refuse such a journal as they refuse a broken chain."""

    def __init__(self) -> None:
        self._order = EventOrder()
        self.found: str | None = None

    def __call__(self, event: Event) -> None:
        if self.found is None:
            self.found = self._order.problem(event)


def sequence_problems(events: Any) -> list[str]:
    """Every impossible event of `events` (an iterable of a journal's events, in order), in words."""
    order = EventOrder()
    return [found for event in events if (found := order.problem(event)) is not None]
