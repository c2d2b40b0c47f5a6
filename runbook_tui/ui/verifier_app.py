"""The verifier's app: the run screen rebuilt from the assignee's events, with the verifier's keys."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from runbook_tui.share.client import JoinError
from runbook_tui.ui.base_app import ThemedApp
from runbook_tui.ui.verifier_screen import VerifierScreen


class VerifierApp(ThemedApp):
    TITLE = "runbook-tui (verifier)"

    def __init__(self, client: Any, *, observe: bool = False, theme: str | None = None) -> None:
        super().__init__(theme)
        self.client = client
        # An observer's key joins read-only whether or not --observe was given (the session said which role it has):
        # the screen said "joined as verifier" and offered keys the session then refused.
        self.observe = observe or client.role == "observer"
        self.refused: JoinError | None = None  # why the session would not have this participant back

    def on_mount(self) -> None:
        self.report_theme_problems()
        mounted = self.push_screen(VerifierScreen(self.client, observe=self.observe))
        self.run_worker(self._stay_joined(mounted), exclusive=True, group="join", exit_on_error=False)

    async def action_quit(self) -> None:
        """The command palette's Quit (Textual's `action_quit`): as `q`, which asks first while the run waits for this
        verifier's word (the palette left at once, the run waiting with nobody there)."""
        screen = next((screen for screen in self.screen_stack if isinstance(screen, VerifierScreen)), None)
        if screen is None:
            self.exit(0)
        else:
            screen.action_leave()

    async def _stay_joined(self, mounted: Awaitable[Any]) -> None:
        """Follow the session; a rejoin refused for good (the session's host key changed, the key is no longer
        allowed) ends the app with the reason, for `join` to print (before: the worker died unseen, and the screen
        went on looking joined and said `c` would reach the assignee once it reconnected)."""
        # The screen mounted first: a session refused at once (an event this program never writes, in the first
        # catch-up) ends the app once the screen is up (before: NoMatches from the screen's on_mount).
        await mounted
        try:
            await self.client.run()
        except JoinError as refused:
            self.refused = refused
            self.exit(2, return_code=2)
