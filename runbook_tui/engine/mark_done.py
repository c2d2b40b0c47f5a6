"""When `mark done` (resume --mark-done, the TUI's choice for an unknown step) may stand for a step's outcome."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runbook_tui.engine.fanout import fail_limit
from runbook_tui.engine.reattach import LEFT_RUNNING, left_running
from runbook_tui.engine.state_model import RunState, StepState
from runbook_tui.runbook.model import Step
from runbook_tui.runbook.safe_text import visible_line

#: What to do instead, in the run screen's keys and in `resume`'s flags (the TUI said `--rerun`, a flag it has no use for).
AGAIN = "re-run it (enter; resume --rerun), or roll back (u; resume --rollback)"
ONLY_UNKNOWN = "only a step whose outcome is unknown can be marked done"
#: A note's `request` when a signal stopped the program during a step (app/stopped.py).
EXIT_NOTE = "exit"


def left_words(note: Mapping[str, Any]) -> str:
    """`Left at 13:57:17: run was stopped by alice's quit (q) at 'edit' (nothing was running), as the journal's note
    says.`: the program's last note as it left a run (a signal, the assignee's quit), as `resume` and `replay` say it."""
    said = str(note.get("text")).partition("; the journal is kept")[0]
    return f"Left at {str(note.get('ts'))[11:19]}: {visible_line(said)}, as the journal's note says."


def failed_for_sure(held: StepState, max_fail: object) -> str | None:
    """The hosts of a step the process died in whose failure was journaled (`host_finished`, a finished wave), in words
    (`peer03 (exit 3)`), when there are more than `max_fail` allows; None within it."""
    failed = {h: hs for h, hs in held.hosts.items() if hs.status in ("failed", "timed_out")}
    try:
        allowed = fail_limit(max_fail, len(held.hosts)) if isinstance(max_fail, (int, str)) else 0
    except ValueError:  # a template or an edited journal: no failure is tolerated
        allowed = 0
    if len(failed) <= allowed:
        return None
    return ", ".join(f"{h} ({f'exit {hs.exit_code}' if hs.exit_code is not None else hs.status.replace('_', ' ')})" for h, hs in failed.items())


def mark_done_refusal(state: RunState, step: Step | None, reason: str) -> str | None:
    """Why the current step cannot be marked done, or None.

    A person's word can stand for an outcome, not for what the step was to hand on: a rolling step the process died
    in may have hosts whose wave never started (nothing ran there: marking it would skip them silently), and a step
    that captures its stdout for later steps lost that value with the process (the next step could not render)."""
    held = None if step is None else state.steps.get(step.id)
    if step is None or held is None or held.status != "unknown":
        return ONLY_UNKNOWN
    if state.rollback_stopped:  # as a re-run or a skip is (before: 'w' marked done beside a half-done rollback, then 'd' ran)
        return state.rollback_stopped
    never = [h for h, hs in held.hosts.items() if hs.status == "pending"]
    if never:
        why = f"they waited for a slot: {held.at_once} at once" if held.at_once is not None and not held.waves else "their wave had not begun"
        return f"'{step.id}' never started on {', '.join(never)} ({why}): {AGAIN}"
    if (ends := failed_for_sure(held, step.max_fail)) is not None:  # a person's word stands for what is unknown, not against an end the journal holds
        return f"'{step.id}' failed on {ends}, as journaled before the program stopped (more than max_fail {step.max_fail}): {AGAIN}"
    if step.capture:
        return f"'{step.id}' captures its output as captured.{step.capture} for later steps, and that was lost with the process: {AGAIN}"
    if not reason.strip():
        return "marking done needs a note saying how you checked"
    return None


def may_still_run(state: RunState, sid: str) -> str | None:
    """What a person re-running a step left `unknown` is told first: the dead process did not stop its command (detached
    over SSH, in its own process group here), so it may still run where it began; None when nothing of it can run."""
    held = state.steps.get(sid)
    if state.plan_steps.get(sid, {}).get("kind") != "run" or held is None or state.mode in ("dry-run", "practice"):
        return None
    if held.status == "failed":  # a lost link: the command ran on detached where the connection went (execute/ssh_lost.py)
        return _lost_link_left(state, sid)
    if held.status != "unknown":
        return None
    hosts = [h for h, hs in held.hosts.items() if hs.status == "unknown"]
    if _stopped_on_exit(state, sid):  # a signal stopped the program, and the program its command here (it said "not stopped")
        hosts = [h for h in hosts if h != "local"]
    if not hosts:  # it had ended everywhere (an expect.metric check), or stopped between waves
        return None
    stopping = _stop_begun(state, sid, hosts)
    where = ", ".join(visible_line(h) for h in hosts)
    said = f"Its command was not stopped with the program: it may still be running on {where}."
    if stopping:  # (it said "not stopped" of a command whose stop the journal shows begun)
        began = "; ".join(f"{visible_line(h)}: {visible_line(why)}" for h, why in stopping.items())
        said = f"A stop of its command was under way when the program died ({began}); whether it finished is not journaled: it may still be running on {where}."
    followed = [h for h in hosts if h in left_running(state, sid)]  # remote: the re-run follows the run left there
    if followed:
        said += (
            f" A re-run follows the run left on {', '.join(visible_line(h) for h in followed)} (its output from the start, then how it"
            " ended) instead of starting it again there; where that run is gone, the command starts again."
        )
    if len(followed) < len(hosts):
        there = ", ".join(visible_line(h) for h in hosts if h not in followed) if followed else "there"
        said += f" Check {there} first: a re-run now could run it twice at once."
    return said


def lost_link_hosts(state: RunState, sid: str) -> list[str]:
    """The hosts of step `sid` whose link was lost while its command ran there: it may still be running on them."""
    return [h for h, hs in state.steps[sid].hosts.items() if hs.status == "unknown" and LEFT_RUNNING in (hs.error or "")]


def _lost_link_left(state: RunState, sid: str) -> str | None:
    """What a person re-running a failed step is told first where its link was lost while the command ran; None: nowhere."""
    hosts = lost_link_hosts(state, sid)
    if not hosts:
        return None
    followed = [h for h in hosts if h in left_running(state, sid)]
    said = (
        f"Its connection to {', '.join(visible_line(h) for h in hosts)} was lost while it ran, and the command ran on there unwatched: it may still be running."
    )
    if followed:
        said += f" A re-run follows the run left on {', '.join(visible_line(h) for h in followed)} (its output from the start, then how it ended) instead of starting it again there; where that run is gone, the command starts again."
    if len(followed) < len(hosts):
        said += f" Check {', '.join(visible_line(h) for h in hosts if h not in followed)} first: a re-run now could run it twice at once."
    return said


#: How the executors' words end when they begin stopping a command (a timeout, `k`): `timed out after 1s: stopping its process group`.
STOP_BEGUN = "stopping its process group"


def _stop_begun(state: RunState, sid: str, hosts: list[str]) -> dict[str, str]:
    """{host: the executor's words} where the stop of `sid`'s latest attempt had begun (journaled as a transient error)."""
    started = state.steps[sid].started_at
    said = (e for e in state.errors if e.get("step") == sid and started is not None and str(e.get("ts")) >= started)
    return {str(e.get("host")): str(e.get("message")) for e in said if e.get("host") in hosts and STOP_BEGUN in str(e.get("message"))}


def _stopped_on_exit(state: RunState, sid: str) -> bool:
    """The program left on a signal while `sid`'s latest attempt ran, and stopped its command on this machine as it left
    (its note, `request: exit`, comes after that attempt's start)."""
    started = state.steps[sid].started_at
    return any(n.get("request") == EXIT_NOTE and n.get("ran") == sid and started is not None and n["ts"] >= started for n in state.notes)


def undo_stopped_on_exit(state: RunState, sid: str) -> bool:
    """The program left on a signal (or a quit) while the undo of `sid` ran on this machine only, and stopped it as it
    left (its note, `request: exit`, since the rollback started): nothing of it runs on; a remote undo may."""
    rollback = state.rollback
    if rollback is None or not rollback.interrupted or rollback.failed_step != sid or rollback.started_at is None:
        return False
    hosts = {str(entry.get("host")) for entry in rollback.plan.get("entries", ()) if entry.get("step_id") == sid}
    since = rollback.started_at
    return hosts <= {"local"} and any(n.get("request") == EXIT_NOTE and n.get("ran") == sid and str(n.get("ts")) >= since for n in state.notes)


def settled_by_solo(state: RunState) -> tuple[str, str] | None:
    """`resume --solo REASON` at a step that ran and waits for a verifier's confirmation: (the step, why it is recorded
    done unverified). Nobody can confirm it in a solo run, and nothing else moves it on: it stayed `waiting for
    verifier` with no key but roll back, though resume had said `--solo REASON` goes on unverified."""
    current = state.current
    if current is None or not state.solo or state.steps[current].status != "awaiting_verification":
        return None
    return current, f"it ran and waited for a verifier's confirmation; solo from now on ({state.solo}): recorded unverified"


def markable(state: RunState, sid: str) -> bool:
    """Whether a `step_marked_done` of `sid` can follow `state`: the step's outcome is unknown (`mark_done_refusal`), or
    `resume --solo` settles the step that waited for a verifier (`settled_by_solo`). `journal verify` folds by this."""
    held = state.steps.get(sid)
    settled = settled_by_solo(state)
    return (held is not None and held.status == "unknown") or (settled is not None and settled[0] == sid)
