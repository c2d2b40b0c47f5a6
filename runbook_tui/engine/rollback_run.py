"""The rollback's run, for the runner (engine/runner.py): undo by undo, then the rollback section's steps.

`self` is the runner: every mutation goes through its `emit`, every command through its `_run_command`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import SYSTEM, Actor
from runbook_tui.engine.host_result import undo_end
from runbook_tui.engine.ports import NO_RUN_TO_FOLLOW
from runbook_tui.engine.reattach import following_undo_note, left_run_ended, undo_held, undo_left_running, undo_lost_link, undo_waits_first, waiting_note
from runbook_tui.engine.rollback import RollbackPlan, grouped_entries, to_json
from runbook_tui.engine.undo_waves import undo_in_waves
from runbook_tui.runbook.model import Host, Step

if TYPE_CHECKING:
    from runbook_tui.engine.runner import StepRunner


async def run_rollback(self: StepRunner, actor: Actor, plan: RollbackPlan, reason: str, finish: bool) -> None:
    """Run the rollback `plan` for the runner: each step's undo on its hosts (newest first, in its waves), then the
    rollback section's steps; journaled as it goes, stopped at the first failure."""
    left, lost = undo_left_running(self.state), undo_lost_link(self.state)  # {step: {host: run}}: an undo a dead process or a lost link left running
    listed = to_json(plan, lambda step_id: self.rendered_step(self.runbook.step(step_id)).get("commands"))  # with the section steps' commands
    started = self.emit(ev.ROLLBACK_STARTED, actor, scope=plan.scope, plan=listed, acknowledged=plan.needs_acknowledgement, reason=reason, **self.driven())
    tag = f"@{started['seq']}"  # a second rollback over the same attempt runs its undos again
    for step_id, entries in grouped_entries(plan):
        step = self.runbook.step(step_id)
        runnable = [e for e in entries if e.command is not None]
        if not runnable:
            continue
        hosts = {h.name: h for h in self.runbook.targets(step)}
        forward = undo_waits_first(self.state, step_id, left.get(step_id, {}))  # a lost link left the command running there: as the plan says
        self.emit(ev.UNDO_STARTED, actor, step=step_id, hosts=[e.host for e in runnable], commands={e.host: e.command for e in runnable})
        if found := {e.host: left[step_id][e.host] for e in runnable if e.host in left.get(step_id, {})}:
            self.emit(ev.NOTE, SYSTEM, **following_undo_note(step_id, found, lost=lost))
        if waits := {e.host: forward[e.host] for e in runnable if e.host in forward}:  # (then the undo found, followed)
            self.emit(ev.NOTE, SYSTEM, **waiting_note(step_id, list(waits)))
        runs = {e.host: found.get(e.host) or (self.state.steps[step_id].attempts, tag) for e in runnable}

        # The loop's values are bound as defaults: each closure is awaited within its own iteration anyway.
        async def undo_on(
            entry_host: str,
            step: Step = step,
            hosts: dict[str, Host] = hosts,
            runs: dict[str, tuple[int, str]] = runs,
            waits: dict[str, tuple[int, str]] = waits,
        ) -> dict[str, Any]:
            assert step.undo is not None
            held = None  # the command a lost link left running there: to its end first, never started again
            if entry_host in waits:
                held = await follow_left_run(self, step, hosts[entry_host], waits[entry_host])
            ended = held or undo_end(step, await self._run_command(step, step.undo, hosts[entry_host], runs[entry_host][0], "undo", None, runs[entry_host][1]))
            if len(runs) > 1 and self.state.mode not in ("dry-run", "practice"):  # known if the process dies before the rest end
                await self.emit_durably(ev.UNDO_HOST_FINISHED, SYSTEM, step=step.id, host=entry_host, **ended)
            return ended

        results = await undo_in_waves(self.max_concurrency, step.serial, [e.host for e in runnable], undo_on, self._stop_signal)  # as it ran
        ok = all(ev.undid(r) for r in results.values())
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


async def follow_left_run(self: StepRunner, step: Step, host: Host, run: tuple[int, str]) -> dict[str, Any] | None:
    """Follow the run of `step`'s command a lost link left on `host` (its key: `run`) to its end, never starting it; its
    end (or why it could not be followed) journaled as a note. None: the undo runs there now (the run ended, or the host
    holds none); else the host's undo result, the undo not run: the host did not answer (still down as `exec
    --on-failure rollback` rolls back at once), or the link was lost again, so the command may still be running."""
    assert step.body is not None
    result = await self._run_command(step, step.body, host, run[0], "run", None, run[1], follow_only=True)
    error = None if result.status == "ok" else result.error or result.status
    absent = error is not None and not result.started and error.startswith(NO_RUN_TO_FOLLOW)
    self.emit(ev.NOTE, SYSTEM, step=step.id, text=left_run_ended(host.name, result.exit_code, error, absent))
    return None if error is None or absent else {"status": "error", "exit_code": None, "error": undo_held(host.name)}
