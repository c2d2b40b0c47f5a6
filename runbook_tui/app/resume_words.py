"""What `resume` says about a rollback the process died in: what was undone, what was running (unknown), what is left."""

from __future__ import annotations

from runbook_tui.engine.state import RunState
from runbook_tui.runbook.safe_text import visible_line


def interrupted_rollback(state: RunState) -> list[str]:
    """Lines for the resume summary; none unless the last rollback was cut short by the process dying."""
    rollback = state.rollback
    if rollback is None or not rollback.interrupted:
        return []
    planned = list(dict.fromkeys(str(e.get("step_id")) for e in rollback.plan.get("entries", ()) if e.get("command") is not None))
    rollback_steps = [str(s) for s in rollback.plan.get("rollback_steps", ())]
    undone = [s for s in planned if s in rollback.done_steps]
    running = [rollback.failed_step] if rollback.failed_step else []
    running += [s for s in rollback_steps if s in state.steps and state.steps[s].status == "unknown"]
    ran = [s for s in rollback_steps if s in state.steps and state.steps[s].status in ("done", "awaiting_verification")]
    left = [s for s in planned + rollback_steps if s not in undone and s not in running and s not in ran]
    lines = [f"A rollback ({rollback.scope}) was running when the program stopped; it did not finish."]
    if undone or ran:
        lines.append("  finished: " + ", ".join(visible_line(s) for s in undone + ran))
    for sid in running:
        what = "the undo of" if sid == rollback.failed_step else "rollback step"
        lines.append(f"  {what} '{visible_line(sid)}' was running: its outcome is unknown")
    lines.append("  not run yet: " + (", ".join(visible_line(s) for s in left) or "nothing"))
    again = f"; '{visible_line(running[0])}' runs again" if running else ""
    lines.append(f"Nothing was re-run. --rollback{' --full' if rollback.scope == 'full' else ''} runs what is left{again} (what finished is not run again).")
    return lines
