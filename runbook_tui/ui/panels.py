"""Metric panels: before-vs-now at a glance, for every panel of the runbook.

`PanelArea` renders from `RunState` alone (the `metrics_started` event
carries the panel definitions; `metric_sample`, `metric_baseline`,
`guard_tripped` and `success_checked` the rest), so a live run, a resumed
one, the verifier's replica and a replay all draw the same panels. It never
talks to Prometheus: the metrics layer journals readings, this draws them;
what a panel shows is computed in `runbook_tui.metrics.panel_view`.

Each panel: the title and the current value with its unit and trend arrow;
a sparkline of recent readings coloured by the panel's state (ok, warn,
critical, unreachable, no value); the warn/critical lines and what the guard
does past them (`warn 1 / crit 5 → rollback · no data → pause`); the baseline
("before 180 ms") and the age of the last reading (amber once older than
three intervals) or, when the source fails, the error in words. While a
step with `watch:` runs (a `wait`, or a command), the area takes the class `watching` and the
watched panels the class `watched`: they are drawn large. On a short
terminal the run screen gives the area the class `one-line`: each panel is
its head alone (value, level, trend), the guard-carrying panels first.

A guard trip that only notifies shows a toast; what a pause or a rollback
does is the controller's (engine/guard_response.py), and the status stack
shows it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.widgets import Static

from runbook_tui.engine.guard_response import trip_words
from runbook_tui.engine.state import RunState
from runbook_tui.metrics.guards import format_value
from runbook_tui.metrics.panel_view import (
    PanelView,
    age_words,
    guard_panels_first,
    outage_heads,
    panel_view,
    parse_ts,
    short_age,
)
from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.safe_text import cells, visible_line
from runbook_tui.ui.glyphs import colour
from runbook_tui.ui.panel_foot import fitted_error
from runbook_tui.ui.panel_label import head_label
from runbook_tui.ui.panels_hidden import hidden_words
from runbook_tui.ui.sparkline import ThresholdSparkline

#: Width a compact panel wants; the grid fits as many columns as the width allows.
PANEL_WIDTH = 38
PULL_SECONDS = 0.5
#: The foot's lines (its CSS max-height): the rules, then the baseline with the age or the error.
FOOT_LINES = 4

STATE_TONE: dict[str, str] = {"ok": "success", "warn": "warning", "critical": "error", "unreachable": "warning", "novalue": "warning", "unknown": "muted"}
STATE_MARK: dict[str, str] = {"ok": "●", "warn": "▲", "critical": "■", "unreachable": "⚠", "novalue": "?", "unknown": "○"}


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

    STATES = ("ok", "warn", "critical", "unreachable", "novalue", "unknown")

    def __init__(self, panel_id: str) -> None:
        super().__init__(classes="unknown")  # a panel id may hold '.' (and a journal anything): never a DOM id
        self.panel_id = panel_id
        self._shown: tuple[Any, Any] | None = None
        self._view: PanelView | None = None
        self._panel: Mapping[str, Any] = {}
        self._ready = False
        self._one_line = False

    def compose(self) -> ComposeResult:
        yield Static(classes="panel-head")
        yield ThresholdSparkline(classes="panel-spark")
        yield Static(classes="panel-foot")

    def on_mount(self) -> None:
        self._ready = True
        if self._view is not None:
            self.show(self._view, self._panel, self._one_line)

    def on_resize(self) -> None:
        if self._view is not None:  # the head (its label, an outage's words) and the foot's error are fitted to the width
            self.show(self._view, self._panel, self._one_line)

    def show(self, view: PanelView, panel: Mapping[str, Any], one_line: bool = False) -> None:
        """Draw `view` (kept until the panel is mounted, when it arrives before). `one_line`: the head is all that shows,
        so during an outage it carries the last value and its age, fitted to the panel's width."""
        self._view, self._panel, self._one_line = view, panel, one_line
        if not self._ready:
            return
        theme = self.app.current_theme
        # Each part is redrawn only when what it shows changed (the age ticks every second; values once a poll).
        outage = one_line and view.state in ("unreachable", "novalue")
        head = (
            view.state,
            view.value,
            view.infinite,
            view.note,
            view.trend,
            view.worsening,
            view.title,
            view.unit,
            theme.name,
            outage and view.value_age is not None and short_age(view.value_age),
            outage and self.size.width,
            self.size.width if cells(view.title) > len(self.panel_id) else 0,  # the title, or the id, fitted to the width
        )
        foot = (
            view.note,
            view.series,
            view.baseline,
            view.lines,
            view.error,
            view.value if view.error else None,
            None if view.age is None else int(view.age),
            None if view.value_age is None else int(view.value_age),
            view.stale,
            theme.name,
            bool(view.error) and self.size.width,
        )
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
        # No relayout where the height cannot change: the head is one line; the foot two, more when the rules or an error wrap.
        if head != shown_head:
            self.query_one(".panel-head", Static).update(self._head(view, tone, theme), layout=False)
        if foot != shown_foot:
            relayout = shown_foot is None or bool(view.error) or bool(shown_foot[4]) or shown_foot[:4] != foot[:4]  # its lines may wrap
            self.query_one(".panel-foot", Static).update(self._foot(view, tone, theme), layout=relayout)

    def _head(self, view: PanelView, tone: str, theme: Any) -> Table:
        right = Text()
        if view.state in ("unreachable", "novalue"):  # novalue: the source answered without a number (NaN, +Inf, no series)
            words = outage_heads(view) if self._one_line else outage_heads(view)[-1:]  # else the foot says the last value
            # The longest that leaves the title a few columns (the mark, a space, 6 characters or the whole title, a gap),
            # or the panel's id whole (panel_label.py: what names the panel when the title does not fit), up to 12.
            room = self.size.width - 2 - min(len(view.title), max(6, min(len(self.panel_id), 12))) - 1
            said = next((w for w in words if len(w) <= room), words[-1])
            word, _, rest = said.partition(" (")
            right.append(word, style=f"bold {tone}")
            if rest:
                right.append(f" ({rest}", style=colour(theme, "muted"))
        elif view.value is None and view.infinite is None:
            right.append("no reading yet", style=colour(theme, "muted"))
        else:  # an infinite reading is past every line on its side: `+Inf CRIT` (it read `NO VALUE` as its guard tripped)
            right.append(format_value(view.infinite if view.infinite is not None else view.value, view.unit, view.thresholds), style=f"bold {tone}")
            if view.trend and view.infinite is None:
                arrow = "warning" if view.worsening else "success" if view.worsening is False else "muted"
                right.append(f" {view.trend}", style=f"bold {colour(theme, arrow)}")
            label = {"warn": " WARN", "critical": " CRIT"}.get(view.state, "")
            if label:
                right.append(label, style=f"bold reverse {tone}")
            if view.note_short:  # some series had no number: the value is of the others (the foot says it whole)
                right.append(f" ({view.note_short})", style=colour(theme, "warning"))
        left = Text()
        left.append(f"{STATE_MARK[view.state]} ", style=tone)
        left_room = self.size.width - left.cell_len - 1 - right.cell_len if self.size.width else None
        left.append_text(head_label(view.title, visible_line(self.panel_id), left_room, theme))
        grid = Table.grid(expand=True, padding=(0, 1, 0, 0), pad_edge=False)  # a column between the title and the value
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="right", no_wrap=True)
        grid.add_row(left, right)
        return grid

    def _foot(self, view: PanelView, tone: str, theme: Any) -> Group:
        """The rules on a line of their own (`warn 1 / crit 5 or no data → pause`: behind the baseline they were cut at
        140x45, two panels a row), then the baseline and the reading's age or error."""
        muted = colour(theme, "muted")
        rules = [Text(view.lines, style=muted, overflow="fold")] if view.lines else []
        second = Text(overflow="fold")
        if view.baseline:
            second.append(view.baseline, style="bold")
            second.append(" · ", style=muted)
        if view.error:
            # The last value with its own age, before the error: the failing readings after it are newer (before: `last
            # 100 ms, 0s ago` 30 s into an outage, the failed reading's age), and a long error after it cut it off the
            # foot's four lines at 140x45.
            if view.value is not None and view.value_age is not None:
                second.append(f"last {format_value(view.value, view.unit, view.thresholds)}, {age_words(view.value_age)}", style="bold")
                second.append(" · ", style=muted)
            after = f" ({age_words(view.age)})" if view.value is None and view.age is not None else ""
            second.append(self._fitted(view.error, second.plain, after, rules), style=tone)
            second.append(after, style=muted)
        elif view.age is None:
            second.append("waiting for the first reading", style=muted)
        else:
            # `last reading 2s ago`: the age is the newest reading's (`before 130 ms · 0s ago` read as a baseline 0 s old).
            said = f"last reading {age_words(view.age)}" + (" — stale" if view.stale else "")
            second.append(said, style=colour(theme, "warning") if view.stale else muted)
            if view.note:
                second.append(" · ", style=muted)
                second.append(view.note, style=colour(theme, "warning"))
            if view.series:  # which series the value is, beside it (it was said in a guard's trip only)
                second.append(" · ", style=muted)
                second.append(view.series, style=muted)
        return Group(*rules, second)

    def _fitted(self, error: str, before: str, after: str, rules: list[Text]) -> str:
        """The error fitted to the foot's lines (ui/panel_foot.py), at the foot's width: known before the foot is laid
        out (its own size is 0 until then)."""
        return fitted_error(error, before, after, rules, self.content_size.width, FOOT_LINES, self.app.console)


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
    PanelArea.one-line > #metrics-summary, PanelArea.one-line MetricPanel > ThresholdSparkline, PanelArea.one-line MetricPanel > .panel-foot {
        display: none;
    }
    PanelArea > #metrics-grid {
        layout: grid;
        grid-size: 2;
        grid-gutter: 0 2;
        grid-rows: auto;
        height: auto;
    }
    """

    def __init__(
        self,
        state: Callable[[], RunState] | None = None,
        *,
        clock: Callable[[], float] = time.time,
        id: str | None = None,
        classes: str | None = None,
        trip_toasts: bool = True,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._state = state
        self._trip_toasts = trip_toasts  # False in a replay: a trip stepped past is in the output, not a toast
        self._clock = clock
        self._panel_ids: tuple[str, ...] = ()
        self._widgets: dict[str, MetricPanel] = {}
        self._trips_seen: int | None = None
        self._last_key: tuple[Any, ...] = ()
        self._last_summary: tuple[str, Text] | None = None
        self._columns = 0
        self.border_title = "metrics"

    def compose(self) -> ComposeResult:
        yield Static("No metric panels in this runbook.", id="metrics-summary")
        yield Container(id="metrics-grid")

    def on_mount(self) -> None:
        if self._state is not None:
            self.set_interval(PULL_SECONDS, self._pull)
            self._pull()  # before the first frame: a runbook without panels never shows the area (nor hides it a frame later)

    def _pull(self) -> None:
        if self._state is not None:
            self.show(self._state())
        self._say_hidden()

    def on_resize(self) -> None:
        self._fit_columns()
        self.call_after_refresh(self._say_hidden)
        fit = getattr(self.parent, "fit_detail", None)  # the column (widgets.RightColumn) gives the area the rows it takes now
        if callable(fit):
            fit()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._say_hidden()

    def _say_hidden(self) -> None:
        """The title says how many panels are out of view, and the worst state among them (the area scrolled with no
        sign but a scrollbar, and a panel gone WARN below it went unseen)."""
        self.border_title = "metrics" + hidden_words(self, list(self.query(MetricPanel)))

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
        one_line = self.has_class("one-line")
        key = (state.seq, int(now), self.app.current_theme.name, one_line, self.size.width)
        if key == self._last_key:
            return
        self._last_key = key
        metrics = state.metrics
        self.display = bool(metrics)  # no panels in this runbook: the output gets the room
        panels = guard_panels_first(list(metrics.get("panels") or []))
        ids = tuple(str(p["id"]) for p in panels)
        if ids != self._panel_ids:
            self._rebuild(ids)
        self._watch(state, ids)
        interval = float(metrics.get("interval") or 5.0)
        for panel in panels:
            self._widgets[str(panel["id"])].show(panel_view(panel, state, now, interval), panel, one_line)
        summary = self._summary(state, now)
        if (self.app.current_theme.name, summary) != self._last_summary:
            self._last_summary = (self.app.current_theme.name, summary)
            self.query_one("#metrics-summary", Static).update(summary)
        self._guard_trips(state)

    def _rebuild(self, ids: tuple[str, ...]) -> None:
        self._panel_ids = ids
        grid = self.query_one("#metrics-grid")
        grid.remove_children()
        self._widgets = {pid: MetricPanel(pid) for pid in ids}
        if ids:
            grid.mount_all(self._widgets.values())
        self._columns = 0
        self.call_after_refresh(self._fit_columns)

    def _watch(self, state: RunState, ids: tuple[str, ...]) -> None:
        """A running step with `watch:` (a `wait`, or a command: a rolling restart, `kubectl rollout status`) draws its
        panels large."""
        watched: set[str] = set()
        current = state.current
        if current is not None and state.steps[current].status == "running":
            watched = set(state.plan_steps.get(current, {}).get("watch") or ()) & set(ids)
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
        where = f"{visible_line(str(source.get('kind')))} {visible_line(str(source.get('url')))}, every {format_duration(float(metrics.get('interval') or 0))}"
        if state.session.get("mode") == "practice":  # it read as if polled now: nothing is read in a practice
            text.append(f"the night's readings, played back (nothing is read now): {where}", style=muted)
        else:
            text.append(f"metrics from {where}", style=muted)
        if state.finished:
            text.append("  (readings stopped: the session is finished)", style=muted)
        criteria = list(metrics.get("success") or [])
        if not criteria:
            return text
        results: dict[str, Mapping[str, Any]] = {}
        since = state.rollback.started_seq if state.rollback is not None else None
        undone: set[str] = set()  # decided before the last rollback: of the change it undid (it read `✓ met` after the rollback)
        for check in state.success_checks:
            said = str((check.get("criterion") or {}).get("text"))
            if since is not None and int(check.get("seq") or 0) < since:
                undone.add(said)
                continue
            results[said] = check
        pending = {str(p.get("text")): p for p in state.checking_now}
        died = {str(p.get("text")) for p in state.success_pending} - pending.keys()  # a check the process that died began
        lines = [text]
        for criterion in criteria:
            words = str(criterion.get("text"))
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append("success: ", style=muted)
            line.append(visible_line(words))
            if words in pending:
                until = pending[words].get("until")
                left = f" ({format_duration(max(parse_ts(until) - now, 0))} left)" if until else ""
                line.append(f"  … checking{left}", style=colour(theme, "accent"))
            elif words in died:
                line.append("  not decided: the program stopped during its check", style=colour(theme, "warning"))  # the rows say what follows
            elif words in results:
                met = results[words].get("met")
                if met is True:
                    line.append(
                        f"  ✓ met ({format_value(results[words].get('value'), _unit_of(metrics, criterion), (criterion.get('below'), criterion.get('above')))})",
                        style=colour(theme, "success"),
                    )
                elif met is False:
                    line.append("  ✗ NOT met" + _last(results[words], metrics, criterion), style=f"bold {colour(theme, 'error')}")
                elif results[words].get("when") == "end":  # `k` ended the wait, or the source gave nothing: as the row says
                    line.append("  ✗ not decided: counts as NOT met", style=f"bold {colour(theme, 'error')}")
                else:
                    line.append("  not decided", style=colour(theme, "warning"))
            elif words in undone:
                line.append("  not checked since the rollback", style=colour(theme, "warning"))
            else:
                line.append("  checked after the verify section and at the end", style=muted)
            lines.append(line)
        joined = Text("\n").join(lines)
        joined.no_wrap, joined.overflow = True, "ellipsis"
        return joined

    def _guard_trips(self, state: RunState) -> None:
        trips = state.guard_trips
        if self._trips_seen is None or not self._trip_toasts:
            self._trips_seen = len(trips)  # trips from before this screen (resume) were seen then
            return
        # A pause or a rollback shows in the status stack; a notice only here. Trips that come together (an exporter
        # down trips every panel's guard at once) are one toast: one each stacked over the status row, the step and its
        # command at 80x24 for 6 seconds. Each trip's words are in the output.
        notices = [trip for trip in trips[self._trips_seen :] if trip.get("action") == "notify"]
        self._trips_seen = len(trips)
        if len(notices) == 1:
            self.notify(f"{visible_line(trip_words(notices[0]))} (notified only)", title="Guard tripped", severity="warning", timeout=6, markup=False)
        elif notices:
            names = ", ".join(dict.fromkeys(visible_line(str(trip.get("panel"))) for trip in notices))
            words = f"{len(notices)} guards tripped (notified only): {names}; the output says why each"
            self.notify(words, title="Guard tripped", severity="warning", timeout=6, markup=False)


def _unit_of(metrics: Mapping[str, Any], criterion: Mapping[str, Any]) -> str:
    for panel in metrics.get("panels") or []:
        if panel.get("id") == criterion.get("panel"):
            return visible_line(str(panel.get("unit") or ""))
    return ""


def _last(result: Mapping[str, Any], metrics: Mapping[str, Any], criterion: Mapping[str, Any]) -> str:
    value = result.get("value")
    return f" (last {format_value(value, _unit_of(metrics, criterion), (criterion.get('below'), criterion.get('above')))})" if value is not None else ""
