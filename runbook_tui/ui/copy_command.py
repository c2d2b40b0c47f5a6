"""`y` on every run view: the current step's command, whole, to the clipboard (as the detail pane shows it)."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from runbook_tui.engine.state import RunState
from runbook_tui.runbook.safe_text import visible, visible_line
from runbook_tui.ui.widgets import step_as_shown


def copy_command(screen: Screen[Any], state: RunState) -> None:
    """The current step's commands, captures filled in, each once; a step that runs none says so, and one whose text holds
    control or invisible characters (from a value, a capture) is not copied."""
    current = state.current
    if current is None:
        return
    commands = dict(step_as_shown(state, current).get("run") or {})
    distinct = list(dict.fromkeys(commands.values()))
    if not distinct:
        screen.notify("this step runs no command", severity="warning", markup=False)
        return
    text = "\n".join(distinct)
    if visible(text) != text:  # pasted, a terminal obeys them: `ESC[201~` ends a bracketed paste, the rest is typed keys
        said = f"not copied: the command of '{visible_line(current)}' holds control characters (shown as ␛, ⟨U+…⟩), which a terminal obeys when they are pasted"
        screen.notify(said, severity="warning", timeout=8, markup=False)
        return
    screen.app.copy_to_clipboard(text)
    screen.notify(f"copied the command of '{visible_line(current)}'", timeout=3, markup=False)
