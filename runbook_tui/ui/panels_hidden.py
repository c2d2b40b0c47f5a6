"""How many metric panels are out of the panel area's view, in words for its title (`· ▼ 3 more panels, 1 WARN`),
and `m`, the key that brings them into view (scrolling the area was the mouse's alone: the keyboard saw the count only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.screen import Screen
from textual.widget import Widget

#: The states worth naming when a panel in them is out of view, worst first (a panel's class says its state).
NAMED = (("critical", "CRIT"), ("unreachable", "unreachable"), ("warn", "WARN"), ("novalue", "no value"))


def hidden_words(area: Widget, panels: Sequence[Widget]) -> str:
    """` · ▼ N more panels` (▲ for those scrolled past above), with the states of those not ok; empty when all show."""
    top = area.scroll_y
    bottom = top + area.scrollable_content_region.height
    # A panel whose head row shows is in view: the head says its value and state (its sparkline and foot may be cut).
    above = [p for p in panels if _top(p, area) < top]
    below = [p for p in panels if _top(p, area) >= bottom]
    if not area.display or not panels or not (above or below) or area.scrollable_content_region.height == 0:
        return ""
    said = " · ".join(f"{mark} {len(group)} more panel{'s' if len(group) != 1 else ''}" for mark, group in (("▲", above), ("▼", below)) if group)
    hidden = above + below
    states = [f"{count} {name}" for state, name in NAMED if (count := sum(p.has_class(state) for p in hidden))]
    return f" · {said}" + (f", {', '.join(states)}" if states else "") + " (m shows them)"


def _top(panel: Widget, area: Widget) -> int:
    """The panel's first row in the area's scrolled content (its grid's offset plus its own)."""
    parent = panel.parent
    offset = parent.virtual_region.y if isinstance(parent, Widget) and parent is not area else 0
    return offset + panel.virtual_region.y


def more_panels(screen: Screen[Any]) -> None:
    """`m`: the next panels below the area's view, a page at a time; from the last ones, the first again. With nothing
    out of view (or no panels), says so: a key that does nothing reads as lost."""
    areas = screen.query("#metrics")
    area = areas.first() if areas else None
    if area is None or not area.display:
        screen.notify("this run has no metric panels", timeout=3, markup=False)
    elif area.max_scroll_y == 0:
        screen.notify("every metric panel is in view", timeout=3, markup=False)
    elif area.scroll_y >= area.max_scroll_y or (head := next_head(area)) is None:
        area.query_one("#metrics-grid").styles.padding = 0
        area.scroll_home(animate=False)
    elif head > area.max_scroll_y:  # the last page: room below its panels, so that it too starts at a head
        grid = area.query_one("#metrics-grid")
        grid.styles.padding = (0, 0, grid.styles.padding.bottom + round(head - area.max_scroll_y), 0)
        area.call_after_refresh(area.scroll_to, y=head, animate=False)
    else:
        area.scroll_to(y=head, animate=False)


def next_head(area: Widget) -> int | None:
    """Where `m`'s next page starts: the first row of the first panel below the top that is not wholly in view, so each
    page starts at a panel's head (a page's height scrolled, the page began with the last line of a panel whose head was
    on the page before: `worst of 40 series: service="svc39"` alone at the top, under `▲ 4 more panels`)."""
    top = area.scroll_y
    bottom = top + area.scrollable_content_region.height
    starts = sorted({_top(p, area) for p in area.query("MetricPanel") if _top(p, area) > top and _top(p, area) + p.outer_size.height > bottom})
    return starts[0] if starts else None
