"""The verifier's app: the run screen rebuilt from the assignee's events, with the verifier's keys."""

from __future__ import annotations

from typing import Any

from runbook_tui.ui.base_app import ThemedApp
from runbook_tui.ui.verifier_screen import VerifierScreen


class VerifierApp(ThemedApp):
    TITLE = "runbook-tui (verifier)"

    def __init__(self, client: Any, *, observe: bool = False, theme: str | None = None) -> None:
        super().__init__(theme)
        self.client = client
        self.observe = observe

    def on_mount(self) -> None:
        self.report_theme_problems()
        self.push_screen(VerifierScreen(self.client, observe=self.observe))
        self.run_worker(self.client.run(), exclusive=True, group="join", exit_on_error=False)
