"""What the guards had seen when the process stopped, read on resume's one pass over the journal.

A panel past its critical line for 4 of its 5 minutes when the process died
(kill -9, a lost laptop) is still past it when `resume` polls again. The
resumed guard goes on from the journaled readings instead of counting its
`for` from zero: the time without readings counts as a Prometheus outage
does (it neither breaks nor extends the excursion), so a value bad before and
bad after trips at once, and one good reading in between re-arms as usual.
An excursion the dead process journaled a trip for stays tripped (no second
trip for it). Likewise a source outage under way when the process stopped
goes on counting for the no-data guard from the last good reading; after a
good last reading, the no-data guard counts from the resume (the program's
absence is not the source's).

Memory stays small: one guard per panel, fed each `metric_sample` as it
passes, never the samples themselves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.metrics.guards import Guard, NoDataGuard
from runbook_tui.metrics.panel_view import parse_ts
from runbook_tui.runbook.lean_dataclass import dataclass, field


@dataclass
class GuardMemory:
    """Per panel: the guard as the journal's readings left it, the last good reading, and the trips journaled."""

    guards: dict[str, Guard] = field(default_factory=dict)
    last_ok: dict[str, float] = field(default_factory=dict)  # the last reading with a value
    failing: set[str] = field(default_factory=set)  # panels whose last journaled reading failed
    tripped_since: dict[str, float] = field(default_factory=dict)  # the last threshold trip's excursion start
    blind_tripped: set[str] = field(default_factory=set)  # a no-data trip journaled since the last good reading

    def note(self, event: Event) -> None:
        kind = event["type"]
        if kind == ev.METRICS_STARTED:
            panels = event.get("panels")
            for panel in panels if isinstance(panels, list) else ():
                # Every process journals it: the first made the guards. A journal is hostile: a field of the wrong type is no guard.
                if isinstance(panel, Mapping) and isinstance(panel.get("id"), str) and panel["id"] not in self.guards:
                    self.guards[panel["id"]] = _guard(panel)
        elif kind == ev.METRIC_SAMPLE:
            self._reading(str(event.get("panel")), event)
        elif kind == ev.GUARD_TRIPPED:
            panel = str(event.get("panel"))
            if event.get("no_data"):
                self.blind_tripped.add(panel)
            elif (since := _number(event.get("since"))) is not None:
                self.tripped_since[panel] = since

    def _reading(self, panel: str, event: Event) -> None:
        try:
            ts = parse_ts(str(event.get("ts_sample")))
        except ValueError:
            return
        infinite = {"+Inf": math.inf, "-Inf": -math.inf}.get(str(event.get("infinite")))  # journaled as null and words
        value = _number(event.get("value")) if infinite is None else infinite
        if panel in self.guards:
            self.guards[panel].observe(ts, value)  # before: an infinite excursion read as no reading; its `for` began anew
        if value is not None and (event.get("error") is None or infinite is not None):
            self.last_ok[panel] = ts
            self.failing.discard(panel)
            self.blind_tripped.discard(panel)
        else:
            self.failing.add(panel)

    def seed(self, guards: Mapping[str, Guard], blind: Mapping[str, NoDataGuard]) -> None:
        """Carry what the journal showed into a resumed run's guards (made from the same runbook)."""
        for panel, guard in guards.items():
            seen = self.guards.get(panel)
            if seen is None or seen.since is None or seen.critical != guard.critical or seen.direction != guard.direction:
                continue
            guard.since = seen.since
            guard.evidence.extend(seen.evidence)
            guard.tripped = self.tripped_since.get(panel, float("-inf")) >= seen.since  # journaled for this excursion
        for panel, no_data in blind.items():
            if panel in self.failing and panel in self.last_ok:
                no_data.last_ok = self.last_ok[panel]
                no_data.tripped = panel in self.blind_tripped


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _guard(panel: Mapping[str, Any]) -> Guard:
    return Guard(
        str(panel["id"]),
        _number(panel.get("critical")),
        str(panel.get("direction") or "above"),
        _number(panel.get("for")) or 0.0,
        str(panel.get("on_critical") or "pause"),
    )
