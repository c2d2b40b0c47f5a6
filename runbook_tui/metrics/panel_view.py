"""What one metric panel shows, computed from `RunState` alone (no Textual: the UI draws it).

A live run, a resumed one, the verifier's replica and a replay fold the same
events into the state, so they all get the same views.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from runbook_tui.engine.http_bounded import short
from runbook_tui.engine.state import RunState
from runbook_tui.metrics.guards import format_value, no_data_words, panel_level
from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.safe_text import visible_line

#: Readings drawn in a sparkline (the state keeps more; the width buckets them anyway).
SPARK_POINTS = 120
#: A reading older than this many intervals is stale: its age turns amber.
STALE_INTERVALS = 3
#: Characters of an error a panel shows (the journal of another version, or another program, may hold more).
ERROR_CHARS = 300
#: How the sources (sources.py, prom_answer.py) begin an error when the source answered but gave no number:
#: NaN, an infinity, an empty result, no matching series, a query it refused. Not "unreachable": Prometheus is there.
READ_BUT_NO_VALUE = (
    "the value is ",
    "the query returned ",
    "the query returns ",
    "the query's scalar ",
    "the exporter at ",
    "bad query: ",
    "Prometheus refused the query",  # HTTP 400/422: a parse error, an unknown function (prom_answer.http_error)
    "Prometheus said the query failed",  # status "error" in an HTTP 200 answer (prom_answer.parse)
)
#: Readings the trend arrow compares the newest one with.
TREND_WINDOW = 5


def parse_ts(text: str) -> float:
    return dt.datetime.fromisoformat(str(text)).timestamp()


def age_words(seconds: float) -> str:
    seconds = max(seconds, 0.0)
    return f"{seconds:.0f}s ago" if seconds < 90 else f"{format_duration(seconds)} ago"


def short_age(seconds: float) -> str:
    """An age in one unit, for a one-line head: `41s`, `2m`, `3h`, `2d` (rounded down: never younger than it is said)."""
    seconds = max(seconds, 0.0)
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size * (1.5 if unit == "m" else 1):
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:.0f}s"


def outage_heads(view: PanelView) -> list[str]:
    """What a one-line head says while readings fail, longest first: the state word with the last value and its own
    age (`UNREACHABLE (last 41% 2m ago)`), shorter forms for a narrow panel, the word alone last."""
    word = "UNREACHABLE" if view.state == "unreachable" else "NO VALUE"
    if view.value is None or view.value_age is None:
        return [word]
    value, age = format_value(view.value, view.unit, view.thresholds), short_age(view.value_age)
    return [f"{word} (last {value} {age} ago)", f"{word} (last {value} {age})", f"{word} ({value} {age})", word]


@dataclass(frozen=True, slots=True)
class PanelView:
    """Everything one panel shows, computed from the state (pure: testable without a screen)."""

    id: str
    title: str
    unit: str
    state: str  # ok warn critical unreachable (the source failed) novalue (it answered: NaN, +Inf, no series) unknown
    value: float | None  # the last reading with a value
    error: str | None
    values: tuple[float, ...]
    trend: str  # ↑ ↓ → or ""
    worsening: bool | None  # the trend goes toward the bad side (None: flat or unknown)
    age: float | None  # seconds since the last reading
    value_age: float | None  # seconds since `value` was read (older than `age` while readings fail)
    stale: bool
    baseline: str  # "before 180 ms", "before: n/a (...)", ""
    lines: str  # "warn 200 / crit 300"
    direction: str
    note: str | None = None  # what the value leaves out: `1 of 3 series NaN (no number): the value is of the other 2`
    infinite: float | None = None  # the last reading is +Inf or -Inf (its `error` says it): shown as the value, judged so
    series: str | None = None  # which of several series the value is: `the worst of 2 series: service="batch"`
    thresholds: tuple[float, ...] = ()  # warn and critical: a value is said on its side of each (299.996 not `300.0`)

    @property
    def note_short(self) -> str:
        """The note for a head: `1/3 NaN`, `3m20s old` (the value's one series), `1/3 stale`."""
        note, said = self.note or "", []
        if match := re.match(r"(\d+) of (\d+) series NaN", note):
            said.append(f"{match[1]}/{match[2]} NaN")
        if match := re.search(r"its last sample is (\S+) old", note):
            said.append(f"{match[1]} old")
        elif match := re.search(r"(\d+) of (\d+) series (?:of .+? )?last sampled", note):
            said.append(f"{match[1]}/{match[2]} stale")
        if note.startswith("staleness not checked"):  # an offset or @ in the query (metrics/staleness.py)
            said.append("age unknown")
        return ", ".join(said)


def panel_view(panel: Mapping[str, Any], state: RunState, now: float, interval: float) -> PanelView:
    pid = str(panel["id"])
    unit = visible_line(str(panel.get("unit") or ""))  # the runbook's text: an escape in it must not reach the terminal
    direction = str(panel.get("direction") or "above")
    readings = state.samples.get(pid, ())
    values = tuple(float(v) for _ts, v in readings[-SPARK_POINTS:] if v is not None)
    error = _shown(state.metric_errors.get(pid))
    # The last value with its time from the fold, not from the readings kept: an outage longer than them (120 sparkline
    # points, 10 minutes at 5 s) lost both, and the panel read `UNREACHABLE` alone.
    value_at, value = state.metric_last.get(pid, (None, None))
    infinite = {"the value is +Inf": math.inf, "the value is -Inf": -math.inf}.get((error or "")[:17])
    kind: str
    if infinite is not None:  # a reading past every line on its side: the guard judges it so, and the head says so
        kind = panel_level(panel, infinite)
    elif error:
        kind = "novalue" if error.startswith(READ_BUT_NO_VALUE) else "unreachable"
    elif value is None:
        kind = "unknown"
    else:
        kind = panel_level(panel, value)
    scale = max([abs(float(panel[k])) for k in ("warn", "critical") if panel.get(k) is not None] + [abs(v) for v in values] + [1e-9])
    trend, worsening = _trend(values, direction, scale)
    age = now - parse_ts(readings[-1][0]) if readings else None
    value_age = now - parse_ts(value_at) if value_at is not None else None
    stale = age is not None and age > STALE_INTERVALS * max(interval, 0.1) and not state.finished  # finished: readings stop
    return PanelView(
        id=pid,
        title=_shown(str(panel.get("title") or pid)) or pid,
        unit=unit,
        state=kind,
        value=value,
        error=error,
        values=values,
        trend=trend,
        worsening=worsening,
        age=age,
        value_age=value_age,
        stale=stale,
        baseline=_baseline_words(state.baselines.get(pid), unit),
        lines=_lines_words(panel, unit),
        direction=direction,
        note=None if error else _shown(state.metric_notes.get(pid)),
        infinite=infinite,
        series=None if error else _shown(state.metric_series.get(pid)),
        thresholds=tuple(float(panel[k]) for k in ("warn", "critical") if panel.get(k) is not None),
    )


def _shown(text: str | None) -> str | None:
    """Text from the journal (a peer's error, a runbook's title) as one visible, bounded line: it reaches a terminal."""
    return short(text, ERROR_CHARS) if text else text


def _trend(values: Sequence[float], direction: str, scale: float) -> tuple[str, bool | None]:
    """The newest reading against the mean of the few before it; changes under 3% of the panel's scale are flat."""
    if len(values) < 2:
        return "", None
    last = values[-1]
    window = values[-TREND_WINDOW - 1 : -1]
    before = math.fsum(v / len(window) for v in window)  # each term divided first: huge readings cannot overflow the sum
    if abs(last - before) <= scale * 0.03:
        return "→", None
    rising = last > before
    return ("↑" if rising else "↓"), (rising if direction != "below" else not rising)


def _baseline_words(baseline: Mapping[str, Any] | None, unit: str) -> str:
    if baseline is None:
        return ""
    if baseline.get("value") is not None:
        return f"before {format_value(float(baseline['value']), unit)}"
    return "before: n/a"


def _lines_words(panel: Mapping[str, Any], unit: str) -> str:
    """`warn 200 / crit 300 → rollback · no data → pause` (`crit ≤200` when low is bad), or `crit 300 or no data → pause`:
    what the guard does past its line, said before it does it (the panel named the no-data rule only)."""
    low = panel.get("direction") == "below"
    parts = []
    if panel.get("warn") is not None:
        parts.append(f"warn {'≤' if low else ''}{format_value(float(panel['warn']))}")
    no_data = no_data_words(panel)
    if panel.get("critical") is not None:
        crit = f"crit {'≤' if low else ''}{format_value(float(panel['critical']))}"
        action = panel.get("on_critical")  # absent from journals older than it
        if action and no_data == f"no data → {action}":
            return " / ".join([*parts, f"{crit} or {no_data}"])
        parts.append(f"{crit} → {action}" if action else crit)
    return " / ".join(parts) + (f" · {no_data}" if no_data else "")


def guard_panels_first(panels: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The panels whose guard can pause or roll back the run come first: they matter most when room is short."""
    # A panel without `critical` has no guard, whatever `on_critical` says (its default is pause).
    return sorted(panels, key=lambda panel: panel.get("critical") is None or panel.get("on_critical") not in ("pause", "rollback"))
