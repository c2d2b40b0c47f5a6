"""The output pane's drawn rows kept across a scroll, and its scrollbar drawn again only when what it shows moves.

A line added to a following pane scrolls its view one row: Textual marks every row of a scrolled view to be drawn
again (`ScrollView.watch_scroll_y`), though each row is the one below it a frame ago, drawn already (a pause's line
drew the pane's 33 rows anew, ~1 ms of the key's frame). Here the rows Textual's style cache holds move with the
scroll; only those scrolled in are drawn. A row's strip depends on the line it shows (`Log.render_line`: the line at
`scroll_y + row`, marked with that line's index for text selection), so moved with the scroll it is the row drawn
for that line; anything that changes lines in place (pruned to `max_lines`, cleared, a new width, a selection)
refreshes the whole pane, which empties the cache, as before.

The scrollbar's figures (the lines, the view's position) change with each line, and each change drew its 33 rows
again; while the lines fit the view, or the thumb moves less than the eighth of a cell it is drawn to, it looks the
same: its figures are set then without a redraw.
"""

from __future__ import annotations

from math import ceil

from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widget import Widget


def rows_after_scroll(widget: Widget, shift: int) -> dict[int, Strip]:
    """The drawn rows of `widget`'s view that are still right once it scrolls `shift` lines (down; up if negative):
    each is the row `shift` below it now, when that one is drawn and not marked to be drawn again. Keyed by the row
    in Textual's style cache (the widget's border and padding rows count)."""
    cache = widget._styles_cache
    top = widget.styles.gutter.top
    rows = range(top, top + widget.scrollable_content_region.height)
    if not shift or abs(shift) >= len(rows):
        return {}
    drawn, dirty = cache._cache, cache._dirty_lines
    return {row: drawn[row + shift] for row in rows if row + shift in rows and row + shift in drawn and row + shift not in dirty}


def keep_rows(widget: Widget, rows: dict[int, Strip]) -> None:
    """Put `rows` (`rows_after_scroll`) back after the scroll's refresh marked every row to be drawn again: those are
    not drawn, the screen still takes the whole view anew (it moved)."""
    cache = widget._styles_cache
    cache._cache.update(rows)
    cache._dirty_lines.difference_update(rows)


def set_thumb(bar: ScrollBar, *, lines: int | None = None, position: float | None = None) -> None:
    """Set the scrollbar's lines (`window_virtual_size`) or its view's position; it is drawn again only if it looks
    different now (the figures otherwise set without a redraw: Textual's reactives draw it at every change)."""
    before = _looks(bar)
    if lines is not None:
        bar.set_reactive(ScrollBar.window_virtual_size, lines)
    if position is not None:
        bar.set_reactive(ScrollBar.position, bar.validate_position(position))
    if _looks(bar) != before:
        bar.refresh()


def _looks(bar: ScrollBar) -> tuple[int, ...]:
    """What the scrollbar's cells depend on, for its figures now: its length, and where its thumb starts and ends in
    eighths of a cell (none while the lines fit the view). `ScrollBar._render_bar` and `ScrollBarRender.render_bar`'s
    arithmetic (Textual 8.2), without making the cells (a rich `Style` with meta for each of its parts: ~0.1 ms a line)."""
    virtual = ceil(bar.window_virtual_size)
    window = ceil(bar.window_size if bar.window_size < bar.window_virtual_size else 0)
    size = bar.size.height if bar.vertical else bar.size.width
    if not (window and size and virtual and size != virtual):
        return (size,)
    eighths = len(bar.renderer.VERTICAL_BARS if bar.vertical else bar.renderer.HORIZONTAL_BARS)
    thumb = max(1, window / (virtual / size))
    start = int((size - thumb) * (bar.position / (virtual - window)) * eighths)
    return size, start, start + ceil(thumb * eighths)
