"""The check of `metrics.success` once the last step is done, before the session finishes as done.

The controller's `before_finish` (the metrics layer's check) runs in the background with a `StopSignal` of its own:
`k` ends its wait as it ends a step's (engine/step_stop.py), and so does a guard's pause or rollback (`cut_checks`),
the criteria still undecided then counting as not met, so the session stays open until they are accepted with a
reason or rolled back, as when the check finds them unmet.
A rollback or a finish cancels the check.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import SYSTEM, Actor
from runbook_tui.engine.events import Event, P
from runbook_tui.engine.journal import JournalError
from runbook_tui.engine.ports import StopSignal
from runbook_tui.engine.state import RunState
from runbook_tui.engine.step_stop import running_now

log = logging.getLogger(__name__)

#: Awaited once the last step is done, before the session finishes as done (the metrics layer checks `metrics.success`
#: there); the signal is a person's stop of that check's wait.
BeforeFinish = Callable[[StopSignal], Awaitable[None]]


class FinalCheck:
    """The finishing half of the controller (a mixin: the controller supplies the state, `emit` and `busy`)."""

    state: RunState
    auto_finish: bool
    before_finish: BeforeFinish | None
    fatal: str | None
    _finishing: asyncio.Task[None] | None = None  # before_finish running; a rollback or finish cancels it
    _final_stop: StopSignal | None = None  # the running final check's: `k` ends its wait
    #: A verify section's checks waiting in the background (metrics/poller.py): between steps `k` ends them.
    _verify_stops: tuple[StopSignal, ...] = ()
    _safe_error: Callable[..., None]  # the runner's: journal an error, the journal's own failure aside

    def emit(self, type: ev.EventType[P], actor: Actor | str, *_: P.args, **data: P.kwargs) -> Event:
        raise NotImplementedError

    @property
    def busy(self) -> bool:
        raise NotImplementedError

    def finish_if_done(self) -> None:
        """A resumed run whose steps are all done: finish it as the last step would have (after the final checks)."""
        self._maybe_finish()

    def _maybe_finish(self) -> None:
        """Once the last step is done (or skipped), the session is done."""
        if self.auto_finish and self.state.current is None and not self.state.finished and self.state.order and not self.state.paused:
            if self.before_finish is None:
                self.emit(ev.SESSION_FINISHED, SYSTEM, outcome="done")
            elif self._finishing is None or self._finishing.done():
                self._final_stop = StopSignal()
                self._finishing = asyncio.create_task(self._finish_after_checks(self.before_finish, self._final_stop))

    async def _finish_after_checks(self, before_finish: BeforeFinish, stop: StopSignal) -> None:
        try:
            await before_finish(stop)
        except JournalError:
            return
        except Exception as exc:  # a broken check must not keep the session open forever
            log.exception("before_finish failed")
            self._safe_error(f"internal error in the final checks: {exc}")
        finally:
            if self._final_stop is stop:
                self._final_stop = None
        if self.state.current is None and not (self.state.finished or self.state.paused or self.fatal or self.busy or self.state.criteria_unmet):
            self.emit(ev.SESSION_FINISHED, SYSTEM, outcome="done")
        # A criterion not met: the session stays open; the assignee rolls back or accepts with a reason.

    def _cancel_finishing(self) -> None:
        if self._finishing is not None and not self._finishing.done():
            self._finishing.cancel()

    def cut_checks(self, reason: str) -> None:
        """A guard's pause or rollback ends the success criteria's waits (before the end, a verify section's) as it cuts a
        `wait` short: the criteria not decided then say `reason`; before, the guard's rollback waited out `within: 10m`."""
        for stop in (self._final_stop, *self._verify_stops):
            if stop is not None:
                stop.stop(reason)

    def final_check_stoppable(self) -> bool:
        """The check before the end waits for its criteria and nobody has stopped it yet."""
        return self._final_stop is not None and self._final_stop.reason is None

    def hold_verify_check(self, stop: StopSignal) -> Callable[[], None]:
        """A verify section's check waits with `stop` (the metrics layer's): `k` between steps ends it. Returns what
        forgets it (at the check's end)."""
        self._verify_stops = (*self._verify_stops, stop)

        def forget() -> None:
            self._verify_stops = tuple(s for s in self._verify_stops if s is not stop)

        return forget

    def verify_check_stoppable(self) -> bool:
        """Between steps (nothing runs), a verify section's check waits and nobody has stopped it yet: `k` ends it.
        Before, `k` there was refused (`no step is running`) and the check waited its whole `within:`."""
        return running_now(self.state) is None and not self.busy and any(s.reason is None for s in self._verify_stops)

    def check_stoppable(self) -> bool:
        """`k` ends a check's wait now (the one before the end, or a verify section's between steps): `k end check`."""
        return self.final_check_stoppable() or self.verify_check_stoppable()
