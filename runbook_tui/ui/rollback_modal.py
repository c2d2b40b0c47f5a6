"""The rollback list: exactly which undo commands run, where and in what order, before anything runs."""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from runbook_tui.engine.rollback import RollbackPlan, Scope
from runbook_tui.ui.glyphs import colour


class RollbackModal(ModalScreen[tuple[Scope, bool] | None]):
    """`y` starts the shown plan (acknowledging steps without undo), `f` switches checkpoint/full."""

    BINDINGS = [
        Binding("y", "start", "start rollback"),
        Binding("f", "toggle_scope", "checkpoint / full"),
        Binding("n,escape", "cancel", "cancel"),
    ]

    def __init__(self, plan_for: Callable[[Scope], RollbackPlan]) -> None:
        super().__init__()
        self.plan_for = plan_for
        self.scope: Scope = "checkpoint"

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="wide"):
            yield Label("", id="dialog-title")
            with VerticalScroll(id="rollback-list"):
                yield Static(id="dialog-body")
            yield Label("", id="dialog-keys")

    def on_mount(self) -> None:
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
        self.query_one("#dialog-title", Label).update(title)
        table = Table(box=None, padding=(0, 1), expand=True)
        table.add_column("#", justify="right", width=3)
        table.add_column("step")
        table.add_column("host")
        table.add_column("undo command", ratio=1, overflow="fold")  # never cut: this is exactly what will run
        for number, entry in enumerate(plan.entries, start=1):
            note = "" if entry.outcome == "done" else f" (step {entry.outcome})"
            if entry.command is None:
                command = Text("NO UNDO: acknowledge that this stays as it is", style=f"bold {colour(theme, 'error')}")
            else:
                command = Text(entry.command)
            table.add_row(str(number), Text(entry.step_id + note, style=colour(theme, "warning") if note else ""), entry.host, command)
        for offset, step_id in enumerate(plan.rollback_steps, start=len(plan.entries) + 1):
            table.add_row(str(offset), step_id, "", Text("then this rollback section step", style=colour(theme, "muted")))
        if not plan.entries and not plan.rollback_steps:
            table.add_row("", "nothing ran since the checkpoint", "", "")
        self.query_one("#dialog-body", Static).update(table)
        ack = " and acknowledge the steps without undo" if plan.needs_acknowledgement else ""
        other = "full rollback" if self.scope == "checkpoint" else "back to the checkpoint"
        self.query_one("#dialog-keys", Label).update(f"y: start this rollback{ack}   f: {other}   n / escape: cancel")

    def action_toggle_scope(self) -> None:
        self.scope = "full" if self.scope == "checkpoint" else "checkpoint"
        self._show()

    def action_start(self) -> None:
        self.dismiss((self.scope, True))

    def action_cancel(self) -> None:
        self.dismiss(None)
