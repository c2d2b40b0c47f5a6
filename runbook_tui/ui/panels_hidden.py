"""How many metric panels are out of the panel area's view, in words for its title (`· ▼ 3 more panels, 1 WARN`),
and `m`, the key that brings them into view (scrolling the area was the mouse's alone: the keyboard saw the count only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.screen import Screen
from textual.widget import Widget

from runbook_tui.ui.head_pages import spans_of, turn_page
from runbook_tui.ui.head_pages import top as top_of

#: The states worth naming when a panel in them is out of view, worst first (a panel's class says its state).
NAMED = (("critical", "CRIT"), ("unreachable", "unreachable"), ("warn", "WARN"), ("novalue", "no value"))


def hidden_words(area: Widget, panels: Sequence[Widget]) -> str:
    """` · ▼ N more panels` (▲ for those scrolled past above), with the states of those not ok; empty when all show."""
    top = area.scroll_y
    bottom = top + area.scrollable_content_region.height
    # A panel whose head row shows is in view: the head says its value and state (its sparkline and foot may be cut).
    above = [p for p in panels if top_of(p, area) < top]
    below = [p for p in panels if top_of(p, area) >= bottom]
    if not area.display or not panels or not (above or below) or area.scrollable_content_region.height == 0:
        return ""
    said = " · ".join(f"{mark} {len(group)} more panel{'s' if len(group) != 1 else ''}" for mark, group in (("▲", above), ("▼", below)) if group)
    hidden = above + below
    states = [f"{count} {name}" for state, name in NAMED if (count := sum(p.has_class(state) for p in hidden))]
    return f" · {said}" + (f", {', '.join(states)}" if states else "") + " (m shows them)"


def more_panels(screen: Screen[Any]) -> None:
    """`m`: the next panels below the area's view, a page at a time, each starting at a panel's head (ui/head_pages.py);
    from the last ones, the first again. With nothing out of view (or no panels), says so: a key that does nothing reads
    as lost."""
    areas = screen.query("#metrics")
    area = areas.first() if areas else None
    if area is None or not area.display:
        screen.notify("this run has no metric panels", timeout=3, markup=False)
    elif area.max_scroll_y == 0:
        screen.notify("every metric panel is in view", timeout=3, markup=False)
    elif not turn_page(area, spans_of(area.query("MetricPanel"), area), grid := area.query_one("#metrics-grid")):
        grid.styles.padding = 0
        area.scroll_home(animate=False)
