"""The output pane: follows the newest line unless the person scrolled up to read.

`Log` follows only while its view sits at the very end, so when the status
stack or the detail pane above it grew (a guard trip, a failure), the pane
shrank, the view was no longer at the end, and new output (the rollback's
own undo output too) landed below the fold. Here following is a decision of
the person: scrolling up stops it and the title says how many lines arrived
since ("12 new lines — end to follow"); `end`, or scrolling back to the
bottom, follows again; a resize keeps the newest line in view.

Lines wider than the pane wrap with a `↪` continuation mark instead of being
clipped at the right edge.

Lines arrive raw (a prefix such as `host │ ` and the text as printed) and are
sanitised (`visible_line`) and wrapped only when they go into the pane. While
the pane follows a flood, only the newest `TAIL` lines of a batch go in: the
older ones, which nobody can see, stay raw until the person scrolls up, when
the pane is filled with all it keeps (the last `max_lines`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from rich.cells import cell_len, chop_cells
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.strip import Strip
from textual.widgets import Log

from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.ui.host_name import LABEL_ENDS
from runbook_tui.ui.pane_rows import keep_rows, rows_after_scroll, set_thumb

#: Continuation lines of a wrapped output line start with this.
CONTINUED = "  ↪ "
TITLE = "output"
#: While following, a batch of more lines than this puts only its last TAIL lines in the pane (more than any terminal shows).
TAIL = 200
#: A line as it arrives: what it follows (`host │ `) and the text as printed, neither sanitised yet.
RawLine = tuple[str, str]


class OutputLog(Log):
    """A `Log` that follows by the person's choice, and wraps long lines."""

    #: The pane's lines as a size: a new line asks for no layout (Textual lays the whole screen out again for a change of
    #: `virtual_size`, and each layout repaints every scrolling widget's scrollbar: a pause's line on the pane cost a
    #: screen's layout and two scrollbars) and no repaint of the whole pane (Log draws its new lines, a scroll the view).
    #: `watch_virtual_size` moves the scrollbar's thumb, and a layout comes only when a scrollbar shows or hides (its own
    #: reactive asks) or the pane's height follows its lines.
    virtual_size = Reactive(Size(0, 0), layout=False, repaint=False)

    def __init__(self, max_lines: int, id: str | None = None) -> None:
        super().__init__(max_lines=max_lines, auto_scroll=False, id=id)
        self.following = True
        self.unseen = 0
        self.border_title = TITLE
        self._raw: deque[RawLine] = deque(maxlen=max_lines)  # the last lines that arrived, raw
        self._complete = True  # the pane holds every line of _raw (none was left raw)
        self._wrapped_at = 0  # the width the pane's lines were wrapped to
        self._frame_style: Style | None = None  # while the pane draws (`render_lines`), once a line was drawn
        self._drawing = False  # inside `render_lines`

    def watch_virtual_size(self, old: Size, size: Size) -> None:
        if self.styles.auto_dimensions:
            self.refresh(layout=True)  # its height is its lines'
            return
        if size.height < old.height or size.width != old.width:
            self.refresh()  # lines went (cleared, reset) or the width changed: drawn again whole; new lines draw themselves
        self._refresh_scrollbars()  # shown or hidden now: a layout (`show_vertical_scrollbar` asks for it)
        if self.show_vertical_scrollbar:
            set_thumb(self.vertical_scrollbar, lines=size.height)  # drawn again only if the thumb moved
        if self.show_horizontal_scrollbar:
            self.horizontal_scrollbar.window_virtual_size = size.width

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """`ScrollView.watch_scroll_y`, but the rows already drawn move with the view (`pane_rows`): a new line at the
        end draws one row, not the pane's every row; the scrollbar is drawn again only if its thumb moved."""
        if self.show_vertical_scrollbar:
            set_thumb(self.vertical_scrollbar, position=new_value)
        if (shift := round(new_value) - round(old_value)) != 0:
            kept = rows_after_scroll(self, shift)
            self.refresh(self.size.region)
            keep_rows(self, kept)

    def add(self, lines: Sequence[RawLine]) -> None:
        if self._raw and self._wrap_width() != self._wrapped_at:
            # Laid out at a new width, its Resize not handled yet (Textual posts it to the pane's queue; the screen adds
            # output from its own turn): the kept lines first, at that width (the Resize then finds nothing to do, and
            # they stayed wrapped at the old one, cut at the pane's edge when it narrowed).
            self._rewrap()
        self._raw.extend(lines)
        moved = False  # the lines already in the pane moved up (dropped, or pruned to max_lines)
        if self.following and len(lines) > TAIL:
            self._drop_lines()  # the rest stays raw until the person scrolls up (`_fill`)
            self._complete = False
            lines = lines[-TAIL:]
            moved = True
        wrapped = self._rows(lines[-self._raw.maxlen :] if self._raw.maxlen else lines)
        moved = moved or (self.max_lines is not None and len(self._lines) + len(wrapped) > self.max_lines)
        # Following: Log scrolls to the new end itself, and draws only the new lines' rows (with scroll_end False it
        # refreshed the whole pane for each line: its 35 rows drawn again in a pause's frame). It scrolls only from the
        # end, though: from above it (the pane shrank, a grabbed scrollbar) the scroll to the end is made here. Made
        # twice (Log's, then here), the second found the view at the end already, and still sent the pane a message
        # and the screen a callback after its frame (and Textual read the callback's signature again), on each `p`.
        scrolls = self.following and self.is_vertical_scroll_end and not self.is_vertical_scrollbar_grabbed
        self.write_lines(wrapped, scroll_end=self.following)
        if moved:
            # Log repaints only the lines it thinks changed, with indices from before it pruned to max_lines; after a
            # prune those are stale, so the visible part is repainted whole (else only the new lines, or a scroll's).
            self.refresh()
        if self.following:
            if not scrolls:
                self.scroll_end(animate=False, immediate=True, x_axis=False)
        else:
            self.unseen += len(wrapped)
            self._mark()

    def _update_size(self, updates: int, lines: list[str]) -> None:  # type: ignore[override]  # Log's is a thread worker
        """The virtual width, at once: `Log` measured each batch's widest line in a thread it started for the batch, which
        handed the width back through the loop (a thread per frame of output, and a second change of the virtual size).
        The pane's lines are wrapped to its width (`_rows`), and it never scrolls sideways: the wrap width is theirs."""
        if lines:
            self._update_maximum_width(updates, self._wrapped_at)

    def render_lines(self, crop: Region) -> list[Strip]:
        # The pane's style, from its ancestors' too: once a pass, not once a line, and only when a line is drawn anew (a
        # frame where the pane's rows all come from the cache, another widget changed, looks up nothing).
        self._drawing, self._frame_style = True, None
        try:
            return super().render_lines(crop)
        finally:
            self._drawing, self._frame_style = False, None

    def _render_line(self, y: int, scroll_x: int, width: int) -> Strip:
        """`Log._render_line` with the style of the pass (`render_lines`). The usual line (no selection, no sideways
        scroll, no wider than the pane: `_rows` wraps it to the width) is made padded and marked with its offsets for
        text selection in one strip, the segments `crop_extend` and `apply_offsets` make in three strips (each with
        seven caches): a flood's frame, and a key's frame that scrolls the pane, draws every visible line anew."""
        style = self._frame_style or self.rich_style
        if self._drawing:
            self._frame_style = style
        if y >= len(self._lines):
            return Strip.blank(width, style)
        if self.text_selection is None and not scroll_x:
            line = self._process_line(self._lines[y])
            cells = cell_len(line)
            if cells <= width:
                marked = [Segment(line, style + Style.from_meta({"offset": (0, y)}))] if line else []
                if cells < width:
                    marked.append(Segment(" " * (width - cells), style + Style.from_meta({"offset": (len(line), y)})))
                return Strip(marked, width)
        return self._render_line_strip(y, style).crop_extend(scroll_x, scroll_x + width, style).apply_offsets(scroll_x, y)

    def _render_line_strip(self, y: int, rich_style: Style) -> Strip:
        """Line `y` as `Log` draws it (control codes replaced, tabs expanded, the pane's style), made as one segment
        rather than through a `Text` (a quarter of the time): during a flood each frame draws every visible line anew,
        and a key's frame waited for it. A selection is drawn by `Log`."""
        if self.text_selection is not None:
            return super()._render_line_strip(y, rich_style)
        line = self._process_line(self._lines[y])
        return Strip((Segment(line, rich_style),), cell_len(line))

    def _drop_lines(self) -> None:
        """`Log.clear()` but for the width: clear() sets the virtual size to 0x0 and the width is measured again later,
        so each frame of a flood changed the virtual size two or three times, each a layout of the whole screen; with
        the width kept, a batch of TAIL lines after a batch of TAIL lines leaves the size as it was (no layout)."""
        self._lines.clear()
        self._render_line_cache.clear()
        self._updates += 1
        self._clear_y = 0

    def _wrap_width(self) -> int:
        # The width with the vertical scrollbar, whether it shows yet or not: a wrapped piece never needs a sideways scroll.
        return (self.scrollable_content_region.width or self.size.width) - (0 if self.show_vertical_scrollbar else self.styles.scrollbar_size_vertical)

    def _rows(self, lines: Sequence[RawLine]) -> list[str]:
        """Raw lines sanitised and wrapped to the pane's width."""
        width = self._wrapped_at = self._wrap_width()
        # A line with no prefix is the pane's own narration (a step started, a decision): wrapped between words.
        # `visible_line` expands tabs: measured as no cell, Log drew one as up to 8 spaces, and a line of tab-separated
        # columns ran past the pane's edge, its last columns never shown.
        return [part for prefix, text in lines for part in _wrap(visible_line(prefix + text), width, words=not prefix)]

    def _rewrap(self) -> None:
        """The kept lines wrapped again at the pane's width now: lines that came before the pane had one (a verifier's
        catch-up, resume's last lines) were not wrapped at all, and were cut at the pane's edge."""
        shown = list(self._raw) if not self.following or len(self._raw) <= TAIL else list(self._raw)[-TAIL:]
        self._complete = len(shown) == len(self._raw)
        self.clear()
        self.write_lines(self._rows(shown), scroll_end=False)
        self.refresh()

    def _fill(self) -> None:
        """Everything kept in the pane (the person is about to scroll up): the lines left raw while following go in."""
        if self._complete:
            return
        self._complete = True
        self.clear()
        self.write_lines(self._rows(self._raw), scroll_end=False)
        self.refresh()
        self.scroll_end(animate=False, immediate=True, x_axis=False)

    def follow(self) -> None:
        self.following, self.unseen = True, 0
        self.scroll_end(animate=False, immediate=True, x_axis=False)
        self._mark()

    def reset(self) -> None:
        self._raw.clear()
        self._complete = True
        self.clear()
        self.follow()

    def page_up(self) -> None:
        self._stop_following()
        self.scroll_page_up(animate=False)

    def page_down(self) -> None:
        self.scroll_page_down(animate=False)
        self.call_after_refresh(self._follow_at_end)

    def _stop_following(self) -> None:
        self._fill()
        if self.max_scroll_y > 0:
            self.following = False
            self._mark()

    def _follow_at_end(self) -> None:
        if not self.following and self.scroll_y >= self.max_scroll_y:
            self.follow()

    def _mark(self) -> None:
        if self.following:
            self.border_title = TITLE
        else:
            news = f"{self.unseen} new line{'s' if self.unseen != 1 else ''}" if self.unseen else "scrolled up"
            self.border_title = f"{TITLE} — {news} — end to follow"

    # What the person does: wheel or keys up stop following; reaching the bottom follows again.
    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._stop_following()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.call_after_refresh(self._follow_at_end)

    def action_scroll_up(self) -> None:
        self._stop_following()
        super().action_scroll_up()

    def action_page_up(self) -> None:
        self._stop_following()
        super().action_page_up()

    def action_scroll_home(self) -> None:
        self._stop_following()
        super().action_scroll_home()

    def action_scroll_end(self) -> None:
        self.follow()

    def on_resize(self, event: events.Resize) -> None:
        if self._raw and self._wrap_width() != self._wrapped_at:
            self._rewrap()
        if self.following:
            self.call_after_refresh(self.scroll_end, animate=False, immediate=True, x_axis=False)


def _wrap(line: str, width: int, *, words: bool = False) -> list[str]:
    """`line` cut into pieces of at most `width` cells, continuations marked (short lines as they are); with `words`, cut
    at the last space of a piece when there is one in its second half, else after its last dot or hyphen there (a host
    name the narration gives: `…eu-west-1a.in` over `ternal.payments…` read as names no host has); output is cut where
    the width ends: as printed."""
    if width <= len(CONTINUED) + 4 or len(line) <= width // 2 or cell_len(line) <= width:
        return [line]
    if not words:
        first, *rest = chop_cells(line, width)
        return [first, *(CONTINUED + piece for piece in chop_cells("".join(rest), width - len(CONTINUED)))]
    parts: list[str] = []
    at = 0  # where the rest of `line` starts: a 7 MB narrated line (an edited journal's note) is cut in linear time
    while at < len(line):
        room = width - (len(CONTINUED) if parts else 0)
        window = line[at : at + 4 * room]  # a piece of `room` cells holds at most that many characters, but for zero-width marks
        last = at + len(window) == len(line) and cell_len(window) <= room
        piece = window if last else chop_cells(window, room)[0] or window[0]
        space = -1 if last else piece.rfind(" ")
        label = -1 if last else max(piece.rfind(mark) for mark in LABEL_ENDS)
        if space > len(piece) // 2:
            piece = piece[:space]
        elif label > len(piece) // 2:
            piece = piece[: label + 1]
        parts.append(piece if not parts else CONTINUED + piece)
        at += len(piece)
        while at < len(line) and line[at] == " ":
            at += 1
    return parts
