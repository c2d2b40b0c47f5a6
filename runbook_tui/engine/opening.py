"""A run's opening, journaled in one write: `session_started`, a window override and the first step's `step_ready`.

Each event is on disk before it is applied or heard of, as every event the controller emits; but the three are
handed to the journal's writer thread together and fsynced once (one round trip to the disk before the first frame,
where each waited for its own). The `step_ready` is rendered from the state the events before it make: folded here
ahead of the disk, used for that rendering only, and kept so that applying them once on disk does not fold again.
The controller's state, its listeners and whatever acts on an event see each one only once it is durable, in the
journal's order.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import SYSTEM
from runbook_tui.engine.events import Event
from runbook_tui.engine.journal import JournalError, JournalWriter
from runbook_tui.engine.run_process import this_process
from runbook_tui.engine.state import RunState, apply
from runbook_tui.runbook.model import Host, Runbook, Step
from runbook_tui.runbook.plan import plan_json


class Opening:
    """The controller's `start` (a mixin: the controller supplies the journal, the state and its durable apply)."""

    runbook: Runbook
    journal: JournalWriter
    state: RunState
    assignee: str
    mode: str
    solo: str | None
    fatal: str | None
    _unapplied: deque[tuple[Event, Mapping[str, Any]]]
    #: seq -> (the state an event was folded onto ahead of the disk, the state it made): applied once durable, not folded again.
    _folded: dict[int, tuple[RunState, RunState]]

    def rendered_step(self, step: Step, hosts: tuple[Host, ...] | None = None, *, fresh: bool = False, state: RunState | None = None) -> dict[str, Any]:
        raise NotImplementedError

    def _apply_durable(self) -> None:
        raise NotImplementedError

    def start(
        self,
        *,
        window_override: str | None = None,
        journal_path: str = "",
        rehearsed: dict[str, Any] | None = None,
        signers: dict[str, str] | None = None,
        practised: dict[str, Any] | None = None,
    ) -> None:
        """Journal the run's opening (see the module): JournalError, with the run stopped (`fatal`), when it cannot be written.
        `signers`: the allowed_signers file the run read ({path, sha256}), recorded so a later check can say it used another;
        `practised`: a practice's night ({journal, session, head})."""
        rb = self.runbook
        ticket = rb.ticket.as_context() if rb.ticket else None
        optional: Any = {"rehearsed": rehearsed, "source": rb.kept_source, "allowed_signers": signers, "practised": practised}  # journaled when there is one
        started: dict[str, Any] = dict(
            session=os.urandom(16).hex(),  # 128 random bits, as uuid4's hex (whose module costs start-up time)
            runbook=rb.id,
            title=rb.title,
            file=rb.file,
            path=str(Path(rb.file).resolve()),
            digest=rb.digest,
            params=dict(rb.param_values),
            ticket=ticket,
            no_ticket=ticket is None,
            mode=self.mode,
            solo=self.solo,
            assignee=self.assignee,
            verifier=None if self.solo else (rb.ticket.verifier if rb.ticket else None),
            plan=plan_json(rb),
            journal=journal_path,
            planned_assignee=rb.ticket.assignee if rb.ticket else None,
            process=this_process(self.journal.path),
            **{name: value for name, value in optional.items() if value},
        )
        try:
            try:
                state = self._queue_folded(self.state, ev.SESSION_STARTED, self.assignee, started)
                if window_override:
                    state = self._queue_folded(state, ev.WINDOW_OVERRIDE, self.assignee, {"reason": window_override, "window": (ticket or {}).get("window")})
                if state.current is not None:  # the first step as it will run (after the override is on record)
                    step = self.runbook.step(state.current)
                    self._queue_folded(state, ev.STEP_READY, SYSTEM.name, {"step": step.id, **self.rendered_step(step, fresh=True, state=state)})
            finally:
                try:
                    self.journal.flush()  # what was queued, on disk in one write and one fsync
                finally:
                    self._apply_durable()  # in order; nothing that is not on disk
        except JournalError as exc:
            self.fatal = f"{exc.strerror}; the run stops before the next step"
            raise
        finally:
            self._folded.clear()

    def _queue_folded(self, state: RunState, type: str, actor: str, data: dict[str, Any]) -> RunState:
        event = self.journal.queue(type, actor, data, commit=False)  # written with the rest of the opening, at its flush
        self._unapplied.append((event, data))
        folded = apply(state, event)
        self._folded[event["seq"]] = (state, folded)
        return folded
