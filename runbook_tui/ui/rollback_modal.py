"""The rollback list: exactly which undo commands run, where and in what order, before anything runs."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Static

from runbook_tui.engine.rollback import RollbackPlan
from runbook_tui.runbook.safe_text import visible
from runbook_tui.ui.dialog import Dialog
from runbook_tui.ui.glyphs import colour
from runbook_tui.ui.wrap import command_text

Scope = str


class RollbackModal(Dialog[tuple[Scope, bool] | None]):
    """`y` starts the shown plan (acknowledging steps without undo), `f` switches checkpoint/full.

    The list scrolls; the keys stay pinned below it (see `Dialog`).
    """

    WIDE = True

    BINDINGS = [
        Binding("y", "start", "start rollback"),
        Binding("f", "toggle_scope", "checkpoint / full"),
        Binding("n,escape", "cancel", "cancel"),
    ]

    def __init__(self, plan_for: Callable[[Scope], RollbackPlan]) -> None:
        super().__init__("", "")
        self.plan_for = plan_for
        self.scope: Scope = "checkpoint"

    def body(self) -> Iterable[Widget]:
        yield Static(id="dialog-body")

    def on_mount(self) -> None:
        super().on_mount()
        self._show()

    def _show(self) -> None:
        plan = self.plan_for(self.scope)
        theme = self.app.current_theme
        target = plan.checkpoint_step or "the start"
        title = (
            f"Roll back to the last checkpoint ({target})"
            if plan.scope == "checkpoint"
            else "FULL rollback: abort the whole change"
        )
        self.set_title(title)
        table = Table(box=None, padding=(0, 1), expand=True)
        table.add_column("#", justify="right", width=3)
        table.add_column("step", overflow="fold")
        table.add_column("host", overflow="fold")
        table.add_column("undo command", ratio=1)  # never cut: wrapped at spaces (see ui/wrap.py), this is exactly what will run
        for number, entry in enumerate(plan.entries, start=1):
            note = "" if entry.outcome == "done" else f" (step {entry.outcome})"
            if entry.command is None:
                command = Text("NO UNDO: acknowledge that this stays as it is", style=f"bold {colour(theme, 'error')}")
            else:
                command = command_text(entry.command)
            step = Text(visible(entry.step_id + note), style=colour(theme, "warning") if note else "")
            table.add_row(str(number), step, Text(visible(entry.host)), command)
        for offset, step_id in enumerate(plan.rollback_steps, start=len(plan.entries) + 1):
            table.add_row(str(offset), Text(visible(step_id)), "", Text("then this rollback section step", style=colour(theme, "muted")))
        if not plan.entries and not plan.rollback_steps:
            table.add_row("", "nothing ran since the checkpoint", "", "")
        self.query_one("#dialog-body", Static).update(table)
        ack = " and acknowledge the steps without undo" if plan.needs_acknowledgement else ""
        other = "full rollback" if self.scope == "checkpoint" else "back to the checkpoint"
        self.set_keys(f"y start this rollback{ack} · f {other} · n / escape cancel")

    def action_toggle_scope(self) -> None:
        self.scope = "full" if self.scope == "checkpoint" else "checkpoint"
        self._show()

    def action_start(self) -> None:
        self.dismiss((self.scope, True))

    def action_cancel(self) -> None:
        self.dismiss(None)
