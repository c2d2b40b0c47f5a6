"""What `q` on the assignee's screen asks before leaving an unfinished run: what stops, what goes on, how to go on later."""

from __future__ import annotations

from typing import TYPE_CHECKING

from runbook_tui.app.sharing import resume_command
from runbook_tui.engine.state import RunState

if TYPE_CHECKING:
    from runbook_tui.ui.modals import ConfirmPrompt


def quit_prompt(state: RunState, busy: bool, journal_path: str) -> ConfirmPrompt | None:
    """The question to ask before quitting, or None when the run has ended (nothing is left to lose)."""
    from runbook_tui.ui.modals import ConfirmPrompt  # the dialogs load when first opened, not before the first frame

    if busy:
        return ConfirmPrompt(
            "Quit while a step runs?",
            # Local commands die with this program (the executor's close kills their process group);
            # remote ones run detached and carry on.
            "Commands on remote hosts keep running, unwatched; commands on this machine are stopped now.\n"
            f"Its outcome will be unknown; continue later with:\n  {resume_command(state, journal_path)}",
            "quit now",
        )
    if state.finished:
        return None
    return ConfirmPrompt(
        "Quit before the run is finished?",
        f"The run stands at {state.current or 'its end'}; nothing runs while you are away.\n"
        f"The journal keeps everything; continue later with:\n  {resume_command(state, journal_path)}",
        "quit now",
    )
