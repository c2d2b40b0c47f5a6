"""The key footer: the keys that do something now, on one row drawn as one piece of text.

Textual's `Footer` is a container of one widget per key: a key that comes
or goes (`p` hides `run`; `p pause` becomes `p resume`) changed the widgets'
display or width, and Textual laid out the whole screen and redrew every
pane for it (about three quarters of what a `p` cost, measured with
bench/keypress.py). This footer is one row of text: when the keys change it
draws that row again, with no layout; when they do not (a focus change, the
help pushed and popped), nothing happens. A row once drawn is kept (by keys,
width and style): `p` swaps between two rows, and turning Rich text into a
row of cells was most of the footer's millisecond on every `p`. It looks like Textual's compact
footer (the same theme colours) and a click on a key presses it.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widget import Widget

from runbook_tui.ui.key_bound import shown_bindings
from runbook_tui.ui.laid_out import laid_out_size

#: Rows kept: the few key sets a screen swaps between (pause / resume, running / idle) at one width.
ROWS_KEPT = 16


class Key(NamedTuple):
    key: str  # as Textual names it ("enter"), what a click presses
    shown: str  # as the footer shows it ("⏎")
    description: str
    enabled: bool


class KeyFooter(Widget):
    """The screen's keys (those with `show`), one per action, in binding order; the command palette's key at the right
    when every other key fits beside it (at 80 columns a key to press matters more than the palette: ctrl+p opens it anyway)."""

    virtual_size = laid_out_size()  # set by each layout, asking for no other (ui/laid_out.py)

    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyFooter > .key-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyFooter > .key-footer--item {
        background: $footer-item-background;
    }
    KeyFooter > .key-footer--rule {
        color: $foreground 20%;
    }
    """
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description", "key-footer--item", "key-footer--rule"}

    def __init__(self, *, show_command_palette: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.show_command_palette = show_command_palette
        self.keys: tuple[tuple[Key, ...], Key | None] = ((), None)  # what the row shows: the keys, and the palette's
        self._spans: list[tuple[int, int, Key]] = []  # where each key was drawn (for clicks)
        self._rows: dict[object, tuple[Strip, list[tuple[int, int, Key]]]] = {}  # rows drawn, with their keys' spans

    def on_mount(self) -> None:
        # Told at once (`immediate`), in the turn that changed the keys: a key's repaint (`p`) marks this row to be drawn
        # with the rest of its frame, not by a callback later in the footer's own queue (a hop, and its prompts, a key;
        # Textual read the method's signature at each such call).
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed, immediate=True)
        self.bindings_changed(self.screen)

    def wanted(self) -> tuple[tuple[Key, ...], Key | None]:
        """The keys Textual's Footer would show now: one per action (the first binding of it), then the palette's (the
        keys that may show checked only: `shown_bindings`)."""
        app = self.app
        palette_wanted = self.show_command_palette and app.ENABLE_COMMAND_PALETTE
        active = shown_bindings(self.screen, app.COMMAND_PALETTE_BINDING if palette_wanted else None)
        keys: dict[str, Key] = {}
        for binding, enabled in active.values():
            if binding.show and binding.action not in keys:
                keys[binding.action] = Key(binding.key, app.get_key_display(binding), binding.description, enabled)
        palette = active.get(app.COMMAND_PALETTE_BINDING) if palette_wanted else None
        palette_key = None if palette is None else Key(palette[0].key, app.get_key_display(palette[0]), palette[0].description, palette[1])
        return tuple(keys.values()), palette_key

    def bindings_changed(self, screen: Screen[object]) -> None:
        if screen is not self.screen or not self.is_attached:
            return
        wanted = self.wanted()
        if wanted != self.keys:
            self.keys = wanted
            self.refresh()  # one row before and after: this row is drawn again, nothing is laid out

    def render_line(self, y: int) -> Strip:
        """The row, drawn once per keys, width and style (the footer is one row: `y` is 0)."""
        drawn = (self.keys, self.size.width, self.visual_style)
        row = self._rows.get(drawn)
        if row is None:
            if len(self._rows) >= ROWS_KEPT:
                self._rows.clear()  # a resize or a theme changed them all
            text = self.render()  # sets self._spans
            strip = Visual.to_strips(self, visualize(self, text), self.size.width, 1, self.visual_style)[0]
            row = self._rows[drawn] = (strip, self._spans)
        strip, self._spans = row
        return strip

    def notify_style_update(self) -> None:
        self._rows.clear()  # a theme or the CSS changed the colours
        super().notify_style_update()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key")
        description_style = self.get_component_rich_style("key-footer--description")
        item_style = self.get_component_rich_style("key-footer--item")
        row = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, Key]] = []
        keys, palette = self.keys
        for key in keys:
            start = row.cell_len
            if start + cell_len(f"{key.shown} {key.description}".rstrip()) > self.size.width:
                break  # a key that does not fit whole is left out (`y` alone, its `copy` cut, read as a key to press)
            self._append(row, key, key_style, description_style, item_style)
            spans.append((start, row.cell_len, key))
            row.append(" ")  # the gap between keys: the footer's own background
        if palette is not None:
            tail = Text(no_wrap=True, end="")
            tail.append("▏", style=self.get_component_rich_style("key-footer--rule"))
            self._append(tail, palette, key_style, description_style, item_style)
            room = max(self.size.width - tail.cell_len, 0)
            if (spans[-1][1] if spans else 0) <= room:  # the palette's key only when every other key fits beside it
                row.truncate(room, pad=True)
                spans.append((room + 1, room + tail.cell_len, palette))
                row.append_text(tail)
        self._spans = spans
        return row

    @staticmethod
    def _append(row: Text, key: Key, key_style: Style, description_style: Style, item_style: Style) -> None:
        dim = Style(dim=True) if not key.enabled else Style()
        row.append(key.shown, style=item_style + key_style + dim)
        if key.description:
            row.append(f" {key.description}", style=item_style + description_style + dim)

    def key_at(self, x: int) -> Key | None:
        """The key drawn at column `x` of the row (None: between keys)."""
        return next((key for start, end, key in self._spans if start <= x < end), None)

    def on_click(self, event: events.Click) -> None:
        key = self.key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()
