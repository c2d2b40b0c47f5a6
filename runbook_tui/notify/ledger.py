"""Which notices a run that died (kill -9, a crash) never journaled as sent or failed: counted on resume's one pass.

Each `notified` / `notify_failed` names its notice's event and target; each
notice comes from one journal event (`guard_tripped`, `rollback_started`,
`rollback_finished`, `session_finished`; `session_started` from `share_started` in a shared run,
else from the first `session_started`). What a target wanted and has no
outcome for was queued or in flight when the process stopped: it may or may
not have arrived, and the resumed run journals so rather than stay silent.
The timers' notices (`verifier_missing`, `confirmation_waiting`,
`window_closing`) leave no source event to count and are not named here;
`told` says which the journal has an outcome for (`window_closing` is told
once a change).

A receiver its process could not prepare (its secret missing, a value that
cannot go into a request) was journaled as an outreach `error` that it gets
nothing (`receiver`, `unprepared`: why), once per process: what it was owed in
that process is known never sent (`unsent`), not "not known to be sent"
(`unaccounted`).
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


#: How app/outreach.py ends the words of a receiver it could not prepare: "notify SHOWN (MARK): WHY; …".
GETS_NOTHING = "; this receiver gets nothing"


def unprepared(event: Event) -> tuple[str, str] | None:
    """(target, why) of an outreach error saying a receiver gets nothing, else None. A journal written before these
    had fields of their own says it in words alone, read back as it was then."""
    target, why = event.get("receiver"), event.get("unprepared")
    if isinstance(target, str) and isinstance(why, str):
        return target, why
    message = str(event.get("message", ""))
    if not message.endswith(GETS_NOTHING) or not message.startswith("notify "):
        return None
    target, _, rest = message.removeprefix("notify ").partition(" (")
    return target, rest.removesuffix(GETS_NOTHING).split("): ", 1)[-1]


@dataclass
class NoticeLedger:
    """Notices owed (by event and process) and outcomes journaled (by event and target), from a journal read once."""

    owed: Counter[tuple[str, int]] = field(default_factory=Counter)
    settled: Counter[tuple[str, str]] = field(default_factory=Counter)
    first_process: str = ""  # "open" after session_started, until a share ("shared") or a resume ("solo") says which
    process: int = 0  # counted by session_started and each session_resumed
    unprepared: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # by process: (target, why) of receivers it could not prepare
    rolling_back: bool = False  # a rollback started and not finished (yet)

    def note(self, event: Event) -> None:
        kind = event["type"]
        if kind in (ev.SESSION_STARTED, ev.SESSION_RESUMED):
            self.process += 1
        if kind == ev.ROLLBACK_STARTED and self.rolling_back:
            pass  # `resume --rollback` going on with the rollback a dead process started: its start is told once
        elif kind in _ONE_FOR_ONE:
            self.owed[(kind, self.process)] += 1
        elif kind in (ev.NOTIFIED, ev.NOTIFY_FAILED):
            self.settled[(str(event.get("event")), str(event.get("target")))] += 1
        elif kind == ev.SHARE_STARTED:
            self.owed[(ev.SESSION_STARTED, self.process)] += 1
        elif kind == ev.ERROR and event.get("outreach") and (found := unprepared(event)) is not None:
            self.unprepared.setdefault(self.process, []).append(found)
        if kind in (ev.ROLLBACK_STARTED, ev.ROLLBACK_FINISHED):
            self.rolling_back = kind == ev.ROLLBACK_STARTED
        if kind == ev.SESSION_STARTED or (self.first_process == "open" and kind in (ev.SHARE_STARTED, ev.SESSION_RESUMED)):
            self.first_process = {ev.SESSION_STARTED: "open", ev.SHARE_STARTED: "shared"}.get(kind, "solo")

    def told(self) -> frozenset[str]:
        """The notices an earlier process journaled an outcome for (sent or failed), by event: those of the timers told
        once a change (`window_closing`) are not told again by the resumed run."""
        return frozenset(event for event, _target in self.settled)

    def unaccounted(self, destinations: Iterable[Destination]) -> list[tuple[str, str]]:
        """(event, target) for each notice a destination wants and has no outcome journaled for: it may have arrived."""
        return [(event, shown) for event, shown, why in self._unsettled(destinations) if not why]

    def unsent(self, destinations: Iterable[Destination]) -> list[tuple[str, str, str]]:
        """(event, target, why) for each notice owed to a receiver its process could not prepare, with no outcome
        journaled: never sent, and why in the words of its outreach error."""
        return [found for found in self._unsettled(destinations) if found[2]]

    def _unsettled(self, destinations: Iterable[Destination]) -> list[tuple[str, str, str]]:
        owed = self.owed + Counter({(ev.SESSION_STARTED, 1): 1 if self.first_process in ("open", "solo") else 0})
        # Counted by the name the journal gives a target: two receivers at one URL (the settings' and a runbook's)
        # owe two outcomes under it. Before, each was settled by the other's, and the one never journaled went unsaid.
        destinations = list(destinations)
        found: list[tuple[str, str, str]] = []
        for event in dict.fromkeys(event for event, _process in owed):  # in the journal's order
            by_process = [(process, count) for (kind, process), count in owed.items() if kind == event]
            wanting = Counter(destination.shown for destination in destinations if destination.wants(event))
            for shown, receivers in wanting.items():
                maybe = never = 0
                why = ""
                for process, count in by_process:
                    said = [reason for target, reason in self.unprepared.get(process, []) if target == shown]
                    maybe += count * max(receivers - len(said), 0)
                    never += count * min(len(said), receivers)
                    why = why or (said[0] if said else "")
                settled = self.settled[(event, shown)]  # an outcome settles a notice that may have been sent first
                found += [(event, shown, "")] * max(maybe - settled, 0)
                found += [(event, shown, why)] * max(never - max(settled - maybe, 0), 0)
        return found
