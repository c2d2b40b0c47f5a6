"""When `mark done` (resume --mark-done, the TUI's choice for an unknown step) may stand for a step's outcome."""

from __future__ import annotations

from runbook_tui.engine.state_model import StepState


def mark_done_refusal(step: StepState | None, reason: str) -> str | None:
    """Why the current step cannot be marked done, or None. A rolling step the process died in may have hosts whose wave
    never started: nothing ran there, so a person cannot have checked it done (marking it would skip them silently)."""
    if step is None or step.status != "unknown":
        return "only a step whose outcome is unknown can be marked done"
    never = [h for h, hs in step.hosts.items() if hs.status == "pending"]
    if never:
        return f"'{step.id}' never started on {', '.join(never)} (their wave had not begun): --rerun runs it, or --rollback"
    if not reason.strip():
        return "marking done needs a note saying how you checked"
    return None
