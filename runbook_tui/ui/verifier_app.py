"""The verifier's app: the run screen rebuilt from the assignee's events, with the verifier's keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App

from runbook_tui.ui.run_screen import VerifierScreen


class VerifierApp(App[int]):
    CSS_PATH = Path(__file__).parent / "app.tcss"
    TITLE = "runbook-tui (verifier)"

    def __init__(self, client: Any, *, observe: bool = False) -> None:
        super().__init__()
        self.client = client
        self.observe = observe

    def on_mount(self) -> None:
        self.push_screen(VerifierScreen(self.client, observe=self.observe))
        self.run_worker(self.client.run(), exclusive=True, group="join", exit_on_error=False)
