"""A sparkline drawn against a panel's warn/critical lines, each bar in the colour of its level."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.app import RenderResult
from textual.widgets import Sparkline

from runbook_tui.metrics.guards import panel_level


class ThresholdSparkline(Sparkline):
    """A sparkline on the panel's own scale: zero (or the lowest reading) up to the critical line.

    Textual's Sparkline stretches whatever the data spans over the full
    height, so 180-186 ms would look like a storm. Here the bars are drawn
    against the lines, and each bar takes the colour of its level (ok, warn,
    critical), so where the values stand is visible without reading numbers.
    Assign a new list to `data` to redraw (as with Sparkline).
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"threshold-sparkline--ok", "threshold-sparkline--warn", "threshold-sparkline--critical"}
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
        # Halved so that two readings near ±1.8e308 (valid floats) give a finite span, never an infinite or NaN bar.
        low, high = low / 2, high / 2
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
        heights = [max(1, round((v / 2 - low) / span * levels)) for v in values]
        pad = width - count * bar_width
        for row in reversed(range(height)):
            yield Segment(" " * pad)
            for bar, style in zip(heights, styles):
                part = bar - row * len(self.BARS)
                char = " " if part <= 0 else "█" if part >= len(self.BARS) else self.BARS[part - 1]
                yield Segment(char * bar_width, style)
            if row:
                yield Segment.line()
