"""The controller: the only place that decides what happens next.

It takes intents (the assignee's keys, the verifier's connection, the headless driver), checks them against the state and the rules (two-person
rule, pause, rollback), and emits events, each journaled (fsynced) before it is applied or acted on. Refusals come back as a `Reply`, never raised.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any, Literal

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import SYSTEM, Actor, RefusalKind, Reply, Role, Scope, refused
from runbook_tui.engine.checkpoints import checkpoint_completed
from runbook_tui.engine.ends_journaled import EndsJournaled
from runbook_tui.engine.event_words import paused_words
from runbook_tui.engine.events import Event, P
from runbook_tui.engine.final_check import BeforeFinish, FinalCheck
from runbook_tui.engine.guard_response import react
from runbook_tui.engine.invocation import invocation
from runbook_tui.engine.journal import JournalError, JournalWriter
from runbook_tui.engine.mark_done import mark_done_refusal, may_still_run
from runbook_tui.engine.opening import Opening
from runbook_tui.engine.ports import Executor
from runbook_tui.engine.resuming import Resuming
from runbook_tui.engine.rollback import RollbackPlan
from runbook_tui.engine.runner import MetricJudge, StepRunner
from runbook_tui.engine.shown_step import LIST_CHANGED, Shown, moved_on
from runbook_tui.engine.state import RUNNABLE, RunState, apply, initial
from runbook_tui.engine.step_stop import StepStop
from runbook_tui.engine.undo_notes import reopenable, rollback_refusal
from runbook_tui.engine.verifier_intents import VerifierIntents
from runbook_tui.engine.waves import WaveGate
from runbook_tui.runbook.model import Host, Runbook, Step
from runbook_tui.runbook.safe_text import shell_word

__all__ = ["SYSTEM", "Actor", "Controller", "Listener", "MetricJudge", "RefusalKind", "Reply", "Role", "Scope", "refused"]

log = logging.getLogger(__name__)

Listener = Callable[[Event, RunState], None]
#: What the assignee can ask the controller to do (see `Controller.allowed_intents`).
AssigneeIntent = Literal["run", "skip", "rollback", "mark_done", "accept_criteria", "pause", "stop", "decline_rollback"]


class Controller(FinalCheck, VerifierIntents, StepRunner, StepStop, Opening, Resuming):
    """Drives one run of one runbook; all mutations of the run go through `emit`."""

    def __init__(
        self,
        runbook: Runbook,
        journal: JournalWriter,
        executor_for: Callable[[Host], Executor],
        *,
        assignee: str,
        mode: str = "live",
        solo: str | None = None,
        secrets: Mapping[str, str] | None = None,
        max_concurrency: int = 50,
        state: RunState | None = None,
        metric_judge: MetricJudge | None = None,
        auto_finish: bool = True,
    ) -> None:
        self.runbook = runbook
        self.journal = journal
        self.executor_for = executor_for
        self.assignee = assignee
        self.mode = mode
        self.solo = solo
        self.secrets = dict(secrets or {})
        self.captured_unmasked: dict[str, str] = {}
        self.max_concurrency = max_concurrency
        self.metric_judge = metric_judge
        self.before_finish: BeforeFinish | None = None
        self.auto_finish = auto_finish  # finish the session (done) once the last step is done
        self.state = state or initial()
        self._ends = EndsJournaled(runbook)  # what an executor keeps for a command until its end is on disk (the runs' files)
        self._listeners: list[Listener] = [self._ends.heard]
        self._unapplied: deque[tuple[Event, Mapping[str, Any]]] = deque()  # journaled, waiting for a decision before them to be on disk
        self._folded: dict[int, tuple[RunState, RunState]] = {}  # the opening's events, folded ahead of the disk (engine/opening.py)
        self._deciding = asyncio.Lock()
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.fatal: str | None = None  # set when the journal cannot be written: nothing more may run
        #: Can a verifier's confirmation arrive? False in a run neither shared nor solo: such steps never start.
        self.verifier_reachable = True
        self.ends_after_rollback = False  # exec: the run ends once the rollback ends (no step is announced after it)
        self._injected: set[str] = set()  # rehearse --fail-at: steps that fail without running
        self._waves: WaveGate | None = None  # the running step's waves (serial:), while it runs
        #: Told of each event once on disk, before it is applied: what must follow a decision at once (its signature) is
        #: journaled here, before anything acts on it (the next step's `step_ready`, a checkpoint, the session's end).
        self.countersign: Callable[[Event], None] | None = None

    # -- events ------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def emit(self, type: ev.EventType[P], actor: Actor | str, *_: P.args, **data: P.kwargs) -> Event:
        """Journal (fsync) first, then apply, then tell listeners (mypy checks `data` against the type's payload in events.py)."""
        name = actor if isinstance(actor, str) else actor.name
        try:
            event = self.journal.append(type, name, data)
        except JournalError as exc:
            self.fatal = f"{exc.strerror}; the run stops before the next step"
            raise
        self._unapplied.append((event, data))  # after any decision before it that is still being written (emit_durably)
        try:
            if self.countersign is not None:
                self.countersign(event)
        finally:
            self._apply_durable()
        return event

    async def emit_durably(self, type: ev.EventType[P], actor: Actor | str, *_: P.args, **data: P.kwargs) -> Event:
        """`emit` of a decision on the event loop, which runs on while the writer thread fsyncs it; applied once on disk, in order."""
        name = actor if isinstance(actor, str) else actor.name
        try:
            event = self.journal.queue(type, name, data)
            self._unapplied.append((event, data))
            await self.journal.durable(event["seq"])
        except JournalError as exc:
            self.fatal = f"{exc.strerror}; the run stops before the next step"
            raise
        self._apply_durable()
        return event

    def _apply_durable(self) -> None:
        """Apply the journaled events waiting, in order, up to the first decision not on disk yet (grouped ones never wait)."""
        while self._unapplied and (self._unapplied[0][0]["type"] in ev.GROUPED or self._unapplied[0][0]["seq"] <= self.journal.durable_seq):
            self._apply(*self._unapplied.popleft())

    def _apply(self, event: Event, data: Mapping[str, Any]) -> None:
        type = event["type"]
        earlier = self.state
        before = earlier.current
        folded = self._folded.pop(event["seq"], None)
        self.state = folded[1] if folded is not None and folded[0] is earlier else apply(self.state, event)
        for listener in list(self._listeners):
            try:
                listener(event, self.state)
            except Exception:  # a broken view must not stop the run
                log.exception("listener failed on %s", type)
        self._changed.set()
        checkpoint = checkpoint_completed(self.runbook, type, data, earlier, self.state)
        if checkpoint is not None:  # the step that finished is the safe point: on record before the next step is announced
            self.emit(ev.CHECKPOINT_REACHED, SYSTEM, step=checkpoint)
        if self._next_step_changed(type, data, before):
            assert self.state.current is not None
            self.announce_ready(self.state.current)  # the next step, rendered with what the last one captured
        react(self, event)  # a guard's trip acts, a lifted pause lets a finished run end; every front end only renders what follows

    def _next_step_changed(self, type: str, data: Mapping[str, Any], before: str | None) -> bool:
        """Does the run now stand at a step everyone should see rendered afresh (`step_ready`)?

        Not while a rollback runs (steps come undone one by one), not after the full rollback that ends the session, nor
        after one exec ends the run with (`ends_after_rollback`: the first undone step, which nothing would run, was announced
        just before `session_finished`), not at session_started (start() announces it after a window override is on record)."""
        current, rollback = self.state.current, self.state.rollback
        if current is None or self.state.finished or self.rechecking or type in (ev.STEP_READY, ev.SESSION_STARTED):
            return False
        if rollback is not None and not rollback.finished:
            return False
        if type == ev.ROLLBACK_FINISHED:
            return not self.ends_after_rollback and not (data.get("scope") == "full" and data.get("ok"))
        return current != before

    async def changed(self) -> None:
        """Wait until the next event."""
        self._changed.clear()
        await self._changed.wait()

    async def wait_idle(self) -> None:
        """Wait until no step or rollback is running (nor the final checks before finishing)."""
        while True:
            task = next((t for t in (self._task, self._finishing) if t is not None and not t.done()), None)
            if task is None:
                return
            try:
                await asyncio.shield(task)
            except asyncio.CancelledError:
                if not task.cancelled():
                    raise  # we were cancelled, not the task

    async def stop_working(self, bound: float = 5.0) -> None:
        """Cancel the step, rollback or final check running, as `exec` does when stopped, and wait up to `bound` seconds
        for its end: on the way the commands it runs on this machine are killed (their process groups; remote ones run on
        detached) and nothing more is journaled of it. The program's last note comes after (app/stopped.py)."""
        working = {t for t in (self._task, self._finishing) if t is not None and not t.done()}
        for task in working:
            task.cancel()
        if working:
            await asyncio.wait(working, timeout=bound)

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def flush(self) -> None:
        """Commit grouped output events (called on a timer, at least once a second).

        A failed write stops the run like a failed `emit` (fatal set); it is not raised into the timer.
        """
        try:
            self.journal.flush_if_due()
        except JournalError as exc:  # not logged: the watch calls this twice a second until the program ends, and the
            # step whose output failed says it (runner), the front end the rest (exec's last line, the run screen)
            self.fatal = self.fatal or f"{exc.strerror}; the run stops before the next step"

    # -- session -----------------------------------------------------------------

    def change_mode(self, actor: Actor, *, solo: str | None, shared: bool) -> None:
        """resume --solo REASON / --share: how this run is verified from now on (journaled: solo, shared, shared again)."""
        was_solo = self.solo is not None
        if solo is not None:
            self.solo = solo
        elif shared:
            self.solo = None
        reason = f"solo from now on: {solo}" if solo is not None else f"shared {'from now on' if was_solo else 'again'}: a verifier may join"
        self.emit(ev.MODE_CHANGED, actor, solo=self.solo, shared=shared and solo is None, reason=reason)

    def reopen(self, actor: Actor, reason: str, *, full: bool = False) -> Reply:
        """resume --rollback on a session that ended failed (`full`: or rolled back to a checkpoint, undos left): journal it open again for the rollback."""
        if not reopenable(self.state, full):  # (a rolled back one: only with --full, and steps with an undo left applied)
            return refused(f"a session that ended {self.state.outcome} cannot be reopened; only one that ended {', '.join(sorted(ev.REOPENABLE))}")
        self.emit(ev.SESSION_REOPENED, actor, outcome=(outcome := self.state.outcome), reason=reason)
        return Reply(True, f"reopened the session (it ended {outcome}) to roll back")

    def accept_criteria(self, actor: Actor, reason: str) -> Reply:
        """All steps are done but a success criterion is not met: the assignee accepts it, with a reason."""
        denial = self._assignee_only(actor, "accept unmet success criteria")
        if denial:
            return denial
        unmet = self.state.criteria_unmet
        if self.state.current is not None or not unmet:
            return refused("there are no unmet success criteria to accept")
        if not reason.strip():
            return refused("accepting unmet success criteria needs a reason (it goes into the journal and the report)")
        if self.busy:
            return refused("a step or rollback is running; wait for it to finish")
        needs_verifier = not self.state.solo and self.solo is None
        self.emit(ev.CRITERIA_ACCEPTED, actor, reason=reason.strip(), criteria=list(unmet), needs_verifier=needs_verifier)
        if needs_verifier:
            return Reply(True, "acceptance journaled; the verifier confirms it (c) before the session ends done")
        self.emit(ev.SESSION_FINISHED, SYSTEM, outcome="done")
        return Reply(True, "unmet criteria accepted; session finished: done")

    def finish(self, actor: Actor, outcome: str) -> Reply:
        if self.state.finished:
            return refused("the session is already finished")
        if self.busy:
            return refused("a step is still running; wait for it or quit (resume continues later)")
        self._cancel_finishing()
        self.emit(ev.SESSION_FINISHED, actor, outcome=outcome, **self.driven())
        return Reply(True, f"session finished: {outcome}")

    # -- rules -------------------------------------------------------------------

    def needs(self, step: Step, phase: Literal["before", "after"]) -> bool:
        """Does this step wait for the verifier in this phase? Never in a solo run."""
        if self.solo is not None or self.state.solo:
            return False
        return step.verify in (phase, "both") or (phase == "after" and step.verify == "per_wave")

    def _assignee_only(self, actor: Actor, what: str) -> Reply | None:
        if actor.role != "assignee":
            return refused(f"only the assignee can {what}")
        if self.state.finished:
            return refused("the session is finished")
        if self.fatal:
            return refused(self.fatal)
        return None

    def _moved_on(self, seen: Shown | None) -> Reply | None:
        return None if (why := moved_on(self.state, seen)) is None else refused(why)

    def allowed_intents(self) -> frozenset[AssigneeIntent]:
        """The assignee's intents that can be accepted now: front ends offer only these keys."""
        state = self.state
        if state.finished:
            return frozenset()
        current = state.current
        allowed: set[AssigneeIntent] = {"pause", "stop"} if self.stoppable() else {"pause"}
        if not self.busy:  # every step done too: unmet criteria or a rollback request offer `u` (it was hidden, and did nothing)
            allowed |= {"rollback", "decline_rollback"} if state.rollback_requested else {"rollback"}
        if current is not None and not self.busy:
            if state.steps[current].status != "awaiting_verification" and not state.rollback_stopped:  # only the verifier / u move it on
                allowed |= {"skip"} if state.paused else {"skip", "run"}
        if current is not None and state.steps[current].status == "unknown" and not state.rollback_stopped:  # (refused: mark_done_refusal)
            allowed.add("mark_done")
        if current is None and state.criteria_unmet and state.criteria_acceptance is None and not self.busy:
            allowed.add("accept_criteria")
        return frozenset(allowed)

    def current_step(self) -> Step | None:
        sid = self.state.current
        return None if sid is None else self.runbook.step(sid)

    # -- intents: the assignee ---------------------------------------------------

    def run_current(self, actor: Actor, *, acknowledged: bool = False, answer: str | None = None, seen: Shown | None = None) -> Reply:
        """`enter`: run the current step, or ask the verifier for the go-ahead first. `seen`: the step the dialog
        answered showed (its acknowledgement, its question): refused when the run is no longer there."""
        denial = self._assignee_only(actor, "run steps") or self._moved_on(seen)
        if denial:
            return denial
        if self.busy:
            return refused("a step or rollback is running; wait for it to finish")
        if self.state.paused or self.state.rollback_stopped:
            why = f"the run is paused ({paused_words(self.state.paused_by, self.state.pause_reason or 'by the assignee')}); lift the pause first"
            return refused(self.state.rollback_stopped or f"{why} (p at the run screen; resume --lift-pause REASON headless)")  # `(by alice)`, once
        step = self.current_step()
        if step is None:
            return refused("every step is done; the run can be finished")
        status = self.state.steps[step.id]
        if status.status == "awaiting_verification":
            return refused(f"waiting for the verifier to confirm '{step.id}'")
        if status.status not in RUNNABLE:
            return refused(f"step '{step.id}' is {status.status}")
        if (self.needs(step, "before") or self.needs(step, "after")) and not self.verifier_reachable:
            return refused(
                f"'{step.id}' needs a verifier's confirmation, and no verifier can join this run (it is not shared); "
                f"nothing was started. Continue with `{invocation()} resume {shell_word(self.journal.path)} --share ADDR --verifier-key FILE` "
                "or `--solo REASON`"
            )
        if self.needs(step, "before") and not status.has_go_ahead:
            self.emit(ev.NOTE, actor, step=step.id, text=f"go-ahead requested for '{step.id}'", request="go_ahead")
            return Reply(True, f"asked the verifier for the go-ahead on '{step.id}'")
        if (running := None if acknowledged else may_still_run(self.state, step.id)) is not None:  # beside a live first run: asked
            lead = "failed" if status.status == "failed" else "was running when the program stopped"  # failed: a lost link
            running = f"'{step.id}' {lead}. {running}"
        if step.confirm is not None and not acknowledged:
            shown = self._once(step, step.confirm)
            return refused(f"this step needs acknowledgement first: {shown}", "needs_acknowledgement", f"{running}\n\n{shown}" if running else shown)
        if running is not None:
            return refused(f"{running} Acknowledge to re-run it.", "needs_acknowledgement", running)
        if step.kind == "ask" and answer is None:
            question = self._once(step, step.body)
            return refused(f"this step asks: {question}; answer it first", "needs_answer", question)
        if step.confirm is not None:
            acknowledged_text = f"acknowledged before running: {self._once(step, step.confirm)}"
            self.emit(ev.NOTE, actor, step=step.id, text=acknowledged_text, request="acknowledge")
        self._task = asyncio.create_task(self._run_step(step, actor, answer))
        return Reply(True, f"running '{step.id}'")

    def skip(self, actor: Actor, reason: str, seen: Shown | None = None) -> Reply:
        denial = self._assignee_only(actor, "skip steps") or self._moved_on(seen)
        if denial:
            return denial
        step = self.current_step()
        if step is None or self.busy or self.state.rollback_stopped:
            return refused(self.state.rollback_stopped or "no step to skip now")
        if self.state.steps[step.id].status == "awaiting_verification":
            return refused(f"'{step.id}' ran and waits for the verifier; it cannot be skipped (two-person rule)")
        if not reason.strip():
            return refused("skipping needs a reason (it goes into the journal and the report)")
        self.emit(ev.STEP_SKIPPED, actor, step=step.id, reason=reason.strip())
        self._maybe_finish()
        return Reply(True, f"skipped '{step.id}'")

    def mark_done(self, actor: Actor, reason: str, seen: Shown | None = None) -> Reply:
        """For a step whose outcome is unknown: the assignee checked by hand that it is done."""
        denial = self._assignee_only(actor, "mark steps done") or self._moved_on(seen)
        if denial:
            return denial
        step = self.current_step()
        why = mark_done_refusal(self.state, step, reason)
        if step is None or why:
            return refused(why or "")
        self.emit(ev.STEP_MARKED_DONE, actor, step=step.id, reason=reason.strip(), verified=False if self.solo else None)
        self._maybe_finish()
        return Reply(True, f"marked '{step.id}' done")

    def pause(self, actor: Actor, reason: str = "") -> Reply:
        decided = self._pausing(actor, reason)
        if isinstance(decided, Reply):
            return decided
        resume, words, reply = decided
        self.emit(ev.RESUMED if resume else ev.PAUSED, actor, reason=words)
        return reply

    async def pause_durably(self, actor: Actor, reason: str = "") -> Reply:
        """`pause` for a key on the run screen: the decision is fsynced off the event loop (awaited), the screen keeps drawing."""
        async with self._deciding:  # p pressed twice: the second press sees the first one's pause
            decided = self._pausing(actor, reason)
            if isinstance(decided, Reply):
                return decided
            resume, words, reply = decided
            await self.emit_durably(ev.RESUMED if resume else ev.PAUSED, actor, reason=words)
            return reply

    def _pausing(self, actor: Actor, reason: str) -> Reply | tuple[bool, str, Reply]:
        """What a pause decides: a refusal (or the verifier's hold, asked already), or (resume?, the reason journaled, the reply)."""
        if actor.role == "verifier":
            return self.request_hold(actor, reason)
        denial = self._assignee_only(actor, "pause the run") if actor.role != "system" else None
        if denial:
            return denial
        if self.state.paused and actor.role != "system":  # the program never lifts a pause; its pause takes a person's over
            return True, reason or "resumed", Reply(True, "resumed")
        return False, reason or f"paused by {actor.name}", Reply(True, "paused: no new step starts until you press p again")

    def review(self, actor: Actor, planned: str, surprised: str, change: str) -> Reply:
        """The post-change review, asked for when a live run ends; it goes into the report."""
        if actor.role != "assignee":
            return refused("the assignee writes the post-change review")
        if not self.state.finished:
            return refused("the review comes when the run has ended")
        if self.state.review is not None:
            return refused("the review is already written")
        if not any(text.strip() for text in (planned, surprised, change)):
            return refused("an empty review was not added")
        self.emit(ev.REVIEW, actor, planned=planned.strip(), surprised=surprised.strip(), change=change.strip())
        return Reply(True, "review added to the journal; it appears in the report")

    # -- intents: anyone ---------------------------------------------------------

    def note(self, actor: Actor, text: str) -> Reply:
        if actor.role == "observer":
            return refused("observers are read-only")
        if self.state.finished:
            return refused("the session is finished; nothing may follow its end in the journal")
        if not text.strip():
            return refused("an empty note was not added")
        self.emit(ev.NOTE, actor, text=text.strip(), step=self.state.current)
        return Reply(True, "note added to the journal")

    def join(self, name: str, role: Role, repeats: int = 0) -> None:
        """`repeats`: sessions (a join and its leave) of this participant since the last one journaled, counted instead."""
        if not self.state.finished and not self.fatal:  # nothing may follow session_finished (`journal verify`)
            self.emit(ev.PARTICIPANT_JOINED, SYSTEM, name=name, role=role, **({"repeats": repeats} if repeats else {}))

    def leave(self, name: str, role: Role, repeats: int = 0) -> None:
        # After the end too (participant_left may follow session_finished), for who joined on the record: before, bob never left.
        if not self.fatal and (not self.state.finished or name in self.state.participants):
            self.emit(ev.PARTICIPANT_LEFT, SYSTEM, name=name, role=role, **({"repeats": repeats} if repeats else {}))

    def rollback(
        self, actor: Actor, scope: Scope, *, acknowledged: bool = False, reason: str = "", finish: bool = True, seen: RollbackPlan | None = None
    ) -> Reply:
        """`u` then `y`: run the planned undo list. Steps without undo must be acknowledged first. `seen`: the list
        the dialog showed: refused when the plan is another now (y's answer reaches here a turn after the dialog's check)."""
        if actor.role != "system":
            denial = self._assignee_only(actor, "start a rollback")
            if denial:
                return denial
        if self.busy:
            return refused(self.busy_for_rollback())
        plan = self.plan_rollback(scope)
        if seen is not None and plan != seen:
            return refused(LIST_CHANGED)
        if (why := rollback_refusal(self.state, plan, acknowledged)) is not None:
            return refused(why)
        self._start_rollback(actor, plan, reason, finish)
        return Reply(True, f"rolling back ({scope})")

    def roll_back_for_guard(self, reason: str) -> Reply:
        """exec's answer to a guard's rollback request: the runbook's `on_critical: rollback` is the decision, so the
        rollback to the last checkpoint starts acknowledged, by the system (a person at the run screen sees the undo list
        first instead)."""
        rollback = self.state.rollback
        if self.state.finished or self.fatal or (rollback is not None and not rollback.finished):
            return refused("nothing left to roll back, or a rollback already runs")
        if self.busy:
            return refused("a step is running; roll back when it has ended")
        self._start_rollback(SYSTEM, self.plan_rollback("checkpoint"), reason, finish=True)
        return Reply(True, "rolling back (checkpoint)")

    def _start_rollback(self, actor: Actor, plan: RollbackPlan, reason: str, finish: bool) -> None:
        self._cancel_finishing()  # the final success checks are moot once the change is rolled back
        self._task = asyncio.create_task(self._run_rollback(actor, plan, reason, finish))
