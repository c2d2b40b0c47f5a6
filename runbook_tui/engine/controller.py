"""The controller: the only place that decides what happens next.

It takes intents (from the assignee's keys, the verifier's connection, the
headless driver), checks them against the state and the rules (two-person
rule, pause, rollback in progress), and emits events. Every event is
journaled (fsynced) before it is applied and before anything acts on it.
Refused intents come back as a `Reply` with words a tired person
understands, never as exceptions.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeGuard, get_args

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.engine.fanout import HostOutcome, fan_out
from runbook_tui.engine.journal import JournalError, JournalWriter
from runbook_tui.engine.output import LineAssembler, StdoutKeeper
from runbook_tui.engine.ports import Command, Executor, Result, Stream
from runbook_tui.engine.rollback import Outcome, RollbackPlan, StepRecord, plan_rollback, to_json
from runbook_tui.engine.state import RunState, apply, initial
from runbook_tui.engine.waves import WaveGate
from runbook_tui.runbook.model import Host, MetricCheck, Runbook, Step, Text
from runbook_tui.runbook.plan import plan_json
from runbook_tui.runbook.templating import TemplateError, context_for, render_text

log = logging.getLogger(__name__)

Role = Literal["assignee", "verifier", "observer", "system"]
Scope = Literal["checkpoint", "full"]
#: Checks `expect.metric` once a command finished: (met, words). Wired by the metrics layer.
MetricJudge = Callable[[MetricCheck], Awaitable[tuple[bool, str]]]
#: Awaited once the last step is done, before the session finishes as done (the metrics layer checks `metrics.success` there).
BeforeFinish = Callable[[], Awaitable[None]]
Listener = Callable[[Event, RunState], None]

RUNNABLE = frozenset({"pending", "failed", "rejected", "unknown", "undone"})


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    role: Role


SYSTEM = Actor(ev.SYSTEM, "system")


@dataclass(frozen=True, slots=True)
class Reply:
    ok: bool
    message: str


def refused(message: str) -> Reply:
    return Reply(False, message)


class Controller:
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
        self.max_concurrency = max_concurrency
        self.metric_judge = metric_judge
        self.before_finish: BeforeFinish | None = None
        self.auto_finish = auto_finish  # finish the session (done) once the last step is done
        self.state = state or initial()
        self._listeners: list[Listener] = []
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._finishing: asyncio.Task[None] | None = None  # before_finish running; a rollback or finish cancels it
        self._wake_wait: asyncio.Event | None = None  # set while a `wait` step waits; interrupt_wait() ends it
        self._wait_cut: str | None = None
        self.fatal: str | None = None  # set when the journal cannot be written: nothing more may run
        self._injected: set[str] = set()  # rehearse --fail-at: steps that fail without running
        self._waves: WaveGate | None = None  # the running step's waves (serial:), while it runs

    # -- events ------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def emit(self, type: str, actor: Actor | str, **data: Any) -> Event:
        """Journal (fsync) first, then apply, then tell listeners."""
        name = actor if isinstance(actor, str) else actor.name
        try:
            event = self.journal.append(type, name, data)
        except JournalError as exc:
            self.fatal = f"{exc.strerror}; the run stops before the next step"
            raise
        self.state = apply(self.state, event)
        for listener in list(self._listeners):
            try:
                listener(event, self.state)
            except Exception:  # a broken view must not stop the run
                log.exception("listener failed on %s", type)
        self._changed.set()
        return event

    def _maybe_finish(self) -> None:
        """Once the last step is done (or skipped), the session is done."""
        if self.auto_finish and self.state.current is None and not self.state.finished and self.state.order:
            if self.before_finish is None:
                self.emit(ev.SESSION_FINISHED, SYSTEM, outcome="done")
            elif self._finishing is None or self._finishing.done():
                self._finishing = asyncio.create_task(self._finish_after_checks())

    async def _finish_after_checks(self) -> None:
        try:
            assert self.before_finish is not None
            await self.before_finish()
        except JournalError:
            return
        except Exception as exc:  # a broken check must not keep the session open forever
            log.exception("before_finish failed")
            self._safe_error(f"internal error in the final checks: {exc}")
        if self.state.current is None and not self.state.finished and not self.fatal and not self.busy:
            self.emit(ev.SESSION_FINISHED, SYSTEM, outcome="done")

    def _cancel_finishing(self) -> None:
        if self._finishing is not None and not self._finishing.done():
            self._finishing.cancel()

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

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def flush(self) -> None:
        """Commit grouped output events (called on a timer, at least once a second).

        A failed write stops the run like a failed `emit` (fatal set); it is not raised into the timer.
        """
        try:
            self.journal.flush_if_due()
        except JournalError as exc:
            self.fatal = self.fatal or f"{exc.strerror}; the run stops before the next step"
            log.error("journal write failed; run stopped")

    # -- session -----------------------------------------------------------------

    def start(self, *, window_override: str | None = None, journal_path: str = "") -> None:
        rb = self.runbook
        ticket = rb.ticket.as_context() if rb.ticket else None
        self.emit(
            ev.SESSION_STARTED,
            self.assignee,
            session=uuid.uuid4().hex,
            runbook=rb.id,
            title=rb.title,
            file=rb.file,
            path=str(Path(rb.file).resolve()),
            digest=rb.digest,
            params=dict(rb.param_values),
            ticket=ticket,
            no_ticket=ticket is None,
            mode=self.mode,
            solo=self.solo,
            assignee=self.assignee,
            verifier=None if self.solo else (rb.ticket.verifier if rb.ticket else None),
            plan=plan_json(rb),
            journal=journal_path,
        )
        if window_override:
            self.emit(ev.WINDOW_OVERRIDE, self.assignee, reason=window_override, window=(ticket or {}).get("window"))

    def resumed(self, pid: int) -> None:
        self.emit(ev.SESSION_RESUMED, self.assignee, pid=pid)

    def finish(self, actor: Actor, outcome: str) -> Reply:
        if self.state.finished:
            return refused("the session is already finished")
        if self.busy:
            return refused("a step is still running; wait for it or quit (resume continues later)")
        self._cancel_finishing()
        self.emit(ev.SESSION_FINISHED, actor, outcome=outcome)
        return Reply(True, f"session finished: {outcome}")

    # -- rules -------------------------------------------------------------------

    @property
    def session_id(self) -> str:
        return str(self.state.session.get("session", "session"))

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

    def current_step(self) -> Step | None:
        sid = self.state.current
        return None if sid is None else self.runbook.step(sid)

    # -- intents: the assignee ---------------------------------------------------

    def run_current(self, actor: Actor, *, acknowledged: bool = False, answer: str | None = None) -> Reply:
        """`enter`: run the current step, or ask the verifier for the go-ahead first."""
        denial = self._assignee_only(actor, "run steps")
        if denial:
            return denial
        if self.busy:
            return refused("a step or rollback is running; wait for it to finish")
        if self.state.paused:
            return refused(f"the run is paused ({self.state.pause_reason or 'by the assignee'}); press p to resume")
        step = self.current_step()
        if step is None:
            return refused("every step is done; the run can be finished")
        status = self.state.steps[step.id]
        if status.status == "awaiting_verification":
            return refused(f"waiting for the verifier to confirm '{step.id}'")
        if status.status not in RUNNABLE:
            return refused(f"step '{step.id}' is {status.status}")
        if self.needs(step, "before") and status.go_ahead_by is None:
            self.emit(ev.NOTE, actor, step=step.id, text=f"go-ahead requested for '{step.id}'", request="go_ahead")
            return Reply(True, f"asked the verifier for the go-ahead on '{step.id}'")
        if step.confirm is not None and not acknowledged:
            return refused(f"this step needs acknowledgement first: {self._shown(step.confirm)}")
        if step.kind == "ask" and answer is None:
            return refused(f"this step asks: {self._shown(step.body)}; answer it first")
        if step.confirm is not None:
            self.emit(ev.NOTE, actor, step=step.id, text=f"acknowledged before running: {self._shown(step.confirm)}", request="acknowledge")
        self._task = asyncio.create_task(self._run_step(step, actor, answer))
        return Reply(True, f"running '{step.id}'")

    def skip(self, actor: Actor, reason: str) -> Reply:
        denial = self._assignee_only(actor, "skip steps")
        if denial:
            return denial
        if not reason.strip():
            return refused("skipping needs a reason (it goes into the journal and the report)")
        step = self.current_step()
        if step is None or self.busy:
            return refused("no step to skip now")
        if self.state.steps[step.id].status == "awaiting_verification":
            return refused(f"'{step.id}' ran and waits for the verifier; it cannot be skipped (two-person rule)")
        self.emit(ev.STEP_SKIPPED, actor, step=step.id, reason=reason.strip())
        self._maybe_finish()
        return Reply(True, f"skipped '{step.id}'")

    def mark_done(self, actor: Actor, reason: str) -> Reply:
        """For a step whose outcome is unknown: the assignee checked by hand that it is done."""
        denial = self._assignee_only(actor, "mark steps done")
        if denial:
            return denial
        step = self.current_step()
        if step is None or self.state.steps[step.id].status != "unknown":
            return refused("only a step whose outcome is unknown can be marked done")
        if not reason.strip():
            return refused("marking done needs a note saying how you checked")
        self.emit(ev.STEP_MARKED_DONE, actor, step=step.id, reason=reason.strip(), verified=False if self.solo else None)
        self._maybe_finish()
        return Reply(True, f"marked '{step.id}' done")

    def pause(self, actor: Actor, reason: str = "") -> Reply:
        if actor.role == "verifier":
            return self.request_hold(actor, reason)
        denial = self._assignee_only(actor, "pause the run") if actor.role != "system" else None
        if denial:
            return denial
        if self.state.paused:
            self.emit(ev.RESUMED, actor, reason=reason or "resumed")
            return Reply(True, "resumed")
        self.emit(ev.PAUSED, actor, reason=reason or f"paused by {actor.name}")
        return Reply(True, "paused: no new step starts until you press p again")

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

    # -- intents: the verifier ---------------------------------------------------

    def _verifier_only(self, actor: Actor, what: str) -> Reply | None:
        if actor.role == "assignee" or actor.name == self.assignee:
            return refused(f"the assignee cannot {what} their own step (two-person rule)")
        if actor.role != "verifier":
            return refused(f"only the verifier can {what}")
        if self.state.finished:
            return refused("the session is finished")
        return None

    def _handover(self, actor: Actor) -> None:
        """A different verifier's confirmation or rejection is accepted: journal the shift change first."""
        previous = self.state.active_verifier
        if previous is not None and previous != actor.name:
            self.emit(ev.VERIFIER_HANDOVER, SYSTEM, **{"from": previous, "to": actor.name})

    def _not_the_step_seen(self, seen: str | None) -> Reply | None:
        """A confirmation is about the step the verifier looked at: a late or retried one must not land on the next."""
        current = self.state.current
        if seen is not None and seen != current:
            return refused(f"you acted on '{seen}', but the run is now at '{current}': look at it, then decide again")
        return None

    def confirm(self, actor: Actor, seen: str | None = None) -> Reply:
        denial = self._verifier_only(actor, "confirm") or self._not_the_step_seen(seen)
        if denial:
            return denial
        step = self.current_step()
        if step is None:
            return refused("there is no step to confirm")
        wave = self._wave_decision(actor, step, True)
        if wave is not None:
            return wave
        status = self.state.steps[step.id]
        if status.status == "awaiting_verification":
            self._handover(actor)
            self.emit(ev.STEP_CONFIRMED, actor, step=step.id, phase="after", attempt=status.attempts)
            if step.checkpoint:
                self.emit(ev.CHECKPOINT_REACHED, SYSTEM, step=step.id)
            self._maybe_finish()
            return Reply(True, f"confirmed '{step.id}'")
        if self.needs(step, "before") and status.go_ahead_by is None and status.status in RUNNABLE:
            self._handover(actor)
            self.emit(ev.STEP_CONFIRMED, actor, step=step.id, phase="before", attempt=status.attempts + 1)
            return Reply(True, f"go-ahead given for '{step.id}'")
        return refused(f"'{step.id}' is {status.status}: nothing to confirm yet")

    def reject(self, actor: Actor, reason: str, seen: str | None = None) -> Reply:
        denial = self._verifier_only(actor, "reject") or self._not_the_step_seen(seen)
        if denial:
            return denial
        if not reason.strip():
            return refused("a rejection needs a reason")
        step = self.current_step()
        if step is None:
            return refused("there is no step to reject")
        wave = self._wave_decision(actor, step, False, reason.strip())
        if wave is not None:
            return wave
        status = self.state.steps[step.id]
        phase = "after" if status.status == "awaiting_verification" else "before"
        if status.status == "running":
            return refused("the step is still running; ask to hold (p) or reject when it finished")
        self._handover(actor)
        attempt = status.attempts if phase == "after" else status.attempts + 1
        self.emit(ev.STEP_REJECTED, actor, step=step.id, phase=phase, reason=reason.strip(), attempt=attempt)
        return Reply(True, f"rejected '{step.id}': the run stops here")

    def _wave_decision(self, actor: Actor, step: Step, go_on: bool, reason: str = "") -> Reply | None:
        """verify: per_wave: the verifier's word on the wave the rollout waits after; None when none waits."""
        gate = self._waves
        if gate is None or gate.waiting is None or gate.step.id != step.id:
            return None
        wave = gate.waiting
        self._handover(actor)
        if go_on:
            self.emit(ev.WAVE_CONFIRMED, actor, step=step.id, wave=wave)
        else:
            self.emit(ev.WAVE_REJECTED, actor, step=step.id, wave=wave, reason=reason)
        gate.decide(go_on, reason)
        return Reply(True, f"{'confirmed' if go_on else 'rejected'} wave {wave} of '{step.id}'")

    def request_hold(self, actor: Actor, reason: str = "") -> Reply:
        if actor.role not in ("verifier",):
            return refused("only the verifier can ask the assignee to hold")
        if self.state.finished:
            return refused("the session is finished")
        self.emit(ev.HOLD_REQUESTED, actor, reason=reason or f"{actor.name} asks to hold")
        return Reply(True, "asked the assignee to hold")

    def request_rollback(self, actor: Actor, reason: str = "") -> Reply:
        if actor.role != "verifier":
            return refused("only the verifier requests a rollback; the assignee starts it with u")
        if self.state.finished:
            return refused("the session is finished")
        self.emit(ev.ROLLBACK_REQUESTED, actor, reason=reason or f"{actor.name} requests a rollback")
        return Reply(True, "rollback requested: the assignee sees it now")

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

    def join(self, name: str, role: Role) -> None:
        if not self.state.finished and not self.fatal:  # nothing may follow session_finished (`journal verify`)
            self.emit(ev.PARTICIPANT_JOINED, SYSTEM, name=name, role=role)

    def leave(self, name: str, role: Role) -> None:
        if not self.state.finished and not self.fatal:
            self.emit(ev.PARTICIPANT_LEFT, SYSTEM, name=name, role=role)

    # -- running a step ----------------------------------------------------------

    def _context(self, host: Host | None, *, secrets: bool) -> dict[str, Any]:
        return context_for(
            self.runbook,
            host=host,
            captured=self.state.captured,
            secrets=self.secrets if secrets else None,
        )

    def _render(self, text: Text, host: Host | None, *, secrets: bool = True) -> str:
        return render_text(text, self._context(host, secrets=secrets))

    def _shown(self, text: Text | None, host: Host | None = None) -> str:
        """Text as people may see it: secrets masked."""
        if text is None:
            return ""
        try:
            return self._render(text, host, secrets=False)
        except TemplateError:
            return text.source

    def _command(self, step: Step, text: Text, host: Host, attempt: int, phase: str, tag: str = "") -> Command:
        """The rendered command; its `key` is unique per host, attempt, retry and rollback.

        The SSH executor names the detached remote run after the key and treats
        an existing run of that name as one to re-attach to. So the key must
        differ between hosts (aliases of one machine, or hosts sharing an NFS
        home, would otherwise all follow the first host's run), between
        retries (a retry would re-attach to the failed run instead of running
        again) and between rollbacks (`tag`).
        """
        return Command(
            host=host,
            command=self._render(text, host),
            env=tuple((name, self._render(value, host)) for name, value in step.env),
            cwd=self._render(step.cwd, host) if step.cwd is not None else None,
            sudo=step.sudo,
            timeout=step.timeout_seconds,
            key=f"{self.session_id}/{step.id}/{host.name}/{phase}{attempt}{tag}",
        )

    async def _run_step(self, step: Step, actor: Actor, answer: str | None) -> None:
        try:
            await self._run_step_inner(step, actor, answer)
        except JournalError:
            log.error("journal write failed; run stopped")
        except Exception as exc:  # a bug must not kill the session silently: journal it
            log.exception("step %s crashed", step.id)
            self._safe_error(f"internal error while running '{step.id}': {exc}", step=step.id)

    def _safe_error(self, message: str, **where: Any) -> None:
        try:
            self.emit(ev.ERROR, SYSTEM, message=message, **where)
        except JournalError:
            pass

    async def _run_step_inner(self, step: Step, actor: Actor, answer: str | None) -> None:
        hosts = self.runbook.targets(step) if step.kind == "run" else self.runbook.targets(step)[:1]
        attempt = self.state.steps[step.id].attempts + 1
        commands = {h.name: self._shown(step.body, h) for h in hosts} if step.kind == "run" else {}
        self.emit(ev.STEP_STARTED, actor, step=step.id, attempt=attempt, hosts=[h.name for h in hosts], phase="run", title=step.title, commands=commands)
        captured: dict[str, str] = {}
        problems: list[str] = []
        if step.id in self._injected:
            problems = ["failure injected by rehearse --fail-at; the command was not run"]
            host_results = {h.name: {"status": "failed", "exit_code": None, "error": "injected failure"} for h in hosts}
        elif step.kind == "run":
            host_results, stdout, problems = await self._execute(step, hosts, attempt)
            if step.capture and stdout is not None:
                captured[step.capture] = stdout.strip()
        else:
            if step.kind == "wait":
                problems = await self._wait(step.wait_seconds or 0)
            if step.kind == "ask" and step.capture:
                captured[step.capture] = answer or ""
            host_results = {h.name: {"status": "done", "exit_code": None, "error": None} for h in hosts}
        if not problems and step.expect.metric is not None and self.metric_judge is not None:
            met, words = await self.metric_judge(step.expect.metric)
            if not met:
                problems.append(words)
        failed = bool(problems) or any(r["status"] != "done" for r in host_results.values())
        if failed:
            status = "failed"
        elif self.needs(step, "after"):
            status = "awaiting_verification"
        else:
            status = "done"
        payload: dict[str, Any] = {"step": step.id, "status": status, "hosts": host_results, "problems": problems}
        payload["verified"] = False if self.solo is not None else None
        if captured:
            payload["captured"] = captured
        if step.kind == "ask":
            payload["answer"] = answer
        self.emit(ev.STEP_FINISHED, SYSTEM, **payload)
        if status == "done" and step.checkpoint:
            self.emit(ev.CHECKPOINT_REACHED, SYSTEM, step=step.id)
        if status == "done":
            self._maybe_finish()

    async def _wait(self, seconds: float) -> list[str]:
        """A `wait` step's pause; `interrupt_wait` ends it early as a failure."""
        self._wait_cut = None
        self._wake_wait = asyncio.Event()
        try:
            await asyncio.wait_for(self._wake_wait.wait(), seconds)
        except TimeoutError:
            pass
        finally:
            self._wake_wait = None
        return [self._wait_cut] if self._wait_cut else []

    def interrupt_wait(self, reason: str) -> bool:
        """End a running `wait` step now, as failed with `reason` (a guard tripped while it watched)."""
        if self._wake_wait is None:
            return False
        self._wait_cut = reason
        self._wake_wait.set()
        return True

    async def _execute(self, step: Step, hosts: tuple[Host, ...], attempt: int) -> tuple[dict[str, dict[str, Any]], str | None, list[str]]:
        """Fan the command out; per-host results, the first host's stdout, and problems in words."""
        keepers: dict[str, StdoutKeeper] = {}
        problems: list[str] = []
        pattern = None
        if step.expect.stdout is not None:
            pattern = re.compile(self._render(step.expect.stdout, hosts[0] if hosts else None))

        async def run_one(host: Host) -> Result:
            if step.body is None:
                return Result("error", error="no command")
            keeper = keepers[host.name] = StdoutKeeper()
            for tries in range(step.retries + 1):
                if tries:
                    self.emit(ev.NOTE, SYSTEM, step=step.id, text=f"{host.name}: retry {tries}/{step.retries} in {step.retry_delay_seconds:g}s")
                    await asyncio.sleep(step.retry_delay_seconds)
                    keeper = keepers[host.name] = StdoutKeeper()
                result = await self._run_command(step, step.body, host, attempt, "run", keeper, tag=f".{tries}" if tries else "")
                if result.status == "ok" and result.exit_code in step.expect.exit and (pattern is None or pattern.search(keeper.text)):
                    return result
            return result

        def is_failure(result: Result) -> bool:
            return result.status != "ok" or result.exit_code not in step.expect.exit

        gate = self._waves = WaveGate(lambda kind, **data: self.emit(kind, SYSTEM, **data), step, hosts, verifier_present=self.solo is None) if step.serial else None
        try:
            outcomes = await fan_out(
                hosts, run_one, serial=step.serial, max_fail=step.max_fail, max_concurrency=self.max_concurrency, is_failure=is_failure,
                on_batch=gate.started if gate else None, after_batch=gate.finished if gate else None,
            )  # fmt: skip
        finally:
            self._waves = None
        if gate is not None and gate.rejected is not None:
            problems.append(f"the verifier rejected a wave and stopped the rollout: {gate.rejected}")
        results = {o.host: self._host_result(step, o, keepers, pattern, problems) for o in outcomes}
        first = keepers.get(hosts[0].name) if hosts else None
        return results, (first.text if first else None), problems

    def _host_result(self, step: Step, outcome: HostOutcome, keepers: dict[str, StdoutKeeper], pattern: re.Pattern[str] | None, problems: list[str]) -> dict[str, Any]:
        result = outcome.result
        host = outcome.host
        if result is None:
            return {"status": "skipped", "exit_code": None, "error": "not run: the rollout stopped before this host's batch"}
        if result.status == "timeout":
            problems.append(f"{host}: timed out after {step.timeout_seconds:g}s")
            return {"status": "timed_out", "exit_code": None, "error": "timed out"}
        if result.status == "error":
            problems.append(f"{host}: {result.error}")
            lost = "may still be running" in (result.error or "")
            return {"status": "unknown" if lost else "failed", "exit_code": None, "error": result.error}
        if result.exit_code not in step.expect.exit:
            expected = " or ".join(str(c) for c in step.expect.exit)
            problems.append(f"{host}: exit code {result.exit_code}, expected {expected}")
            return {"status": "failed", "exit_code": result.exit_code, "error": None}
        if pattern is not None and not pattern.search(keepers[host].text):
            problems.append(f"{host}: stdout did not match /{pattern.pattern}/")
            return {"status": "failed", "exit_code": result.exit_code, "error": "stdout did not match"}
        return {"status": "done", "exit_code": result.exit_code, "error": None}

    async def _run_command(self, step: Step, text: Text, host: Host, attempt: int, phase: str, keeper: StdoutKeeper | None, tag: str = "") -> Result:
        """One command on one host, its output journaled in whole lines as it comes."""
        try:
            command = self._command(step, text, host, attempt, phase, tag)
        except TemplateError as exc:
            return Result("error", error=f"cannot render the command: {exc}")
        holdback = self.journal.redactor.holdback
        assemblers: dict[Stream, LineAssembler] = {"stdout": LineAssembler(holdback), "stderr": LineAssembler(holdback)}

        def publish(stream: Stream, chunk: str) -> None:
            if not chunk:
                return
            if keeper is not None and stream == "stdout":
                keeper.add(chunk)
            self.emit(ev.OUTPUT, SYSTEM, step=step.id, host=host.name, stream=stream, text=chunk, phase=phase)

        def sink(stream: Stream, data: bytes) -> None:
            publish(stream, assemblers[stream].feed(data))

        def status(message: str) -> None:
            self.emit(ev.ERROR, SYSTEM, step=step.id, host=host.name, message=message, transient=True)

        result = await self.executor_for(host).run(command, sink, status)
        for stream, assembler in assemblers.items():
            publish(stream, assembler.finish())
        return result

    def preview_step(self, step_id: str) -> dict[str, Any]:
        """A step's texts with the captures known so far (secrets masked), for the screen before it runs."""
        step = self.runbook.step(step_id)
        hosts = self.runbook.targets(step)
        preview: dict[str, Any] = {}
        if step.kind == "run":
            preview["run"] = {h.name: self._shown(step.body, h) for h in hosts}
        elif step.kind in ("note", "ask") and step.body is not None:
            preview[step.kind] = self._shown(step.body)
        if step.undo is not None:
            preview["undo"] = {h.name: self._shown(step.undo, h) for h in hosts}
        if step.confirm is not None:
            preview["confirm"] = self._shown(step.confirm)
        return preview

    # -- rollback ----------------------------------------------------------------

    def history(self) -> list[StepRecord]:
        records = []
        for sid in self.state.history:
            step = self.state.steps[sid]
            records.append(StepRecord(sid, tuple((h, hs.status) for h, hs in step.hosts.items() if _plannable(hs.status))))
        return records

    def plan_rollback(self, scope: Scope) -> RollbackPlan:
        """Exactly which undo commands would run, where and in what order (secrets masked)."""
        return plan_rollback(self.runbook, self.history(), scope, lambda step, host: self._shown(step.undo, host))

    def inject_failure(self, step_id: str) -> None:
        """For rehearsals: this step fails without running, to rehearse the rollback from it."""
        self._injected.add(step_id)

    async def recheck(self, actor: Actor, step_ids: list[str]) -> bool:
        """Run steps again (rehearse re-runs the prechecks after a rollback); True when all pass."""
        ok = True
        for step_id in step_ids:
            await self._run_step_inner(self.runbook.step(step_id), actor, None)
            ok = ok and self.state.steps[step_id].status in ("done", "awaiting_verification")
        return ok

    def rollback(self, actor: Actor, scope: Scope, *, acknowledged: bool = False, reason: str = "", finish: bool = True) -> Reply:
        """`u` then `y`: run the planned undo list. Steps without undo must be acknowledged first."""
        if actor.role != "system":
            denial = self._assignee_only(actor, "start a rollback")
            if denial:
                return denial
        if self.busy:
            return refused("a step is running; wait for it to end (or let its timeout end it), then roll back")
        plan = self.plan_rollback(scope)
        if plan.needs_acknowledgement and not acknowledged:
            names = ", ".join(sorted({e.step_id for e in plan.without_undo}))
            return refused(f"these steps have no undo and must be acknowledged first: {names}")
        self._cancel_finishing()  # the final success checks are moot once the change is rolled back
        self._task = asyncio.create_task(self._run_rollback(actor, plan, reason, finish))
        return Reply(True, f"rolling back ({scope})")

    async def _run_rollback(self, actor: Actor, plan: RollbackPlan, reason: str, finish: bool) -> None:
        try:
            await self._run_rollback_inner(actor, plan, reason, finish)
        except JournalError:
            log.error("journal write failed; rollback stopped")
        except Exception as exc:
            log.exception("rollback crashed")
            self._safe_error(f"internal error during the rollback: {exc}")

    async def _run_rollback_inner(self, actor: Actor, plan: RollbackPlan, reason: str, finish: bool) -> None:
        started = self.emit(ev.ROLLBACK_STARTED, actor, scope=plan.scope, plan=to_json(plan), acknowledged=plan.needs_acknowledgement, reason=reason)
        tag = f"@{started['seq']}"  # a second rollback over the same attempt runs its undos again
        for step_id, entries in _grouped(plan):
            step = self.runbook.step(step_id)
            runnable = [e for e in entries if e.command is not None]
            if not runnable:
                continue
            hosts = {h.name: h for h in self.runbook.targets(step)}
            self.emit(ev.UNDO_STARTED, actor, step=step_id, hosts=[e.host for e in runnable])

            # The loop's values are bound as defaults: each closure is awaited within its own iteration anyway.
            async def undo_on(entry_host: str, step: Step = step, step_id: str = step_id, hosts: dict[str, Host] = hosts) -> dict[str, Any]:
                assert step.undo is not None
                result = await self._run_command(step, step.undo, hosts[entry_host], self.state.steps[step_id].attempts, "undo", None, tag)
                return {"status": result.status, "exit_code": result.exit_code, "error": result.error}

            outcomes = await asyncio.gather(*(undo_on(e.host) for e in runnable))
            results = {e.host: outcome for e, outcome in zip(runnable, outcomes)}
            ok = all(r["status"] == "ok" and r["exit_code"] == 0 for r in results.values())
            self.emit(ev.UNDO_FINISHED, SYSTEM, step=step_id, hosts=results, ok=ok)
            if not ok:
                self.emit(ev.ROLLBACK_FINISHED, SYSTEM, scope=plan.scope, ok=False, failed_step=step_id)
                return
        for step_id in plan.rollback_steps:
            step = self.runbook.step(step_id)
            await self._run_step_inner(step, actor, None)
            if self.state.steps[step_id].status not in ("done", "awaiting_verification"):
                self.emit(ev.ROLLBACK_FINISHED, SYSTEM, scope=plan.scope, ok=False, failed_step=step_id)
                return
        self.emit(ev.ROLLBACK_FINISHED, SYSTEM, scope=plan.scope, ok=True)
        if plan.scope == "full" and finish:
            self.emit(ev.SESSION_FINISHED, SYSTEM, outcome="rolled_back")


def _plannable(status: str) -> TypeGuard[Outcome]:
    """Whether a host's status is one the rollback planner weighs (it has run, or was skipped)."""
    return status in get_args(Outcome)


def _grouped(plan: RollbackPlan) -> list[tuple[str, list[Any]]]:
    """Consecutive undo entries of one step become one fan-out, keeping the plan's order."""
    groups: list[tuple[str, list[Any]]] = []
    for entry in plan.entries:
        if groups and groups[-1][0] == entry.step_id:
            groups[-1][1].append(entry)
        else:
            groups.append((entry.step_id, [entry]))
    return groups
