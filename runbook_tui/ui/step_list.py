"""The run screen's step list: every step with its status mark, id and title; the current one highlighted.

A Line-API widget: it keeps the ids in order and draws only the rows in view, each when it is shown,
from the run state (no per-row widgets, cells or measurements). A 300-step runbook costs its first frame
the ~40 rows the pane shows, not 300 rows built, measured and cached.

It looks as the DataTable it replaces looked: a bold header row that stays put, one space of padding
either side, the status mark in its colour, the id whole (see `_column`), the title cut with "…" to the width left
(rollback steps muted, "↩ " before them, "⚑ " before a checkpoint), the cursor row in the theme's block-cursor colours (dimmer when the list is not focused), the row under the mouse tinted.
up/down (ctrl+home/ctrl+end: first/last) move the cursor and scroll it into view; a click puts it on a row;
either shows that step in the detail pane; the run screen puts both on the current step at each repaint. Every string goes through the sanitiser and
is drawn as `rich.text.Text`, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from runbook_tui.engine.event_words import NOT_ROLLED_BACK
from runbook_tui.engine.pending_captures import not_rendered_yet
from runbook_tui.engine.state import RunState, StepState
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.ui.glyphs import NOT_ROLLED_BACK_LOOK, colour, status_text, step_looks
from runbook_tui.ui.note_line import cut_middle
from runbook_tui.ui.pane_step import pane_step
from runbook_tui.ui.widgets import StepDetail

#: Cells the status mark takes in a row.
STATUS_WIDTH = 2
#: The rows above the steps that do not scroll (the header).
HEADER_ROWS = 1
#: Fewer cells than this left for a title: none is shown (the ids alone, when no id leaves that many).
TITLE_LEAST = 8
#: Cells of a row that are neither its id nor its title: a space, the mark, two spaces, two after the id, one spare.
ROW_FIXED = 2 + STATUS_WIDTH + 4
#: An id longer than this widens the list where the screen is wide (`long-ids` in app.tcss): at 140 columns the list's
#: share (50 cells inside its border) left a 40-character id no room for its title, and cut a longer one in its middle.
LONG_ID = 26


class _Pass(NamedTuple):
    """The widths and styles one drawing pass shares."""

    width: int
    base: Style
    header: Style
    cursor: Style
    cursor_over: Style
    hover: Style
    muted: str


class StepList(ScrollView, can_focus=True):
    """Every step with its status, id and title; the cursor on the current one (see the module's docstring)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"step-list--header", "step-list--cursor", "step-list--hover"}

    # The colours are DataTable's (the list looked so before): the same theme variables in the same places.
    DEFAULT_CSS = """
    StepList {
        background: $surface;
        color: $foreground;
        & > .step-list--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .step-list--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .step-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .step-list--hover {
            background: $block-hover-background;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .step-list--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .step-list--header {
                background-tint: $foreground 5%;
            }
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "cursor up", show=False),
        Binding("down", "cursor_down", "cursor down", show=False),
        Binding("ctrl+home", "cursor_first", "first step", show=False),
        Binding("ctrl+end", "cursor_last", "last step", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._state: RunState | None = None
        self._ids: list[str] = []
        self._rows: dict[str, int] = {}  # id -> row index
        self._rollback: frozenset[str] = frozenset()
        self._plan: Mapping[str, Mapping[str, Any]] = {}
        self._id_cells: list[int] = []  # each id's width in cells, as drawn
        self._columns: dict[int, int | None] = {}  # the list's width -> the id column's (`_column`)
        self._shown: dict[str, tuple[str, str]] = {}  # id -> (status, title) as last drawn: unchanged rows are not redrawn
        self._steps: Mapping[str, StepState] | None = None  # the state's steps as last shown (a state's are never changed)
        self.cursor_row = 0
        self._hover_row: int | None = None
        self._marks: dict[tuple[str, str], Text] = {}
        self._theme = ""
        self._pass: _Pass | None = None  # this drawing pass's widths and styles, once a row of it is drawn (`_shared`)

    # -- what it shows -----------------------------------------------------------------

    def show(self, state: RunState) -> None:
        """Take the state: redraw the rows whose status or title changed, put the cursor on the current step."""
        self._state = state
        ids = [*state.order, *state.rollback_order]
        theme = self.app.current_theme.name
        if ids != self._ids or theme != self._theme:  # a theme change recolours every mark
            self._theme = theme
            self._ids = ids
            self._rows = {sid: row for row, sid in enumerate(ids)}
            self._rollback = frozenset(state.rollback_order)
            self._plan = state.plan_steps  # made on each read: once per plan, not per row drawn
            self._id_cells = [cell_len(visible_line(sid)) for sid in ids]
            self.set_class(max(self._id_cells, default=0) > LONG_ID, "long-ids")
            self._columns = {}
            self._shown = {sid: self._looks(state, sid) for sid in ids}
            self.virtual_size = Size(0, len(ids) + HEADER_ROWS)
            if self.virtual_size.height > self.app.size.height:  # taller than the terminal: a scrollbar for sure, laid out
                self.show_vertical_scrollbar = True  # in the first layout already (Textual adds it one layout later)
            self.refresh()
        elif state.steps is not self._steps:  # the same steps (a pause, a note, a participant): every row looks as drawn
            for sid in ids:
                looks = self._looks(state, sid)
                if self._shown[sid] != looks:
                    self._shown[sid] = looks
                    self._refresh_row(self._rows[sid])
        self._steps = state.steps
        if (standing := pane_step(state)) is not None:
            self.move_cursor(self._rows[standing])

    @staticmethod
    def _looks(state: RunState, sid: str) -> tuple[str, str]:
        step = state.steps[sid]
        return step_looks(step), str(step.rendered.get("title") or "")  # a title with captured.*: as rendered for its step

    @property
    def row_count(self) -> int:
        return len(self._ids)

    def row_text(self, row: int) -> Text:
        """Row `row` as drawn (before the cursor's colours): status mark, id and title, each in its place."""
        return self._row_text(row, self.scrollable_content_region.width, colour(self.app.current_theme, "muted"))

    def _row_text(self, row: int, width: int, muted: str) -> Text:
        state = self._state
        assert state is not None, "show() gives the list its state before it draws"
        sid = self._ids[row]
        entry = self._plan.get(sid, {})
        step = state.steps[sid]
        title = step.rendered.get("title") or not_rendered_yet(str(entry.get("title") or sid), self._plan, short=True)  # never a raw `{{`
        rollback = sid in self._rollback
        status = step_looks(step)
        words = ("↩ " if rollback else "") + ("⚑ " if entry.get("checkpoint") else "") + visible_line(str(title))
        kept = f" · {NOT_ROLLED_BACK}" if status == NOT_ROLLED_BACK_LOOK else ""  # what the rollback could not reverse
        column = self._column(width)
        shown_id = visible_line(sid)
        room = width - max(column or 0, cell_len(shown_id)) - ROW_FIXED
        words += kept  # cut with the title when narrow: the mark stays, the step's details say the words whole
        if cell_len(words) > room:  # in cells: a wide title (全角, emoji) counted by characters ran past the column uncut
            words = set_cell_size(words, room - 1) + "…"
        text = Text(no_wrap=True, end="")
        text.append_text(self._mark(status))  # its colour as a span: the id and title keep theirs
        text.append(" " * (STATUS_WIDTH - text.cell_len) + "  ")
        if column is None or room < TITLE_LEAST:  # no room for its title: the id, whole where it fits (the detail pane has the title)
            most = max(width - 1 - (STATUS_WIDTH + 2), 4)
            # Longer than the pane: its start and its end, the middle left out (`restart-db-pri…-number-1`): cut at the
            # end, `restart-db-primary-replica-number-1` and `-2` read as one id, `restart-db-primary-replica…`.
            text.append(cut_middle(shown_id, most))
            return text
        text.append(shown_id + " " * (column - cell_len(shown_id)) + "  ")
        text.append(words, style=muted if rollback else "")
        return text

    def _column(self, width: int) -> int | None:
        """The id column's width in a list `width` cells wide: as wide as the longest id that leaves TITLE_LEAST cells
        for its title, or None when none does (the ids alone: at 80 columns with the list shown, `disk-space-on-pri…
        At leas` had the title's `…` past the pane's edge). An id longer than the column is drawn whole all the same,
        its title after it when TITLE_LEAST cells are left. Before, ids were cut at 18 cells whatever the width:
        `restart-db-primary-1` and `restart-db-primary-2` both read `restart-db-primar…`, an id no step has."""
        if width not in self._columns:
            fits = [cells for cells in self._id_cells if width - cells - ROW_FIXED >= TITLE_LEAST]
            self._columns[width] = max([len("id"), *fits]) if fits else None
        return self._columns[width]

    def _mark(self, status: str) -> Text:
        """The status mark in its colour, made once per status and theme."""
        theme = self.app.current_theme
        mark = self._marks.get((status, theme.name))
        if mark is None:
            mark = self._marks[(status, theme.name)] = status_text(status, theme, with_label=False)
        return mark

    def _header_text(self, width: int) -> Text:
        column = self._column(width)
        step = "" if column is None else "  step"
        return Text(" " * (STATUS_WIDTH + 2) + "id".ljust(column or 2) + step, no_wrap=True, end="")

    # -- drawing -----------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        """What every line of this pass shares is looked up once, when its first row is drawn anew (`_shared`): a pass
        that takes every row from the cache (a frame where only other widgets changed: a `p`, a flood's output) looks up
        nothing (the widget's style walks its ancestors, and four component styles)."""
        self._pass = None
        try:
            return super().render_lines(crop)
        finally:
            self._pass = None

    def _shared(self) -> _Pass:
        if self._pass is None:
            base = self.rich_style
            cursor = self.get_component_rich_style("step-list--cursor")
            self._pass = _Pass(
                width=self.scrollable_content_region.width,
                base=base,
                header=base + self.get_component_rich_style("step-list--header"),
                cursor=base + cursor,
                cursor_over=Style.from_color(cursor.color, cursor.bgcolor),  # the cursor's colours win over the status colour, as DataTable's did
                hover=base + self.get_component_rich_style("step-list--hover"),
                muted=colour(self.app.current_theme, "muted"),
            )
        return self._pass

    def render_line(self, y: int) -> Strip:
        line = self._shared()
        if y < HEADER_ROWS:
            return self._strip(self._header_text(line.width), line.header, Style(), line.width)
        row = y - HEADER_ROWS + int(self.scroll_y)
        if row >= len(self._ids):
            return Strip.blank(line.width, line.base)
        text = self._row_text(row, line.width, line.muted)
        if row == self.cursor_row:
            return self._strip(text, line.cursor, line.cursor_over, line.width)
        return self._strip(text, line.hover if row == self._hover_row else line.base, Style(), line.width)

    def _strip(self, text: Text, style: Style, post_style: Style, width: int) -> Strip:
        """` text` padded to the width, every cell of it in `style` (under the text's own) and `post_style` (over it)."""
        segments = [Segment(" "), *text.render(self.app.console)]
        line = Strip(Segment.apply_style(segments, style, post_style or None))
        return line.adjust_cell_length(width, style).crop(0, width)

    def _refresh_row(self, row: int) -> None:
        """Redraw one row if it is in view (nothing else of the screen is drawn again)."""
        y = row + HEADER_ROWS - int(self.scroll_y)
        if HEADER_ROWS <= y < self.scrollable_content_region.height:
            self.refresh(Region(0, y, self.size.width, 1))

    # -- the cursor --------------------------------------------------------------------

    def move_cursor(self, row: int) -> None:
        """Put the cursor on `row` (clamped) and scroll it into view, below the header."""
        row = max(0, min(row, len(self._ids) - 1))
        if row != self.cursor_row:
            old, self.cursor_row = self.cursor_row, row
            self._refresh_row(old)
            self._refresh_row(row)
        rows_shown = self.scrollable_content_region.height - HEADER_ROWS
        top = int(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif rows_shown > 0 and row >= top + rows_shown:
            self.scroll_to(y=row - rows_shown + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self._hide_hover()
        self.move_cursor(self.cursor_row - 1)
        self._look()

    def action_cursor_down(self) -> None:
        self._hide_hover()
        self.move_cursor(self.cursor_row + 1)
        self._look()

    def action_cursor_first(self) -> None:
        self._hide_hover()
        self.move_cursor(0)
        self._look()

    def action_cursor_last(self) -> None:
        self._hide_hover()
        self.move_cursor(len(self._ids) - 1)
        self._look()

    # -- the mouse ---------------------------------------------------------------------

    def _row_at(self, y: int) -> int | None:
        row = y - HEADER_ROWS + int(self.scroll_y)
        return row if y >= HEADER_ROWS and 0 <= row < len(self._ids) else None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        row = self._row_at(event.y)
        if row != self._hover_row:
            old, self._hover_row = self._hover_row, row
            for changed in (old, row):
                if changed is not None:
                    self._refresh_row(changed)

    def on_leave(self, _event: events.Leave) -> None:
        self._hide_hover()

    def _hide_hover(self) -> None:
        if self._hover_row is not None:
            old, self._hover_row = self._hover_row, None
            self._refresh_row(old)

    def on_click(self, event: events.Click) -> None:
        row = self._row_at(event.y)
        if row is not None:
            self.move_cursor(row)
            self._look()

    def _look(self) -> None:
        """The person moved the highlight: the detail pane shows that step (its title says it is not the current one); the
        run's next state change puts both back on the current step. Before, only the row moved: nothing of the step showed."""
        if self._state is not None and self._ids:
            for detail in self.screen.query(StepDetail):
                detail.show(self._state, self._ids[self.cursor_row])

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        self._hide_hover()
        super().watch_scroll_y(old_value, new_value)
