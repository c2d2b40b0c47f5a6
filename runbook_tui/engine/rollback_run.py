"""The rollback's run, for the runner (engine/runner.py): undo by undo, then the rollback section's steps.

`self` is the runner: every mutation goes through its `emit`, every command through its `_run_command`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import SYSTEM, Actor
from runbook_tui.engine.host_result import undo_end
from runbook_tui.engine.reattach import following_undo_note, undo_left_running, undo_lost_link
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
        self.emit(ev.UNDO_STARTED, actor, step=step_id, hosts=[e.host for e in runnable], commands={e.host: e.command for e in runnable})
        if found := {e.host: left[step_id][e.host] for e in runnable if e.host in left.get(step_id, {})}:
            self.emit(ev.NOTE, SYSTEM, **following_undo_note(step_id, found, lost=lost))
        runs = {e.host: found.get(e.host) or (self.state.steps[step_id].attempts, tag) for e in runnable}

        # The loop's values are bound as defaults: each closure is awaited within its own iteration anyway.
        async def undo_on(entry_host: str, step: Step = step, hosts: dict[str, Host] = hosts, runs: dict[str, tuple[int, str]] = runs) -> dict[str, Any]:
            assert step.undo is not None
            ended = undo_end(step, await self._run_command(step, step.undo, hosts[entry_host], runs[entry_host][0], "undo", None, runs[entry_host][1]))
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
