"""How a step stands on one host, in the words the undo list shows beside its undo (and the journal's plan keeps).

The undo list is what a rollback will do, said before it runs: each undo's note must be true. It used to print the
host's raw status (`(step failed)`, `(step timed_out)`), so a step failed and then skipped read as merely failed, a
step a person stopped read as failed by itself, and a rejected or not yet confirmed step read as plainly done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from runbook_tui.engine.actors import named
from runbook_tui.engine.events import REOPENABLE
from runbook_tui.engine.injected import NEVER_RAN, injected
from runbook_tui.engine.mark_done import undo_stopped_on_exit
from runbook_tui.engine.reattach import LEFT_RUNNING, undo_left_running, undo_lost_link, undo_waits_first, waits_words
from runbook_tui.engine.rollback import RAN_OUTCOMES, RollbackPlan, Scope, StepRecord, plan_rollback, plannable
from runbook_tui.engine.state import RunState
from runbook_tui.engine.state_model import HostState, StepState
from runbook_tui.runbook.model import Host, Runbook, Step
from runbook_tui.runbook.safe_text import visible_line

#: How the host's attempt ended, when it did not simply finish.
HOST_WORDS = {
    "failed": "step failed",
    "timed_out": "step timed out",
    "unknown": "step outcome unknown: the program stopped while it ran",
}

#: A host whose link was lost for good while the step's command ran (the program lived on): it ran on there detached.
_LOST = "step outcome unknown: the link to it was lost while it ran, and its command may still be running there"
HOST_LOST = f"{_LOST}: check first"
#: An undo the program died in: a rollback again runs it again, maybe beside the first (which nothing stopped).
UNDO_LIVES_ON = "its undo was running when the program stopped and may still be running: check first"
#: Such an undo on a remote host: the rollback follows the run left there (engine/reattach.py), never starts a second.
UNDO_FOLLOWED = "its undo was running when the program stopped and may still run there: followed, not started again"
#: An undo whose link was lost (the rollback stopped there) ran on detached: the next rollback follows it too.
UNDO_FOLLOWED_LOST = "the link to it was lost while its undo ran, which may still run there: followed, not started again"
#: One the program stopped as it left (a signal, a quit: its note): it ended with the program, its outcome unknown.
UNDO_STOPPED = "its undo was running when the program stopped and was stopped with it: its outcome is unknown"


def undo_note(step: StepState, host: HostState, waits_on: str | None = None) -> str:
    """`step failed, then skipped by alice`, `step stopped by alice`, `step ran, then rejected by bob`...; "" for a step plainly done.
    `waits_on`: the host's name where the rollback waits for the run a lost link left there (`reattach.undo_waits_for`)."""
    ran = f"{_LOST}: {waits_words(waits_on)}" if waits_on is not None else _host_words(host)
    if ran and step.status in ("done", "awaiting_verification") and step.decision != "marked done":  # the step went on
        ran = f"{ran} on this host, within max_fail"
    decided = _step_words(step)
    if not decided:
        return ran
    if ran:
        return f"{ran}, {decided}"
    # It ran to its end on this host; a step marked done is said as such (its unknown hosts count as done since).
    return f"step {decided.removeprefix('then ')}" if step.decision == "marked done" else f"step ran, {decided}"


def _host_words(host: HostState) -> str:
    error = host.error or ""
    if host.status == "failed" and error.startswith("stopped by "):  # engine/step_stop.py: a person's `k`
        return f"step {error.split(';')[0].split(' before retry')[0]}"
    if host.status == "failed" and injected([error]):  # rehearse --fail-at (it read `step failed`, as if it had run)
        return f"step failed, {NEVER_RAN}"
    if host.status == "unknown" and LEFT_RUNNING in error:  # not the program: the link stopped (execute/ssh_lost.py)
        return HOST_LOST
    return HOST_WORDS.get(host.status, "")


def _step_words(step: StepState) -> str:
    """What the step as a whole became after it ran, when that is more than the host's own outcome."""
    if step.status == "awaiting_verification":
        return "not confirmed yet"
    marked = step.status == "done" and step.decision == "marked done"
    if not marked and step.status not in ("skipped", "rejected"):
        return ""
    by = f" by {named(step.decided_by)}" if step.decided_by else ""
    return f"then {'marked done' if marked else step.status}{by}"


def step_records(state: RunState) -> list[StepRecord]:
    """The forward steps that ran, oldest first. A `rollback` section's step is no change to undo: it is run by a
    full rollback, never planned as an entry of one (one a killed rollback had run was listed as `no undo`)."""
    records = []
    rollback_steps = set(state.rollback_order)
    rollback = state.rollback  # the undo running when the program stopped (its command was not stopped with it)
    undo_cut = rollback.failed_step if rollback is not None and rollback.interrupted else None
    ended = rollback.ended_hosts if rollback is not None else ()  # of that undo: their end is journaled, not cut
    lost_at = rollback.failed_step if rollback is not None and undo_lost_link(state) else None  # an undo a lost link left running
    for sid in (s for s in state.history if s not in rollback_steps):
        step = state.steps[sid]
        # A host where the command never began (no connection) is planned as one nothing ran on: its undo would
        # only fail the same way and stop the rollback there (an unreachable host made every rollback stop).
        # An earlier attempt's command that began there stands, whatever a re-run could not start (`ran_before`).
        hosts = tuple((h, hs.status if hs.started or h in step.ran_before else "skipped") for h, hs in step.hosts.items() if plannable(hs.status))
        cut = UNDO_STOPPED if undo_stopped_on_exit(state, sid) else UNDO_LIVES_ON
        followed = undo_left_running(state).get(sid, {}) if sid in (undo_cut, lost_at) else {}
        waits = undo_waits_first(state, sid, followed)  # the command a lost link left running there: the rollback waits for its end
        notes = tuple(
            (
                h,
                undo_note(step, step.hosts[h], h)  # killed while it followed the command there: no undo had begun
                if h in followed and h in waits
                else (UNDO_FOLLOWED_LOST if lost_at or h in ended else UNDO_FOLLOWED)
                if h in followed
                else cut
                if sid == undo_cut and h not in ended
                else undo_note(step, step.hosts[h], h if h in waits else None),
            )
            for h, _ in hosts
        )
        records.append(StepRecord(sid, hosts, accepted=step.status == "done", notes=notes))
    return records


def still_applied(state: RunState) -> tuple[str, ...]:
    """After a session ended `rolled_back` by a rollback to a checkpoint: the steps with an undo that ran and that it
    left applied (those up to the checkpoint), newest first, as a full rollback would undo them (what the first rollback
    undid stands `undone` and is not planned again). Empty for any other end, a full rollback's included."""
    rollback = state.rollback
    if state.outcome != "rolled_back" or rollback is None or rollback.scope != "checkpoint" or not (rollback.finished and rollback.ok):
        return ()
    undoable = [r.step_id for r in step_records(state) if state.plan_steps.get(r.step_id, {}).get("undo") and any(o in RAN_OUTCOMES for _, o in r.hosts)]
    return tuple(reversed(undoable))


def reopenable(state: RunState, full: bool) -> bool:
    """Whether `resume --rollback` (`full`: `--full`) reopens this finished session: one that ended failed (or aborted,
    done_criteria_failed), or with `--full` one rolled back to a checkpoint that left steps with an undo applied. A full
    rollback stopped at a rollback section's step is gone on with by `--full` only: every undo ran, so a rollback to a
    checkpoint ran nothing and ended the run `rolled_back`, its rollback section never through."""
    if not full and section_stop(state) is not None:
        return False
    return state.outcome in REOPENABLE or (full and bool(still_applied(state)))


def section_stop(state: RunState) -> str | None:
    """The rollback section's step the last rollback of the whole change stopped at (it failed, or was stopped), or None."""
    rollback = state.rollback
    if rollback is None or rollback.scope != "full" or not rollback.finished or rollback.ok:
        return None
    return rollback.failed_step if rollback.failed_step in state.rollback_order else None


def section_stop_words(stop: str, full: str) -> str:
    """Why a rollback to a checkpoint does nothing after a rollback of the whole change stopped at rollback section step
    `stop`, and that `full` (`resume --rollback --full`, the dialog's full rollback) goes on with it."""
    return (
        f"the rollback of the whole change stopped at rollback step '{visible_line(stop)}', every undo run; a rollback to a"
        f" checkpoint has nothing left to undo: {full} runs '{visible_line(stop)}' again and the rollback steps after it"
    )


def rollback_refusal(state: RunState, plan: RollbackPlan, acknowledged: bool) -> str | None:
    """Why the controller does not start `plan`, or None: steps without undo not acknowledged; a rollback to a checkpoint
    after one of the whole change stopped at a rollback section's step (it ran nothing, stood the run back at the start
    as if all were well and forgot the failed rollback step: `u y` did it, `resume --rollback` was refused already)."""
    if plan.scope == "checkpoint" and (stop := section_stop(state)) is not None:
        return section_stop_words(stop, "the full rollback")
    if plan.needs_acknowledgement and not acknowledged:
        return f"these steps have no undo and must be acknowledged first: {', '.join(sorted({e.step_id for e in plan.without_undo}))}"
    return None


def planned_rollback(
    runbook: Runbook, state: RunState, scope: Scope, render_undo: Callable[[Step, Host], str], render_title: Callable[[Step], str] = lambda step: step.title
) -> RollbackPlan:
    """The rollback `scope` would run from `state` (the controller's, and what `resume --rollback` checks before it
    reopens a session): a rollback step that already ran to its end (a full rollback the process died in) is not run again."""
    plan = plan_rollback(runbook, step_records(state), scope, render_undo, render_title)
    remaining = tuple(sid for sid in plan.rollback_steps if state.steps[sid].status not in ("done", "awaiting_verification"))
    return plan if remaining == plan.rollback_steps else replace(plan, rollback_steps=remaining)
