"""Running steps and undos for the controller: rendering, fan-out, output, retries, the rollback's run.

The controller (engine/controller.py) decides what may happen; this mixin
does it once decided. Every mutation still goes through `emit`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import Any, Literal

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import SYSTEM, Actor, Scope
from runbook_tui.engine.dry_run import dry_run_capture, dry_run_note, judged_in_a_dry_run, unknown_in_a_dry_run, unrecorded_capture
from runbook_tui.engine.ends_journaled import EndsJournaled
from runbook_tui.engine.events import Event, P
from runbook_tui.engine.expect_stdout import ExpectationError, StdoutExpectation
from runbook_tui.engine.fanout import HostOutcome, fan_out
from runbook_tui.engine.host_result import captured_from, host_end, host_result, left_there, never_retried, retry_note, stopped_before_retry, within_max_fail
from runbook_tui.engine.injected import injected_end
from runbook_tui.engine.journal import JournalError, JournalWriter
from runbook_tui.engine.left_out import left_out, named_later, skip_reason
from runbook_tui.engine.night_stopped import NightStopped
from runbook_tui.engine.output import LineAssembler, StdoutKeeper
from runbook_tui.engine.ports import Command, Executor, Result, StopSignal, Stream
from runbook_tui.engine.reattach import FOUND_RUN, following_note, left_running
from runbook_tui.engine.redact import MASK
from runbook_tui.engine.rendered_again import rendered_again
from runbook_tui.engine.rollback import RollbackPlan
from runbook_tui.engine.rollback_run import run_rollback  # loaded at start: a rollback never waits on (or fails at) an import
from runbook_tui.engine.shown_texts import shown_text
from runbook_tui.engine.state import RunState
from runbook_tui.engine.step_now import step_now
from runbook_tui.engine.stop_waits import unless_stopped
from runbook_tui.engine.undo_notes import planned_rollback
from runbook_tui.engine.unrendered import unrendered
from runbook_tui.engine.wait_step import WaitStep
from runbook_tui.engine.waves import Rollout, WaveGate, rollout
from runbook_tui.runbook.model import Host, MetricCheck, Runbook, Step, Text
from runbook_tui.runbook.shell_environment import environment_refusal
from runbook_tui.runbook.templating import TemplateError, command_text, context_for, environment_path_refusal, is_template, render_text

log = logging.getLogger(__name__)

#: Checks `expect.metric` once a command finished: (met, words). Wired by the metrics layer.
MetricJudge = Callable[[MetricCheck], Awaitable[tuple[bool, str]]]


class FieldError(TemplateError):
    """A step's env value or cwd failed to render: the message names the field."""


class StepRunner(WaitStep):
    """The running half of the controller (a mixin: the controller supplies the state and `emit`)."""

    runbook: Runbook
    journal: JournalWriter
    executor_for: Callable[[Host], Executor]
    secrets: dict[str, str]
    captured_unmasked: dict[str, str]  # captures as printed: the state has them as journaled, secrets masked
    max_concurrency: int
    metric_judge: MetricJudge | None
    state: RunState
    solo: str | None
    _waves: WaveGate | None
    _injected: set[str]
    _stop_signal: StopSignal | None
    _ends: EndsJournaled
    rechecking: bool = False  # rehearse re-runs the prechecks: recheck() announces each step itself
    #: The step whose command runs now and, per host, `running` or `ended` (engine/fanout.py, `progress`): the `k` dialog's
    live_hosts: tuple[str, dict[str, str]] = ("", {})
    driver: str | None = None  # exec/resume/rehearse while its policy moves for the assignee (autopilot.drive): journaled
    _found: Mapping[str, tuple[int, str]] = {}  # a re-run's hosts whose dead run it follows (reattach.py); never mutated

    def emit(self, type: ev.EventType[P], actor: Actor | str, *_: P.args, **data: P.kwargs) -> Event:
        raise NotImplementedError

    def driven(self) -> dict[str, Any]:
        return {"driver": self.driver} if self.driver else {}

    async def emit_durably(self, type: ev.EventType[P], actor: Actor | str, *_: P.args, **data: P.kwargs) -> Event:
        raise NotImplementedError

    def needs(self, step: Step, phase: Literal["before", "after"]) -> bool:
        raise NotImplementedError

    def _emit_as_system(self, type: ev.EventType[P], /, *args: P.args, **data: P.kwargs) -> Event:
        return self.emit(type, SYSTEM, *args, **data)

    def _paused(self) -> str | None:  # why a guard paused the run, or None: then no further wave starts (a person's p: it runs on)
        return (self.state.pause_reason or "paused") if self.state.paused and self.state.paused_by == ev.SYSTEM else None

    def _maybe_finish(self) -> None:
        raise NotImplementedError

    @property
    def session_id(self) -> str:
        return str(self.state.session.get("session", "session"))

    # -- running a step ----------------------------------------------------------

    def _context(self, host: Host | None, *, secrets: bool, now: dt.datetime | None = None) -> dict[str, Any]:
        captured = self._captured_as_printed() if secrets else self.state.captured
        return context_for(self.runbook, host=host, captured=captured, secrets=self.secrets if secrets else None, now=now)

    def _refuse_lost_captures(self, step: Step, text: Text) -> None:
        """A capture the journal kept masked (`engine.capture_words`): refused, never run with `***` in its place."""
        if any(value != MASK for value in self.secrets.values()):  # (no secret read: a dry run shows `***` anyway)
            from runbook_tui.engine.capture_words import masked_capture  # loads with the first step that has secrets

            if (refused := masked_capture(step, text, self._captured_as_printed(), self.captured_unmasked)) is not None:
                raise TemplateError(refused)

    def _captured_as_printed(self) -> dict[str, str]:
        """The captures a command gets: as the step printed them, where the journal (and so the state) masked a secret.

        From the state alone, a capture holding a secret (`https://u:***@db`) reached the next command with `***`
        in place of the secret: a command other than the one the runbook says. A value is taken back only while the
        state still holds its masked form (a capture made again since is the state's).
        """
        captured = dict(self.state.captured)
        mask = self.journal.redactor.text
        for name, printed in self.captured_unmasked.items():
            if name in captured and captured[name] != printed and captured[name] == mask(printed):
                captured[name] = printed
        return captured

    def _render(self, text: Text, host: Host | None, *, secrets: bool = True, now: dt.datetime | None = None) -> str:
        return render_text(text, self._context(host, secrets=secrets, now=now))

    def _field(self, text: Text, host: Host, name: str, now: dt.datetime | None) -> str:
        """A step's env value or cwd for its command; a failed render names the field, not the command."""
        try:
            return self._render(text, host, now=now)
        except TemplateError as exc:
            raise FieldError(f"cannot render {name} ({text.mark}): {exc}") from None  # FILE:LINE:COL: the author's place

    def _shown(
        self, text: Text | None, host: Host | None = None, hosts: Sequence[Host] = (), now: dt.datetime | None = None, state: RunState | None = None
    ) -> str:
        """Text as people see it (`engine.shown_texts`): on `host`, or once for a step's `hosts`; `now`: the step's; `state`:
        the run's (the controller's unless given: the opening's step_ready is rendered from the state it will follow)."""
        return shown_text(self.runbook, self.state if state is None else state, text, host, hosts, now)

    def _once(self, step: Step, text: Text | None) -> str:
        """A text of `step` shown once for all its hosts (a confirm, a question)."""
        return self._shown(text, hosts=self.runbook.targets(step), now=step_now(self.state, step))

    def _command(self, step: Step, text: Text, host: Host, attempt: int, phase: str, tag: str = "") -> Command:
        """The rendered command; its `key` is unique per host, attempt, retry and rollback.

        The SSH executor names the detached remote run after the key and treats an existing run of that name as one
        to re-attach to. So the key must differ between hosts (aliases of one machine, or hosts sharing an NFS home,
        would otherwise all follow the first host's run), between retries (a retry would re-attach to the failed run
        instead of running again) and between rollbacks (`tag`). A dry run never computes with a capture it lacks.
        """
        key, now = f"{self.session_id}/{step.id}/{host.name}/{phase}{attempt}{tag}", step_now(self.state, step)
        if self.state.mode == "dry-run" and unknown_in_a_dry_run(text.source, self.state.captured):
            return Command(host=host, command=text.source, sudo=step.sudo, key=key, shown=self._shown(text, host, now=now))
        self._refuse_lost_captures(step, text)
        context = self._context(host, secrets=True, now=now)
        cwd = self._field(step.cwd, host, "cwd", now) if step.cwd is not None else None
        shell = command_text(text, context, cwd)  # in its folder: `> job` in /etc/cron.d is cron's
        env = [(name, self._field(value, host, f"env {name}", now)) for name, value in step.env]
        problem = environment_refusal(shell.text, [(name, rendered) for (name, rendered), (_, value) in zip(env, step.env) if is_template(value.source)])
        if (problem := problem or environment_path_refusal(shell.text, step.env, context)) is not None:
            raise TemplateError(problem)
        return Command(
            host=host,
            command=shell.text,
            env=tuple(env) + shell.env,
            cwd=cwd,
            sudo=step.sudo,
            timeout=step.timeout_seconds,
            key=key,
            shown=shell.shown,
            stop=self._stop_signal,
        )

    async def _run_step(self, step: Step, actor: Actor, answer: str | None) -> None:
        self._stop_signal = StopSignal()  # `k` stops what runs now (engine/step_stop.py)
        try:
            await self._run_step_inner(step, actor, answer)
        except JournalError:
            if not self.journal.closed:  # closed: the program left (a signal) while the step ran; its note says so
                log.error("journal write failed; run stopped")
        except Exception as exc:  # a bug must not kill the session silently: journal it
            log.exception("step %s crashed", step.id)
            self._safe_error(f"internal error while running '{step.id}': {exc}", step=step.id)
        finally:
            self._stop_signal = None

    def _safe_error(self, message: str, **where: Any) -> None:
        try:
            self.emit(ev.ERROR, SYSTEM, message=message, **where)
        except JournalError:
            pass

    async def _run_step_inner(self, step: Step, actor: Actor, answer: str | None) -> None:
        left = left_out(self.state, step.id)  # hosts an earlier step failed on: not run here (engine/left_out.py)
        if left and all(h.name in left for h in self.runbook.targets(step)):
            self.emit(ev.STEP_SKIPPED, SYSTEM, step=step.id, reason=skip_reason(left), left_out=left)
            return self._maybe_finish()
        hosts = tuple(h for h in self.runbook.targets(step) if h.name not in left) if step.kind == "run" else self.runbook.targets(step)[:1]
        plan = rollout(step, hosts, self.state.steps[step.id])
        attempt = self.state.steps[step.id].attempts + 1
        rendered = self.rendered_step(step, plan.hosts if step.kind == "run" else hosts)  # commands: where they run now
        rendered.setdefault("commands", {})
        if len(plan.hosts) > self.max_concurrency and step.kind == "run" and self.state.mode not in ("dry-run", "practice"):
            rendered["at_once"] = self.max_concurrency  # the others wait for a slot: `pending` until one frees (fold_steps.py)
        self._found = {h: run for h, run in left_running(self.state, step.id).items() if h in rendered["commands"]}
        injected: dict[str, Any] = {"injected": True} if step.id in self._injected else {}  # rehearse --fail-at: never runs
        self.emit(
            ev.STEP_STARTED, actor, step=step.id, attempt=attempt, hosts=[h.name for h in plan.hosts], phase="run", **rendered, **self.driven(), **injected
        )
        if self._found:
            self.emit(ev.NOTE, SYSTEM, **following_note(step.id, self._found))
        captured: dict[str, str] = {}
        problems: list[str] = []
        tolerated: list[str] = []  # hosts that failed within max_fail, in words: the step goes on, they stay failed
        checks_met: list[str] = []  # expect.metric held: its words and reading, for the verifier and the record
        unrecorded = False  # practice: the night's process died in this attempt (engine/night_stopped.py)
        rolling_back = step.id in self.state.rollback_order  # a rollback section's step: only a full rollback runs it
        dry = dry_run_note(step) if self.state.mode == "dry-run" else None
        if dry is not None:
            self.emit(ev.NOTE, SYSTEM, step=step.id, text=dry)
        if step.id in self._injected:
            problems, host_results = injected_end(hosts)
        elif self.state.mode != "dry-run" and (cannot := unrendered(step, hosts, partial(self._render, now=step_now(self.state, step)))):
            problems, host_results = [cannot], {h.name: {"status": "failed", "exit_code": None, "error": cannot} for h in hosts}  # nothing runs
        elif step.kind == "run":
            host_results, stdout, problems, tolerated, unrecorded = await self._execute(step, plan, attempt)
            if step.capture and stdout is not None:
                captured[step.capture] = dry_run_capture(step) if self.state.mode == "dry-run" else stdout.strip()
        else:
            if step.kind == "wait" and dry is None:
                problems = await self._wait(step)
            if step.kind == "ask" and step.capture:
                captured[step.capture] = answer or ""
            host_results = {h.name: {"status": "done", "exit_code": None, "error": None} for h in hosts}
        if not problems and step.expect.metric is not None and self.metric_judge is not None:
            # `k` ends the check's wait (`within:`) too, and so does a guard's pause or rollback (wait_step.py)
            met, words = await self._checked(self.metric_judge(step.expect.metric), step.expect.metric.panel, self._stop_signal)
            (checks_met if met else problems).append(words)
        failed = bool(problems) or (not tolerated and any(r["status"] != "done" for r in host_results.values()))
        if unrecorded:
            status = "unknown"
        elif failed:
            status = "failed"
        elif self.needs(step, "after") and not rolling_back:
            status = "awaiting_verification"
        else:
            status = "done"
        payload: dict[str, Any] = {"step": step.id, "status": status, "hosts": host_results, "problems": problems}
        if checks_met:
            payload["checks_met"] = checks_met
        if tolerated and not failed:
            payload["tolerated"] = {"max_fail": step.max_fail, "allowed": plan.max_fail, "problems": tolerated}
        elif tolerated:  # it failed anyway (its success check): its hosts' failures are its problems too
            payload["problems"] = tolerated + problems
        # A rollback section's step goes on to the next without the verifier's word (as each undo does): unconfirmed.
        payload["verified"] = False if self.solo is not None or (rolling_back and self.needs(step, "after")) else None
        if captured:  # with the step's texts that read differently now (its undo using the capture): engine/rendered_again.py
            render = lambda after: self.rendered_step(step, plan.hosts if step.kind == "run" else hosts, state=after)  # noqa: E731
            title = lambda ahead, after: self._title(ahead, state=after)  # noqa: E731
            payload |= {"captured": captured} | rendered_again(self.runbook, step, self.state, captured, render, title, self.journal.redactor.text)
            self.captured_unmasked.update(captured)
        if step.kind == "ask":
            payload["answer"] = answer
        self.emit(ev.STEP_FINISHED, SYSTEM, **payload)  # a checkpoint done here is reached as it applies (Controller._apply)
        if status == "done":
            self._maybe_finish()

    async def _execute(self, step: Step, plan: Rollout, attempt: int) -> tuple[dict[str, dict[str, Any]], str | None, list[str], list[str], bool]:
        """Fan the command out; per-host results (hosts kept from the attempt the process died in as they were), the
        stdout of the first host run, problems in words, those of hosts that failed within `max_fail` (the step goes
        on: `tolerated`), and whether the night's process died in it (practice)."""
        hosts = plan.hosts
        keepers: dict[str, StdoutKeeper | None] = {}
        problems: list[str] = []
        expectations: dict[str, StdoutExpectation] = {}  # per host: `{{ host.name }}` in the pattern is each host's own
        refused = None
        step = judged_in_a_dry_run(step) if self.state.mode == "dry-run" else step
        if step.expect.stdout is not None:
            try:  # before anything runs: a step whose output cannot be judged must not change anything
                now = step_now(self.state, step)
                for host in hosts:
                    shown = self._render(step.expect.stdout, host, secrets=False, now=now)  # each secret as `***`
                    expectations[host.name] = StdoutExpectation(self._render(step.expect.stdout, host, now=now), shown)
            except TemplateError as exc:
                refused = f"cannot render expect.stdout ({step.expect.stdout.mark}): {exc}"
            except ExpectationError as exc:
                refused = str(exc)
        unmatched: dict[str, str | None] = {}  # per host: why its last attempt's stdout does not count (searched once)
        later = named_later(self.runbook, step)

        stop = self._stop_signal
        died = NightStopped()
        self.live_hosts = (step.id, {})

        async def run_one(host: Host) -> Result:
            if step.body is None or refused is not None:
                return Result("error", error=refused or "no command")
            follow = self._found.get(host.name)  # the run a dead process (or, for a retry, a lost link) left there
            for tries in range(step.retries + 1):
                # Only a capture or expect.stdout reads it: a group's hosts each held 1 MiB of it to the step's end for nothing.
                keeper = keepers[host.name] = StdoutKeeper() if step.capture or step.expect.stdout is not None else None
                run_as, tag = follow or (attempt, f".{tries}" if tries else "")
                result = await self._run_command(step, step.body, host, run_as, "run", keeper, tag=tag)
                if result.assumed:  # practice, a command the night never ran: nothing to judge, it counts as succeeded
                    if keeper is not None:
                        keeper.replace(unrecorded_capture(step))  # and a capture says it was not recorded
                    result = result if result.exit_code in step.expect.exit else replace(result, exit_code=step.expect.exit[0])
                expectation = expectations.get(host.name)
                if result.status == "ok" and result.exit_code in step.expect.exit and expectation is not None and keeper is not None and not result.assumed:
                    unmatched[host.name] = expectation.problem(keeper.text)
                if result.status == "ok" and result.exit_code in step.expect.exit and unmatched.get(host.name) is None:
                    if later is not None and host.name not in later:  # its part of the run is over: its connection closes now
                        await self.executor_for(host).release([host])
                    return result
                if died.ended(host.name, result) or tries == step.retries or result.final:  # final: a host key not verified
                    return never_retried(result, step.retries - tries)
                follow = (run_as, tag) if left_there(result) else None  # the retry follows it, never starts it beside it
                retry = f"{tries + 1}/{step.retries}"
                if stop is None or not stop.reason:
                    self.emit(ev.NOTE, SYSTEM, step=step.id, text=retry_note(step, host.name, result, unmatched.get(host.name), retry))
                    await unless_stopped(stop, asyncio.sleep(step.retry_delay_seconds))
                if stop is not None and stop.reason:  # a person stopped the step: no retry
                    return stopped_before_retry(stop.reason, result, retry)
            return result

        ends_said = len(self.runbook.targets(step)) > 1 and self.state.mode not in ("dry-run", "practice")

        async def run_and_say(host: Host) -> Result:  # each host's end journaled as it comes: a death leaves it known
            result = await run_one(host)
            if ends_said:  # on disk before the host's slot goes to the next; the loop runs on (the other hosts' ends share the fsync)
                await self.emit_durably(ev.HOST_FINISHED, SYSTEM, **host_end(step, host.name, result, unmatched.get(host.name)))
            return result

        def is_failure(result: Result) -> bool:
            return result.status != "ok" or result.exit_code not in step.expect.exit

        # With `expect.metric` too: its hosts' end is journaled before the (long) check, so a resume re-runs the check only.
        waves = step.serial or step.expect.metric is not None
        gate = self._waves = WaveGate(self._emit_as_system, step, plan, verifier_present=self.solo is None, stop=stop, paused=self._paused) if waves else None
        try:
            go_on = gate is None or plan.owed is None or await gate.word_on(plan.owed)
            outcomes = [HostOutcome(h.name, None) for h in hosts]
            if go_on:
                outcomes = await fan_out(
                    hosts, run_and_say, serial=plan.serial, max_fail=plan.max_fail, max_concurrency=self.max_concurrency, is_failure=is_failure,
                    on_batch=gate.started if gate else None, after_batch=died.after_batch(gate.finished if gate else None),
                    stop_asked=(lambda: bool(stop.reason)) if stop is not None else None, progress=self.live_hosts[1],
                )  # fmt: skip
        finally:
            self._waves = None
        problems += gate.problems(stop) if gate is not None else []  # a rejected wave, a stop while it waited, a pause
        not_run = f"not run: {stop.reason} before this host started" if stop is not None and stop.reason else None
        said: dict[str, list[str]] = {}  # each host's problems: failures within max_fail are said apart (`tolerated`)
        ran = died.settle({o.host: host_result(step, o, unmatched.get(o.host), said.setdefault(o.host, []), not_run) for o in outcomes})
        kept = {h: {"status": hs.status, "exit_code": hs.exit_code, "error": hs.error} for h, hs in plan.kept.items()}
        results = {h.name: kept.get(h.name) or ran[h.name] for h in self.runbook.targets(step) if h.name in kept or h.name in ran}
        calm = refused is None and not problems and not died.hosts and not (stop is not None and stop.reason)  # no stop of any kind
        tolerated: list[str] = []
        (tolerated if calm and within_max_fail(results, plan.max_fail) else problems).extend(p for words in said.values() for p in words)
        first = keepers.get(captured_from([h.name for h in hosts], results) or "")  # a capture: a host where it succeeded
        return results, (first.text if first else None), problems, tolerated, bool(died.hosts)

    async def _run_command(
        self, step: Step, text: Text, host: Host, attempt: int, phase: str, keeper: StdoutKeeper | None, tag: str = "", *, follow_only: bool = False
    ) -> Result:
        """One command on one host, its output journaled in whole lines as it comes (`follow_only`: `Command.follow_only`)."""
        try:
            command = self._ends.attach(replace(self._command(step, text, host, attempt, phase, tag), follow_only=follow_only))
        except TemplateError as exc:
            if isinstance(exc, FieldError):
                return Result("error", error=str(exc))
            from runbook_tui.engine.capture_words import missing_capture  # loads with the first capture missing

            said = missing_capture(self.runbook, step, text, self.state.captured) or exc  # Jinja's words for a lost capture
            return Result("error", error=f"cannot render the command ({text.mark_at(exc.offset)}): {said}")
        redactor = self.journal.redactor
        assemblers: dict[Stream, LineAssembler] = {"stdout": LineAssembler(redactor), "stderr": LineAssembler(redactor)}

        def publish(stream: Stream, chunk: str) -> None:
            if not chunk:
                return
            if keeper is not None and stream == "stdout":
                keeper.add(chunk)
            self.emit(ev.OUTPUT, SYSTEM, step=step.id, host=host.name, stream=stream, text=assemblers[stream].shown(chunk), phase=phase)

        def sink(stream: Stream, data: bytes) -> None:
            publish(stream, assemblers[stream].feed(data))

        def status(message: str) -> None:
            # The event names the host; an executor's words that start with it too read `web19: web19: timed out`.
            said = message.removeprefix(f"{host.name}: ")
            if said == FOUND_RUN:  # no trouble: the run a dead process left was followed (engine/reattach.py)
                self.emit(ev.NOTE, SYSTEM, step=step.id, text=f"{host.name}: {said}")  # the host first, as a retry note says it
                return
            self.emit(ev.ERROR, SYSTEM, step=step.id, host=host.name, message=said, transient=True)

        result = await self.executor_for(host).run(command, sink, status)
        for stream, assembler in assemblers.items():
            publish(stream, assembler.finish())
        return result

    def rendered_step(self, step: Step, hosts: tuple[Host, ...] | None = None, *, fresh: bool = False, state: RunState | None = None) -> dict[str, Any]:
        """The step's texts as they will run, rendered once with the captures known now (secrets masked) and its `now`.

        Carried in `step_ready` and `step_started`, so the assignee, the verifier, replay and the report all show this same text.
        `state`: the run's to render from, when not yet the controller's (engine/opening.py).
        """
        state = self.state if state is None else state
        now = step_now(state, step, fresh=fresh)
        left = left_out(state, step.id)  # not run there: an earlier step failed on them (engine/left_out.py)
        hosts = tuple(h for h in self.runbook.targets(step) if h.name not in left) if hosts is None else hosts
        once = hosts or self.runbook.targets(step)  # every host left out: its texts still read as for its hosts
        shown = partial(self._shown, now=now, state=state)
        rendered: dict[str, Any] = {"title": self._title(step, once, now, state)}  # title, note, confirm, env: once for all its hosts
        rendered.update(({"left_out": left} if left else {}) | ({"now": now.isoformat()} if now is not None else {}))
        if step.kind == "run":
            rendered["commands"] = {h.name: shown(step.body, h) for h in hosts}
        elif step.kind in ("note", "ask") and step.body is not None:
            rendered["text"] = shown(step.body, hosts=once)
        if step.undo is not None:
            rendered["undo"] = {h.name: shown(step.undo, h) for h in hosts}
        if step.confirm is not None:
            rendered["confirm"] = shown(step.confirm, hosts=once)
        if step.env:
            rendered["env"] = {name: shown(value, hosts=once) for name, value in step.env}
        rendered.update(({"cwd": shown(step.cwd, hosts=once)} if step.cwd is not None else {}) | ({"sudo": True} if step.sudo else {}))  # where, as whom
        return rendered

    def _title(self, step: Step, hosts: tuple[Host, ...] | None = None, now: dt.datetime | None = None, state: RunState | None = None) -> str:
        """The title as shown (step_ready, the undo list): a lazy one (captured.*, host) rendered now, for its hosts."""
        if step.title_text is None:
            return step.title
        hosts = self.runbook.targets(step) if hosts is None else hosts
        state = self.state if state is None else state
        return self._shown(step.title_text, hosts=hosts, now=now or step_now(state, step), state=state)

    def announce_ready(self, step_id: str) -> None:
        """`step_ready`: what the verifier is asked to approve, rendered before the step runs (its `now` read here)."""
        step = self.runbook.step(step_id)
        self.emit(ev.STEP_READY, SYSTEM, step=step_id, **self.rendered_step(step, fresh=True))

    # -- rollback ----------------------------------------------------------------

    def plan_rollback(self, scope: Scope) -> RollbackPlan:
        """Exactly which undo commands would run, where and in what order (secrets masked)."""
        undo = lambda step, host: self._shown(step.undo, host, now=step_now(self.state, step))  # noqa: E731 (with the step's now)
        return planned_rollback(self.runbook, self.state, scope, undo, self._title)

    def inject_failure(self, step_id: str) -> None:
        """For rehearsals: this step fails without running, to rehearse the rollback from it."""
        self._injected.add(step_id)

    async def recheck(self, actor: Actor, step_ids: list[str]) -> bool:
        """Run steps again (rehearse re-runs the prechecks after a rollback); True when all pass. Each is announced
        (`step_ready`) before it starts, and no step that does not run: the run stands at no step of its own here.
        They run for real: a failure injected into the forward run (`--fail-at` a precheck) is not injected again."""
        self._injected.clear()
        ok = True
        self.rechecking = True
        try:
            for step_id in step_ids:
                self.announce_ready(step_id)
                await self._run_step_inner(self.runbook.step(step_id), actor, None)
                ok = ok and self.state.steps[step_id].status in ("done", "awaiting_verification")
        finally:
            self.rechecking = False
        return ok

    async def _run_rollback(self, actor: Actor, plan: RollbackPlan, reason: str, finish: bool) -> None:
        self._stop_signal = StopSignal()  # `k` stops a hung undo too: the rollback then stands stopped, u goes on with it
        try:
            await run_rollback(self, actor, plan, reason, finish)
        except JournalError:
            if not self.journal.closed:
                log.error("journal write failed; rollback stopped")
        except Exception as exc:
            log.exception("rollback crashed")
            self._safe_error(f"internal error during the rollback: {exc}")
        finally:
            self._stop_signal = None
