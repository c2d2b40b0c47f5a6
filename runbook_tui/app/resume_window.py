"""The change window on `resume`: going on with a live run outside it needs a reason, as starting one does.

`run` and `exec` refuse to start outside the ticket's window (or in a blackout) without `--override-window REASON`;
a resume that would run steps (the TUI, `--continue`, `--rerun`) is held to the same rule, and its reason journaled
as the same `window_override` event a start's is (the status row, the report and the notices read it from there).
A rollback, or a look at where the run stands, needs none: undoing restores safety."""

from __future__ import annotations

import datetime as dt

from runbook_tui.app.session import EXEMPT_FROM_WINDOW, Session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.controller import Actor, Controller
from runbook_tui.engine.errors import StartRefused
from runbook_tui.engine.events import WINDOW_OVERRIDE
from runbook_tui.engine.state import RunState
from runbook_tui.engine.window import window_problem
from runbook_tui.runbook.model import Runbook

#: What the refusal ends with: the TUI's question shows the words before it (the flag is for a command line).
GOING_ON_NEEDS = "; going on needs --override-window REASON (journaled)"


def going_on_override(
    state: RunState, runbook: Runbook, settings: Settings, override: str | None, *, exempt: bool, now: dt.datetime | None = None
) -> str | None:
    """The reason to journal on this resume (None: inside the window, or nothing goes on); StartRefused (exit 2, `window`)
    when steps would run outside the window without one. `exempt`: a mode that executes nothing real (dry run, practice,
    rehearsal), as a start's."""
    problem = None if exempt else _outside(state, runbook, settings, now)
    if problem is None:
        return None
    if not override:
        raise StartRefused(problem + GOING_ON_NEEDS, window=True)
    return override


def look_note(session: Session) -> str:
    """A look (`resume` deciding nothing) outside the window: what going on needs, beside where the run stands ("" inside)."""
    controller = session.controller
    problem = None if controller.mode in EXEMPT_FROM_WINDOW else _outside(controller.state, controller.runbook, session.executors.settings)
    return f"{problem}{GOING_ON_NEEDS}; a rollback needs none." if problem else ""


def _outside(state: RunState, runbook: Runbook, settings: Settings, now: dt.datetime | None = None) -> str | None:
    if state.finished or state.reopened_scope is not None:  # reopened: what goes on is the rollback asked
        return None
    return window_problem(runbook.ticket, now or dt.datetime.now(dt.UTC), settings.blackouts)


def journal_override(controller: Controller, actor: Actor, reason: str | None) -> None:
    """The reason to go on outside the window, on record right after `session_resumed` (before any step runs)."""
    if reason:
        window = (controller.state.session.get("ticket") or {}).get("window")
        controller.emit(WINDOW_OVERRIDE, actor, reason=reason, window=window, resumed=True)
