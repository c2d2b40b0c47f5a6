"""Who acts in a run, and the answer to an intent: shared by the controller and the step runner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from runbook_tui.engine import events as ev

Role = Literal["assignee", "verifier", "observer", "system"]
Scope = Literal["checkpoint", "full"]


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    role: Role


SYSTEM = Actor(ev.SYSTEM, "system")


@dataclass(frozen=True, slots=True)
class Reply:
    ok: bool
    message: str


def refused(message: str) -> Reply:
    return Reply(False, message)
