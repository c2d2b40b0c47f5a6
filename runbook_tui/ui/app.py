"""The Textual app: starts the session it is handed, then shows the run screen.

The command line hands the app a `starter` that opens (or resumes) the
session; the app only calls it, so the UI never wires executors or journals.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from textual.app import App
from textual.binding import Binding

from runbook_tui.engine.controller import Actor, Controller
from runbook_tui.engine.errors import StartRefused
from runbook_tui.ui.modals import TextPrompt
from runbook_tui.ui.run_screen import RunScreen


class RunHandle(Protocol):
    """What the app needs of an open session."""

    controller: Controller
    actor: Actor
    journal_path: Path

    async def close(self) -> None: ...


#: Opens the session; the argument is an override reason for the change window (None at first).
Starter = Callable[[str | None], RunHandle]


class RunbookApp(App[int]):
    CSS_PATH = Path(__file__).parent / "app.tcss"
    TITLE = "runbook-tui"
    BINDINGS = [Binding("ctrl+q", "quit_now", "quit", show=False)]

    def __init__(self, starter: Starter) -> None:
        super().__init__()
        self.starter = starter
        self.handle: RunHandle | None = None
        self.failure: str | None = None

    def on_mount(self) -> None:
        self._start(None)

    def _start(self, override: str | None) -> None:
        try:
            self.handle = self.starter(override)
        except StartRefused as refused:
            if refused.window and override is None:
                self.push_screen(
                    TextPrompt(
                        "Outside the change window",
                        f"{refused}\n\nStarting anyway needs a reason; it is written to the journal and the report.",
                        placeholder="e.g. window extended by the change manager (CHG-2041 comment)",
                    ),
                    lambda reason: self._start(reason) if reason else self.exit(2),
                )
                return
            self.failure = str(refused)
            self.exit(refused.code)
            return
        self.push_screen(RunScreen(self.handle.controller, self.handle.actor, str(self.handle.journal_path)))

    async def action_quit_now(self) -> None:
        screen = self.screen
        if isinstance(screen, RunScreen):
            screen.action_quit_run()
        else:
            self.exit(1)

    async def on_unmount(self) -> None:
        if self.handle is not None:
            await self.handle.close()
