"""Metric panels: before-vs-now at a glance, for every panel of the runbook.

`PanelArea` renders from `RunState` alone (the `metrics_started` event
carries the panel definitions; `metric_sample`, `metric_baseline`,
`guard_tripped` and `success_checked` the rest), so a live run, a resumed
one, the verifier's replica and a replay all draw the same panels. It never
talks to Prometheus: the metrics layer journals readings, this draws them.

Each compact panel: the title and the current value with its unit and trend
arrow; a sparkline of recent readings coloured by the panel's state (ok,
warn, critical, unreachable); the baseline ("before 180 ms") next to the
warn/critical lines; the age of the last reading (amber once older than
three intervals) or, when the source fails, the error in words. While a
`wait` step with `watch:` runs, the area takes the class `watching` and the
watched panels the class `watched`: they are drawn large.

A guard trip shows a toast and posts `PanelArea.GuardTripped`; the run
screen opens the rollback list for `on_critical: rollback`.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Group
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import Container, Vertical
from textual.message import Message
from textual.widgets import Sparkline, Static

from runbook_tui.engine.state import RunState
from runbook_tui.metrics.guards import format_value, no_data_words, panel_level
from runbook_tui.runbook.durations import format_duration
from runbook_tui.ui.glyphs import colour

#: Readings drawn in a sparkline (the state keeps more; the width buckets them anyway).
SPARK_POINTS = 120
#: A reading older than this many intervals is stale: its age turns amber.
STALE_INTERVALS = 3
#: Readings the trend arrow compares the newest one with.
TREND_WINDOW = 5
#: Width a compact panel wants; the grid fits as many columns as the width allows.
PANEL_WIDTH = 38
PULL_SECONDS = 0.5

STATE_TONE: dict[str, str] = {"ok": "success", "warn": "warning", "critical": "error", "unreachable": "warning", "unknown": "muted"}
STATE_MARK: dict[str, str] = {"ok": "●", "warn": "▲", "critical": "■", "unreachable": "⚠", "unknown": "○"}
ACTION_WORDS = {"pause": "the run is paused", "rollback": "roll back: the undo list opens", "notify": "notified only"}


def parse_ts(text: str) -> float:
    return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()


def _age(seconds: float) -> str:
    seconds = max(seconds, 0.0)
    return f"{seconds:.0f}s ago" if seconds < 90 else f"{format_duration(seconds)} ago"


@dataclass(frozen=True, slots=True)
class PanelView:
    """Everything one panel shows, computed from the state (pure: testable without a screen)."""

    id: str
    title: str
    unit: str
    state: str  # ok warn critical unreachable unknown
    value: float | None  # the last reading with a value
    error: str | None
    values: tuple[float, ...]
    trend: str  # ↑ ↓ → or ""
    worsening: bool | None  # the trend goes toward the bad side (None: flat or unknown)
    age: float | None  # seconds since the last reading
    stale: bool
    baseline: str  # "before 180 ms", "before: n/a (...)", ""
    lines: str  # "warn 200 / crit 300"
    direction: str


def panel_view(panel: Mapping[str, Any], state: RunState, now: float, interval: float) -> PanelView:
    pid = str(panel["id"])
    unit = str(panel.get("unit") or "")
    direction = str(panel.get("direction") or "above")
    readings = state.samples.get(pid, ())
    values = tuple(float(v) for _ts, v in readings[-SPARK_POINTS:] if v is not None)
    error = state.metric_errors.get(pid)
    value = values[-1] if values else None
    if error:
        kind = "unreachable"
    elif value is None:
        kind = "unknown"
    else:
        kind = panel_level(panel, value)
    scale = max([abs(float(panel[k])) for k in ("warn", "critical") if panel.get(k) is not None] + [abs(v) for v in values] + [1e-9])
    trend, worsening = _trend(values, direction, scale)
    age = now - parse_ts(readings[-1][0]) if readings else None
    stale = age is not None and age > STALE_INTERVALS * max(interval, 0.1) and not state.finished  # finished: readings stop
    return PanelView(
        id=pid,
        title=str(panel.get("title") or pid),
        unit=unit,
        state=kind,
        value=value,
        error=error,
        values=values,
        trend=trend,
        worsening=worsening,
        age=age,
        stale=stale,
        baseline=_baseline_words(state.baselines.get(pid), unit),
        lines=_lines_words(panel, unit),
        direction=direction,
    )


def _trend(values: Sequence[float], direction: str, scale: float) -> tuple[str, bool | None]:
    """The newest reading against the mean of the few before it; changes under 3% of the panel's scale are flat."""
    if len(values) < 2:
        return "", None
    last = values[-1]
    before = statistics.fmean(values[-TREND_WINDOW - 1 : -1])
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
    """`warn 200 / crit 300` (`crit < 200` when low is bad)."""
    low = panel.get("direction") == "below"
    parts = []
    if panel.get("warn") is not None:
        parts.append(f"warn {'≤' if low else ''}{format_value(float(panel['warn']))}")
    if panel.get("critical") is not None:
        parts.append(f"crit {'≤' if low else ''}{format_value(float(panel['critical']))}")
    return " / ".join(parts) + (f" · {no_data_words(panel)}" if no_data_words(panel) else "")


class ThresholdSparkline(Sparkline):
    """A sparkline on the panel's own scale: zero (or the lowest reading) up to the critical line.

    Textual's Sparkline stretches whatever the data spans over the full
    height, so 180-186 ms would look like a storm. Here the bars are drawn
    against the lines, and each bar takes the colour of its level (ok, warn,
    critical), so where the values stand is visible without reading numbers.
    Assign a new list to `data` to redraw (as with Sparkline).
    """

    COMPONENT_CLASSES = {"threshold-sparkline--ok", "threshold-sparkline--warn", "threshold-sparkline--critical"}
    DEFAULT_CSS = """
    ThresholdSparkline { height: 1; }
    ThresholdSparkline > .threshold-sparkline--ok { color: $success; }
    ThresholdSparkline > .threshold-sparkline--warn { color: $warning; }
    ThresholdSparkline > .threshold-sparkline--critical { color: $error; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__([], **kwargs)
        self.panel: Mapping[str, Any] = {}
        self._colours: tuple[str, dict[str, Style]] | None = None

    def render(self) -> RenderResult:
        data = list(self.data or [])
        width, height = self.size.width, max(self.size.height, 1)
        theme = self.app.current_theme.name
        if self._colours is None or self._colours[0] != theme:
            styles = {name: self.get_component_rich_style(f"threshold-sparkline--{name}") for name in ("ok", "warn", "critical")}
            self._colours = (theme, styles)
        return _Bars(data, self.panel, width, height, self._colours[1])


class _Bars:
    BARS = "▁▂▃▄▅▆▇█"

    def __init__(self, data: list[float], panel: Mapping[str, Any], width: int, height: int, colours: Mapping[str, Style]) -> None:
        self.data, self.panel, self.width, self.height, self.colours = data, panel, width, height, colours

    def __rich_console__(self, console: Any, options: Any) -> Any:
        width, height = self.width or options.max_width, self.height
        data = self.data
        if not data or width <= 0:
            for row in range(height):
                yield Segment(" " * width)
                if row < height - 1:
                    yield Segment.line()
            return
        direction = str(self.panel.get("direction") or "above")
        lines = [float(self.panel[k]) for k in ("warn", "critical") if self.panel.get(k) is not None]
        low = min([0.0, *data])
        high = max([*data, *lines]) or 1.0
        span = (high - low) or 1.0
        pick = max if direction != "below" else min
        # Newest on the right; one bar per column, older readings merged into buckets when they outnumber the columns.
        # A few readings get wider bars (up to 3 columns) so a fresh panel is not a sliver at the right edge.
        bar_width = max(1, min(3 if height > 1 else 2, width // max(len(data), 1)))
        count = min(len(data), width // bar_width)
        buckets = [data[int(i * len(data) / count) : int((i + 1) * len(data) / count)] or [data[-1]] for i in range(count)]
        values = [pick(bucket) for bucket in buckets]
        styles = [self.colours[panel_level(self.panel, v) if panel_level(self.panel, v) != "unknown" else "ok"] for v in values]
        levels = len(self.BARS) * height
        heights = [max(1, round((v - low) / span * levels)) for v in values]
        pad = width - count * bar_width
        for row in reversed(range(height)):
            yield Segment(" " * pad)
            for bar, style in zip(heights, styles):
                part = bar - row * len(self.BARS)
                char = " " if part <= 0 else "█" if part >= len(self.BARS) else self.BARS[part - 1]
                yield Segment(char * bar_width, style)
            if row:
                yield Segment.line()


class MetricPanel(Vertical):
    """One compact panel: head (title, value, trend), sparkline, foot (before, lines, age or error)."""

    DEFAULT_CSS = """
    MetricPanel {
        height: auto;
        min-width: 24;
        padding: 0 1 0 0;
    }
    MetricPanel > .panel-head { height: 1; }
    MetricPanel > ThresholdSparkline { height: 1; }
    MetricPanel > .panel-foot { height: auto; max-height: 4; }
    MetricPanel.critical > .panel-head { background: $error 20%; }
    """

    STATES = ("ok", "warn", "critical", "unreachable", "unknown")

    def __init__(self, panel_id: str) -> None:
        super().__init__(id=f"panel-{panel_id}", classes="unknown")
        self.panel_id = panel_id
        self._shown: tuple[Any, Any] | None = None
        self._view: PanelView | None = None
        self._panel: Mapping[str, Any] = {}
        self._ready = False

    def compose(self) -> ComposeResult:
        yield Static(classes="panel-head")
        yield ThresholdSparkline(classes="panel-spark")
        yield Static(classes="panel-foot")

    def on_mount(self) -> None:
        self._ready = True
        if self._view is not None:
            self.show(self._view, self._panel)

    def show(self, view: PanelView, panel: Mapping[str, Any]) -> None:
        """Draw `view` (kept until the panel is mounted, when it arrives before)."""
        self._view, self._panel = view, panel
        if not self._ready:
            return
        theme = self.app.current_theme
        # Each part is redrawn only when what it shows changed (the age ticks every second; values once a poll).
        head = (view.state, view.value, view.trend, view.worsening, view.title, view.unit, theme.name)
        foot = (view.baseline, view.lines, view.error, view.value if view.error else None, None if view.age is None else int(view.age), view.stale, theme.name)
        shown_head, shown_foot = self._shown or (None, None)
        if (head, foot) == (shown_head, shown_foot) and self.query_one(ThresholdSparkline).data == list(view.values):
            return
        self._shown = (head, foot)
        for name in self.STATES:
            self.set_class(view.state == name, name)
        tone = colour(theme, STATE_TONE[view.state])
        spark = self.query_one(ThresholdSparkline)
        if spark.panel != panel:
            spark.panel = panel
            spark.refresh()
        if spark.data != list(view.values):
            spark.data = list(view.values)  # a new list: Sparkline redraws on assignment only
        # No relayout where the height cannot change: the head is one line; the foot is two unless an error wraps.
        if head != shown_head:
            self.query_one(".panel-head", Static).update(self._head(view, tone, theme), layout=False)
        if foot != shown_foot:
            relayout = shown_foot is None or bool(view.error) or bool(shown_foot[2])
            self.query_one(".panel-foot", Static).update(self._foot(view, tone, theme), layout=relayout)

    def _head(self, view: PanelView, tone: str, theme: Any) -> Table:
        left = Text()
        left.append(f"{STATE_MARK[view.state]} ", style=tone)
        left.append(view.title, style="bold")
        right = Text()
        if view.state == "unreachable":
            right.append("UNREACHABLE", style=f"bold {tone}")
        elif view.value is None:
            right.append("no reading yet", style=colour(theme, "muted"))
        else:
            right.append(format_value(view.value, view.unit), style=f"bold {tone}")
            if view.trend:
                arrow = "warning" if view.worsening else "success" if view.worsening is False else "muted"
                right.append(f" {view.trend}", style=f"bold {colour(theme, arrow)}")
            label = {"warn": " WARN", "critical": " CRIT"}.get(view.state, "")
            if label:
                right.append(label, style=f"bold reverse {tone}")
        grid = Table.grid(expand=True)
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="right", no_wrap=True)
        grid.add_row(left, right)
        return grid

    def _foot(self, view: PanelView, tone: str, theme: Any) -> Group:
        muted = colour(theme, "muted")
        first = Text(no_wrap=True, overflow="ellipsis")
        if view.baseline:
            first.append(view.baseline, style="bold")
        if view.lines:
            first.append((" · " if view.baseline else "") + view.lines, style=muted)
        second = Text(overflow="fold")
        if view.error:
            second.append(view.error, style=tone)
            last = f"last {format_value(view.value, view.unit)}, " if view.value is not None else ""
            if view.age is not None:
                second.append(f" ({last}{_age(view.age)})", style=muted)
        elif view.age is None:
            second.append("waiting for the first reading", style=muted)
        else:
            second.append(_age(view.age) + (" — stale" if view.stale else ""), style=colour(theme, "warning") if view.stale else muted)
        return Group(first, second)


class PanelArea(Vertical):
    """Every metric panel of the run, drawn from `RunState`; see the module docstring."""

    DEFAULT_CSS = """
    PanelArea {
        height: auto;
        max-height: 14;
        overflow-y: auto;
    }
    PanelArea.watching {
        max-height: 70%;
    }
    PanelArea.watching MetricPanel.watched > ThresholdSparkline {
        height: 6;
    }
    PanelArea > #metrics-summary {
        height: auto;
    }
    PanelArea > #metrics-grid {
        layout: grid;
        grid-size: 2;
        grid-gutter: 0 2;
        grid-rows: auto;
        height: auto;
    }
    """

    class GuardTripped(Message):
        """A guard tripped (once per trip, as it arrives): the run screen decides what to open."""

        def __init__(self, trip: Mapping[str, Any]) -> None:
            super().__init__()
            self.trip = trip

    def __init__(
        self,
        state: Callable[[], RunState] | None = None,
        *,
        clock: Callable[[], float] = time.time,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._state = state
        self._clock = clock
        self._panel_ids: tuple[str, ...] = ()
        self._trips_seen: int | None = None
        self._last_key: tuple[Any, ...] = ()
        self._last_summary: tuple[str, Text] | None = None
        self._columns = 0

    def compose(self) -> ComposeResult:
        yield Static("No metric panels in this runbook.", id="metrics-summary")
        yield Container(id="metrics-grid")

    def on_mount(self) -> None:
        if self._state is not None:
            self.set_interval(PULL_SECONDS, self._pull)
            self.call_after_refresh(self._pull)

    def _pull(self) -> None:
        if self._state is not None:
            self.show(self._state())

    def on_resize(self) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        grid = self.query_one("#metrics-grid")
        # The width without a scrollbar, whether one shows or not: columns must not flip when it comes and goes.
        width = self.region.width - self.styles.gutter.width - self.styles.scrollbar_size_vertical
        count = max(len(self._panel_ids), 1)
        columns = max(1, min(count, width // PANEL_WIDTH if width else 2))
        if columns != self._columns:
            self._columns = columns
            grid.styles.grid_size_columns = columns
        watching = self.has_class("watching")
        for panel in self.query(MetricPanel):
            span = columns if watching and panel.has_class("watched") else 1
            if panel.styles.column_span != span:  # setting a style, even to its value, costs a relayout
                panel.styles.column_span = span

    def show(self, state: RunState) -> None:
        """Redraw from `state` (cheap when nothing changed: the age text changes once a second)."""
        now = self._clock()
        key = (state.seq, int(now), self.app.current_theme.name)
        if key == self._last_key:
            return
        self._last_key = key
        metrics = state.metrics
        self.display = bool(metrics)  # no panels in this runbook: the output gets the room
        panels: list[Mapping[str, Any]] = list(metrics.get("panels") or [])
        ids = tuple(str(p["id"]) for p in panels)
        if ids != self._panel_ids:
            self._rebuild(ids)
        self._watch(state, ids)
        interval = float(metrics.get("interval") or 5.0)
        for panel in panels:
            widget = self.query_one(f"#panel-{panel['id']}", MetricPanel)
            widget.show(panel_view(panel, state, now, interval), panel)
        summary = self._summary(state, now)
        if (self.app.current_theme.name, summary) != self._last_summary:
            self._last_summary = (self.app.current_theme.name, summary)
            self.query_one("#metrics-summary", Static).update(summary)
        self._guard_trips(state)

    def _rebuild(self, ids: tuple[str, ...]) -> None:
        self._panel_ids = ids
        grid = self.query_one("#metrics-grid")
        grid.remove_children()
        if ids:
            grid.mount_all([MetricPanel(pid) for pid in ids])
        self._columns = 0
        self.call_after_refresh(self._fit_columns)

    def _watch(self, state: RunState, ids: tuple[str, ...]) -> None:
        """A running `wait` step with `watch:` draws its panels large."""
        watched: set[str] = set()
        current = state.current
        if current is not None and state.steps[current].status == "running":
            entry = state.plan_steps.get(current, {})
            if entry.get("kind") == "wait":
                watched = set(entry.get("watch") or ()) & set(ids)
        changed = self.has_class("watching") != bool(watched)
        self.set_class(bool(watched), "watching")
        for panel in self.query(MetricPanel):
            if panel.has_class("watched") != (panel.panel_id in watched):
                changed = True
            panel.set_class(panel.panel_id in watched, "watched")
        if changed:
            self._fit_columns()

    def _summary(self, state: RunState, now: float) -> Text:
        """One line about the source and one per success criterion (checking / met / not met)."""
        theme = self.app.current_theme
        muted = colour(theme, "muted")
        metrics = state.metrics
        if not metrics:
            return Text("No metric panels in this runbook.", style=muted)
        source = metrics.get("source") or {}
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"metrics from {source.get('kind')} {source.get('url')}, every {format_duration(float(metrics.get('interval') or 0))}", style=muted)
        if state.finished:
            text.append("  (readings stopped: the session is finished)", style=muted)
        criteria = list(metrics.get("success") or [])
        if not criteria:
            return text
        results: dict[str, Mapping[str, Any]] = {}
        for check in state.success_checks:
            results[str((check.get("criterion") or {}).get("text"))] = check
        pending = {str(p.get("text")): p for p in state.success_pending}
        lines = [text]
        for criterion in criteria:
            words = str(criterion.get("text"))
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append("success: ", style=muted)
            line.append(words)
            if words in pending:
                until = pending[words].get("until")
                left = f" ({format_duration(max(parse_ts(until) - now, 0))} left)" if until else ""
                line.append(f"  … checking{left}", style=colour(theme, "accent"))
            elif words in results:
                met = results[words].get("met")
                if met is True:
                    line.append(f"  ✓ met ({format_value(results[words].get('value'), _unit_of(metrics, criterion))})", style=colour(theme, "success"))
                elif met is False:
                    line.append("  ✗ NOT met" + _last(results[words], metrics, criterion), style=f"bold {colour(theme, 'error')}")
                else:
                    line.append("  not decided", style=colour(theme, "warning"))
            else:
                line.append("  checked after the verify section and at the end", style=muted)
            lines.append(line)
        joined = Text("\n").join(lines)
        joined.no_wrap, joined.overflow = True, "ellipsis"
        return joined

    def _guard_trips(self, state: RunState) -> None:
        trips = state.guard_trips
        if self._trips_seen is None:
            self._trips_seen = len(trips)  # trips from before this screen (resume) were seen then
            return
        for trip in trips[self._trips_seen :]:
            words = trip.get("words") or f"guard '{trip.get('panel')}' tripped"
            action = str(trip.get("action"))
            self.notify(f"{words}: {ACTION_WORDS.get(action, action)}", title="Guard tripped", severity="error" if action != "notify" else "warning", timeout=12, markup=False)
            self.post_message(self.GuardTripped(trip))
        self._trips_seen = len(trips)


def _unit_of(metrics: Mapping[str, Any], criterion: Mapping[str, Any]) -> str:
    for panel in metrics.get("panels") or []:
        if panel.get("id") == criterion.get("panel"):
            return str(panel.get("unit") or "")
    return ""


def _last(result: Mapping[str, Any], metrics: Mapping[str, Any], criterion: Mapping[str, Any]) -> str:
    value = result.get("value")
    return f" (last {format_value(value, _unit_of(metrics, criterion))})" if value is not None else ""
