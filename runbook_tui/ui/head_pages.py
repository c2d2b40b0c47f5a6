"""Pages that start at a part's head: `m` through the metric panels, pgdn through the help's keys.

A page's height scrolled, and parts are of uneven heights (a panel's rules that wrap, a key's verifier line), so a page
began mid-part: `worst of 40 series` alone under `▲ 4 more panels`, the help's `verifier: request rollback` under no
key. Each page now starts at the head of the first part not wholly in view, the last page too (room is made below the
parts, which the first page takes away again)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget

#: A part of the scrolled content: its first row and its height.
Span = tuple[int, int]


def top(part: Widget, area: Widget) -> int:
    """A part's first row in the area's scrolled content (its container's offset plus its own)."""
    parent = part.parent
    offset = parent.virtual_region.y if isinstance(parent, Widget) and parent is not area else 0
    return offset + part.virtual_region.y


def spans_of(parts: Iterable[Widget], area: Widget) -> list[Span]:
    """Where each part (a widget in the area) starts and how tall it is."""
    return [(top(part, area), part.outer_size.height) for part in parts]


def next_head(area: Widget, spans: Iterable[Span]) -> int | None:
    """Where the next page starts: the first row of the first part below the top that is not wholly in view."""
    view_top = area.scroll_y
    bottom = view_top + area.scrollable_content_region.height
    starts = sorted({head for head, height in spans if head > view_top and head + height > bottom})
    return starts[0] if starts else None


def previous_head(area: Widget, spans: Iterable[Span]) -> int:
    """Where the page before starts: the first head at most a page above the top, so that page ends where this began;
    the top itself when it is that near (what is above the first part, the help's `Keys` line, is not left out)."""
    view_top = area.scroll_y
    heads = sorted({head for head, _ in [(0, 0), *spans] if view_top - area.scrollable_content_region.height <= head < view_top})
    return heads[0] if heads else 0


def turn_page(area: Widget, spans: Iterable[Span], room: Widget) -> bool:
    """Scroll `area` to the next page's head; False when this is the last page. The last page's head is below where the
    area can scroll: `room` (a widget in it) gets padding below for it, so that page too starts at a head."""
    if area.scroll_y >= area.max_scroll_y or (head := next_head(area, spans)) is None:
        return False
    if head > area.max_scroll_y:
        room.styles.padding = (0, 0, room.styles.padding.bottom + round(head - area.max_scroll_y), 0)
        area.call_after_refresh(area.scroll_to, y=head, animate=False)
    else:
        area.scroll_to(y=head, animate=False)
    return True


def room_made(room: Widget) -> int:
    """The rows `turn_page` made below the parts (blank: nothing to read there)."""
    return room.styles.padding.bottom
