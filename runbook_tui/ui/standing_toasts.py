"""Toasts that a later event can make untrue, withdrawn when it comes.

A toast stands for its timeout, whatever the run does meanwhile. Some said what stopped holding while they were still
up: the verifier's `rollback declined …; the run goes on` beside `Rolled back to the start` once the assignee rolled
back after all; the assignee's `bob left …: no verifier is connected now` beside `verifier bob connected` once he had
rejoined (a dropped link comes back within seconds); the verifier's `… no answer from the session …` over the answer
once it came. Each is kept here under a name and withdrawn, alone, by what ends what it says.
"""

from __future__ import annotations

from typing import Any

from textual.notifications import Notification, Notify
from textual.screen import Screen


class StandingToasts:
    """The toasts of one screen that an event may withdraw, by name."""

    def __init__(self) -> None:
        self._up: dict[str, list[Notification]] = {}

    def show(self, screen: Screen[Any], name: str, message: str, *, title: str, timeout: float) -> None:
        """A warning toast (its text never markup), kept under `name` until withdrawn or its timeout."""
        notification = Notification(message, title, "warning", timeout)
        self._up.setdefault(name, []).append(notification)
        screen.app.post_message(Notify(notification))

    def withdraw(self, screen: Screen[Any], name: str | None) -> None:
        """Every toast shown under `name` goes now (one already gone by its timeout: nothing happens to it); None: none."""
        for notification in self._up.pop(name, []) if name is not None else []:
            screen.app._unnotify(notification)
