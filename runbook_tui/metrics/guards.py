"""Guards and thresholds, pure: no I/O, no clock of their own, no asyncio.

A panel's guard trips when its value stays past `critical` (on the side
`direction` says is bad) for `for` seconds without a break: one `Trip`, once.
It re-arms when a reading is back on the good side, so a second excursion
trips again. A reading without a value (the source failed) neither breaks
nor extends the excursion: a Prometheus outage must not hide a problem that
was already building, nor invent one.

A guard must not go quiet when its data does: `NoDataGuard` trips (once per
outage) when a guard panel has had no successful reading for its `for`
(source down, empty result, scrape failing) and acts on `on_no_data`.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from runbook_tui.engine.line_side import on_its_side
from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.lean_dataclass import dataclass, field
from runbook_tui.runbook.model import MetricCheck, Panel

Direction = Literal["above", "below"]
Level = Literal["ok", "warn", "critical", "unknown"]

#: Readings a trip carries as evidence (the ones that tripped it, newest last).
TRIP_SAMPLES = 30


def past(value: float, line: float, direction: str) -> bool:
    """Is `value` on the bad side of `line` (reaching the line counts: the line is "the value at which")?"""
    return value >= line if direction != "below" else value <= line


def level(value: float | None, *, warn: float | None, critical: float | None, direction: str = "above") -> Level:
    """ok / warn / critical for a value against a panel's lines; unknown without a value."""
    if value is None:
        return "unknown"
    if critical is not None and past(value, critical, direction):
        return "critical"
    if warn is not None and past(value, warn, direction):
        return "warn"
    return "ok"


def format_value(value: float | None, unit: str = "", lines: Iterable[float | None] = ()) -> str:
    """A value as a panel shows it: few digits, the unit after a space (none for %); beside `lines` (the thresholds it
    is judged against), with the digits that keep it on its side of each (299.996 under 300 read `300.0`)."""
    if value is None:
        return "—"
    if not math.isfinite(value):  # an infinite reading in a guard's words: as Prometheus writes it
        text = "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
        return f"{text} {unit}".rstrip() if unit not in ("%", "x") else text + unit
    magnitude = abs(value)
    if magnitude >= 1e12:  # digits beyond a dozen are not read at a glance (1e308 would be 400 characters)
        text = f"{value:.3g}"
    elif magnitude >= 1000 or value == int(value):
        text = f"{value:,.0f}"
    elif magnitude >= 100:
        text = f"{value:.1f}"
    elif magnitude >= 1:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:.3g}"
    text = on_its_side(value, text, lines)
    if not unit:
        return text
    return f"{text}{unit}" if unit in ("%", "x") else f"{text} {unit}"


def finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class Trip:
    """A guard tripped: the journal's `guard_tripped` payload."""

    panel: str
    value: float
    threshold: float
    direction: str
    for_seconds: float
    action: str
    since: float  # when the excursion began (Unix time)
    samples: tuple[tuple[float, float], ...]  # (time, value) readings past the line

    def words(self, unit: str = "") -> str:
        side = "above" if self.direction != "below" else "below"
        held = f" for {format_duration(self.for_seconds)}" if self.for_seconds else ""
        return f"guard '{self.panel}' tripped: {format_value(self.value, unit, (self.threshold,))} {side} {format_value(self.threshold, unit)}{held}"

    def payload(self) -> dict[str, Any]:
        # An infinite reading has no JSON number: null, and the words say +Inf (json would write `Infinity`).
        return {
            "panel": self.panel,
            "value": finite_or_none(self.value),
            "threshold": self.threshold,
            "direction": self.direction,
            "for": self.for_seconds,
            "action": self.action,
            "since": self.since,
            "samples": [[ts, finite_or_none(value)] for ts, value in self.samples],
        }


@dataclass
class Guard:
    """One panel's guard. Feed it every reading in time order with `observe`."""

    panel: str
    critical: float | None
    direction: str = "above"
    for_seconds: float = 0.0
    action: str = "pause"
    since: float | None = None  # start of the current excursion past critical
    tripped: bool = False  # tripped during this excursion: waits for a recovery to re-arm
    evidence: deque[tuple[float, float]] = field(default_factory=lambda: deque(maxlen=TRIP_SAMPLES))

    @classmethod
    def for_panel(cls, panel: Panel) -> Guard:
        return cls(panel.id, panel.critical, panel.direction, panel.for_seconds, panel.on_critical)

    def observe(self, ts: float, value: float | None) -> Trip | None:
        """The trip this reading causes, if any."""
        if self.critical is None or value is None:
            return None
        if not past(value, self.critical, self.direction):
            self.since = None
            self.tripped = False
            self.evidence.clear()
            return None
        if self.since is None:
            self.since = ts
        self.evidence.append((ts, value))
        if self.tripped or ts - self.since < self.for_seconds:
            return None
        self.tripped = True
        return Trip(self.panel, value, self.critical, self.direction, self.for_seconds, self.action, self.since, tuple(self.evidence))


@dataclass(frozen=True, slots=True)
class NoDataTrip:
    """A guard panel without a successful reading for its `for`: also journaled as `guard_tripped` (no_data: true)."""

    panel: str
    for_seconds: float
    action: str  # on_no_data: pause | notify
    since: float  # the last successful reading (or when watching began)
    at: float
    error: str

    def words(self, unit: str = "") -> str:
        # The error after a colon: in brackets it nested (`(the value is NaN (not a number: ...))`) on every screen.
        held = max(self.at - self.since, self.for_seconds)  # under a second (`for: 0s`, a source never reached): no span
        lasted = f"has had no data for {format_duration(held)}" if held >= 1 else "has no data"  # it said `for 7ms`
        return f"guard '{self.panel}' {lasted}: {self.error}"

    def payload(self) -> dict[str, Any]:
        return {
            "panel": self.panel,
            "value": None,
            "threshold": None,
            "for": self.for_seconds,
            "action": self.action,
            "since": self.since,
            "samples": [],
            "no_data": True,
            "error": self.error,
        }


@dataclass
class NoDataGuard:
    """Trips when a guard panel has had no successful reading for `for_seconds`; re-arms on the next good reading."""

    panel: str
    for_seconds: float
    action: str
    last_ok: float  # the last successful reading, or when watching began
    tripped: bool = False

    @classmethod
    def for_panel(cls, panel: Panel, started: float) -> NoDataGuard | None:
        """None for a panel that guards nothing (no `critical`) or ignores missing data."""
        if panel.critical is None or panel.on_no_data == "ignore":
            return None
        return cls(panel.id, panel.for_seconds, panel.on_no_data, started)

    def observe(self, ts: float, value: float | None, error: str | None) -> NoDataTrip | None:
        if value is not None and error is None:
            self.last_ok = ts
            self.tripped = False
            return None
        if self.tripped or ts - self.last_ok < self.for_seconds:
            return None
        self.tripped = True
        return NoDataTrip(self.panel, self.for_seconds, self.action, self.last_ok, ts, error or "no value")


def blind_outlook(guards: Mapping[str, NoDataGuard], panels: list[str]) -> str:
    """What comes of these panels' readings failing, said where the failure is: the run goes on, unless a guard of one
    of them pauses it once its `for` passes without data (before, "the run goes on" came two seconds before the pause)."""
    pausing = [guard for panel in sorted(panels) if (guard := guards.get(panel)) is not None and guard.action == "pause"]
    if not pausing:
        return "the run goes on, panels keep trying"
    said = "; ".join(f"guard '{guard.panel}' pauses the run after {format_duration(guard.for_seconds)} without data" for guard in pausing)
    return f"panels keep trying; {said}"


def no_data_words(panel: Mapping[str, Any]) -> str:
    """What a guard panel does without data, as the panel states it (`no data → pause`); empty when nothing."""
    action = panel.get("on_no_data")
    if panel.get("critical") is None or action in (None, "ignore"):
        return ""
    return f"no data → {action}"


# -- measured conditions: expect.metric and metrics.success -------------------------------------


def holds(check: MetricCheck, value: float | None) -> bool:
    """Does a value meet `{below: N}` / `{above: N}` (strictly)?"""
    if value is None:
        return False
    if check.below is not None:
        return value < check.below
    if check.above is not None:
        return value > check.above
    return False


def check_words(check: MetricCheck, unit: str = "") -> str:
    """`p99 below 250 ms within 10m`, as the journal and the screen say it."""
    side, line = ("below", check.below) if check.below is not None else ("above", check.above)
    within = f" within {format_duration(check.within_seconds)}" if check.within_seconds else ""
    return f"{check.panel} {side} {format_value(line, unit)}{within}"


def panel_json(panel: Panel, query: str) -> dict[str, Any]:
    """A panel's definition as the journal records it, so replays and reports can draw it."""
    return {
        "id": panel.id,
        "title": panel.title,
        "query": query,
        "unit": panel.unit,
        "warn": panel.warn,
        "critical": panel.critical,
        "direction": panel.direction,
        "for": panel.for_seconds,
        "on_critical": panel.on_critical,
        "on_no_data": panel.on_no_data,
    }


def panel_level(panel: Mapping[str, Any], value: float | None) -> Level:
    """`level` for a panel as the journal records it (see `panel_json`)."""
    return level(value, warn=panel.get("warn"), critical=panel.get("critical"), direction=str(panel.get("direction") or "above"))
