"""Which notices a run that died (kill -9, a crash) never journaled as sent or failed: counted on resume's one pass.

Each `notified` / `notify_failed` names its notice's event and target; each
notice comes from one journal event (`guard_tripped`, `rollback_started`,
`rollback_finished`, `session_finished`; `session_started` from `share_started` in a shared run,
else from the first `session_started`). What a target wanted and has no
outcome for was queued or in flight when the process stopped: it may or may
not have arrived, and the resumed run journals so rather than stay silent.
The timers' notices (`verifier_missing`, `confirmation_waiting`,
`window_closing`) leave no source event to count and are not named here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.runbook.lean_dataclass import dataclass, field

if TYPE_CHECKING:  # this module loads on every resume; the sender only for a run that notifies
    from runbook_tui.notify.sender import Destination

#: Journal events that each give rise to one notice of the same name (the end's too: the process waits up to 3 s for
#: it, and a kill -9 then leaves it unsettled; `resume` of the finished run names it, app/end_notices.py).
_ONE_FOR_ONE = frozenset({ev.GUARD_TRIPPED, ev.ROLLBACK_STARTED, ev.ROLLBACK_FINISHED, ev.SESSION_FINISHED})


@dataclass
class NoticeLedger:
    """Notices owed (by event) and outcomes journaled (by event and target), from a journal read once."""

    owed: Counter[str] = field(default_factory=Counter)
    settled: Counter[tuple[str, str]] = field(default_factory=Counter)
    first_process: str = ""  # "open" after session_started, until a share ("shared") or a resume ("solo") says which

    def note(self, event: Event) -> None:
        kind = event["type"]
        if kind in _ONE_FOR_ONE:
            self.owed[kind] += 1
        elif kind in (ev.NOTIFIED, ev.NOTIFY_FAILED):
            self.settled[(str(event.get("event")), str(event.get("target")))] += 1
        elif kind == ev.SHARE_STARTED:
            self.owed[ev.SESSION_STARTED] += 1
        if kind == ev.SESSION_STARTED or (self.first_process == "open" and kind in (ev.SHARE_STARTED, ev.SESSION_RESUMED)):
            self.first_process = {ev.SESSION_STARTED: "open", ev.SHARE_STARTED: "shared"}.get(kind, "solo")

    def unaccounted(self, destinations: Iterable[Destination]) -> list[tuple[str, str]]:
        """(event, target) for each notice a destination wants and has no outcome journaled for."""
        owed = self.owed + Counter({ev.SESSION_STARTED: 1 if self.first_process in ("open", "solo") else 0})
        lost: list[tuple[str, str]] = []
        for event, count in owed.items():
            # Counted by the name the journal gives a target: two receivers at one URL (the settings' and a runbook's)
            # owe two outcomes under it. Before, each was settled by the other's, and the one never journaled went unsaid.
            wanting = Counter(destination.shown for destination in destinations if destination.wants(event))
            for shown, receivers in wanting.items():
                lost += [(event, shown)] * max(count * receivers - self.settled[(event, shown)], 0)
        return lost
