"""Where and as whom a step runs, said under its command in the detail pane where it matters before a key lets it run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import RenderableType
from rich.text import Text

from runbook_tui.engine.state import RunState
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.ui.wrap import CommandText


def how_under(state: RunState, entry: Mapping[str, Any]) -> list[RenderableType]:
    """The folder, sudo and environment the step runs with (`how_lines`), said under its command where it asks the
    verifier's go-ahead or runs with sudo or an environment: the folder went on the title's line only when it fitted, the
    environment nowhere, and bob's c gave the go-ahead to `rm -rf data` unseen where. [] for other steps: their folder
    goes on the title's line where it fits, as before (the demo's steps are each read whole at 80x24: issue 16).
    `entry`: the step as shown (`widgets.step_as_shown`: its environment as rendered, secrets as `***`)."""
    asks = not state.solo and entry.get("verify") in ("before", "both")
    return how_lines(entry) if asks or entry.get("sudo") or entry.get("env") else []


def how_lines(entry: Mapping[str, Any], style: str = "bold") -> list[RenderableType]:
    """exec's words for it (`in /srv/app; with sudo -n; env MODE=x`, engine `how_it_runs`) a line each: the folder, sudo,
    then each variable under the first, a long one going on indented under itself. As one sentence it went on at the
    pane's edge, a value folded inside a word, the next variable's name starting a line as if it were a command."""
    lines: list[RenderableType] = []
    if entry.get("cwd"):
        lines.append(CommandText(visible_line(str(entry["cwd"])), style=style, prefix="in "))
    if entry.get("sudo"):
        lines.append(Text("with sudo -n", style=style))
    for index, (name, value) in enumerate((entry.get("env") or {}).items()):
        said = f"{visible_line(str(name))}={visible_line(str(value))}"
        lines.append(CommandText(said, style=style, prefix="    " if index else "env "))
    return lines
