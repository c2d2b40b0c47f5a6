"""The frame every dialog shares: centred, a title, a body that scrolls, and the keys pinned below it.

The action line (`y` / `f` / `escape`...) is docked at the bottom, so however
long the body (a rollback list of forty commands at 80x24), what the keys do
stays on screen. The layout lives here, with the widget (no list of dialog ids
in the app's stylesheet): a new dialog subclasses `Dialog` and is centred.
Every text shown is literal: runbook and participant text is never markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from runbook_tui.runbook.safe_text import visible, visible_line
from runbook_tui.ui.keys_text import KeysText

Result = TypeVar("Result")


class DialogScroll(VerticalScroll):
    """The dialog's body. When part of it is below the view, the dialog's bottom border says how much and which keys
    bring it up (`▼ 40 more lines: ↓ pgdn`): a 32-entry undo list at 80x24 showed 8 with a scrollbar as the only sign,
    and the action line named y, f and escape, not how to read the rest before `y`."""

    def on_resize(self) -> None:
        self._say_below()

    def watch_virtual_size(self) -> None:  # the body changed (the rollback list shown again)
        self._say_below()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._say_below()

    #: Whose bottom border says it: the box around the body (a dialog's), or the body itself where it has the border.
    SAYS_ON_OWN_BORDER = False

    #: Whether the body's last line has been in view since it opened, or was shown anew (`read_to_end`).
    end_seen = False

    class EndSeen(Message):
        """The body's last line came into view: the dialog's `Read it to its end first` no longer holds."""

    def lines_below(self) -> int | None:
        """The body's lines below the view; None before it is laid out (nothing measured yet)."""
        if not (self.virtual_size.height and self.scrollable_content_region.height):
            return None
        return max(self.virtual_size.height - self.scrollable_content_region.height - round(self.scroll_y), 0)

    def read_to_end(self) -> bool:
        """Whether the body's last line is in view, or has been since it opened or was last shown anew (`end_seen`):
        where the body is what `y` does (a command, an undo list), y counts only then."""
        return self.end_seen or self.lines_below() == 0

    def _say_below(self) -> None:
        below = self.lines_below() or 0
        if self.lines_below() == 0 and not self.end_seen:
            self.end_seen = True
            self.post_message(self.EndSeen())
        framed = self if self.SAYS_ON_OWN_BORDER else self.parent
        if framed is not None and isinstance(framed, Widget):
            framed.border_subtitle = f"▼ {below} more line{'s' if below != 1 else ''}{self.keys()}" if below else ""

    def keys(self) -> str:
        """The keys that bring up what is below, as the border says them."""
        return ": ↓ pgdn" if self.has_focus else ""  # a dialog with a field keeps ↓ for the field

    def page(self, pages: int) -> None:
        """pgdn / pgup given by the screen while the focus is elsewhere (a field keeps its cursor): a page less a line."""
        self.scroll_to(y=self.scroll_y + pages * max(self.scrollable_content_region.height - 1, 1), animate=False)


class Dialog(ModalScreen[Result]):
    """Subclasses give `title_text`, `body()`, optional `inputs()` and `keys_text`."""

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
    }
    Dialog > #dialog {
        width: 80;
        max-width: 96%;
        height: auto;
        max-height: 96%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    Dialog > #dialog.wide {
        width: 120;
    }
    Dialog #dialog-title {
        dock: top;
        width: 100%;
        text-style: bold;
        margin-bottom: 1;
    }
    Dialog #dialog-scroll {
        height: auto;
        max-height: 100%;
    }
    Dialog #dialog-foot {
        dock: bottom;
        height: auto;
    }
    Dialog #dialog-keys {
        width: 100%;
        margin-top: 1;
        color: $text-muted;
    }
    """

    WIDE = False
    #: Focus is given on mount (see `_focus_first`): the first input, else the scrolling body.
    AUTO_FOCUS = None

    def __init__(self, title: str, keys: str) -> None:
        super().__init__()
        self.title_text = title
        self.keys_text = keys
        self._keys_now: str | Text = keys
        self._keys_after_end: str | Text | None = None  # what the action line said before `unread` replaced it

    def body(self) -> Iterable[Widget]:
        return ()

    def inputs(self) -> Iterable[Widget]:
        return ()

    def scroll(self) -> DialogScroll:
        """The body's scrolling box (the help's pages turn at a key's entry)."""
        return DialogScroll(id="dialog-scroll")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="wide" if self.WIDE else ""):
            yield Label(visible_line(self.title_text), id="dialog-title", markup=False)
            with self.scroll():
                yield from self.body()
            with Vertical(id="dialog-foot"):
                yield from self.inputs()
                yield Label(KeysText(self.keys_text), id="dialog-keys", markup=False)

    def on_mount(self) -> None:
        self._focus_first()

    def _focus_first(self) -> None:
        inputs = self.query(Input)
        (inputs.first() if inputs else self.query_one("#dialog-scroll")).focus()

    def set_title(self, text: str) -> None:
        self.query_one("#dialog-title", Label).update(visible_line(text))

    def set_keys(self, text: str | Text) -> None:
        self._keys_now, self._keys_after_end = text, None
        self.query_one("#dialog-keys", Label).update(KeysText(text))

    def unread(self, keys: str) -> None:
        """`y` before the body's end was in view (the body is what y does): the action line says to read it first, and
        once the end is in view, it says again what it said (it went on saying `Read it to its end first` there)."""
        before = self._keys_now
        self.set_keys(not_read_yet(keys))
        self._keys_after_end = before

    def on_dialog_scroll_end_seen(self, message: DialogScroll.EndSeen) -> None:
        message.stop()
        if self._keys_after_end is not None:
            self.set_keys(self._keys_after_end)


def literal(text: str, id: str = "dialog-body") -> Static:
    """A body paragraph shown exactly as written (no markup: `[CHG-1]` stays `[CHG-1]`; an escape shows as `␛`).

    Bodies quote runbook text (a step's title in the skip prompt, an `ask` question, the journal's path): the
    dialog sanitises it itself, so no caller can forget to (the skip prompt showed a title's bidi override raw)."""
    return Static(visible(text), id=id, markup=False)


def not_read_yet(keys: str) -> Text:
    """What `y` says where the dialog's body is what it does and its end has not been in view yet (`read_to_end`)."""
    said = Text("Read it to its end first (↓ pgdn end: the border counts the lines below)", style="bold")
    said.append(f"; then {keys}", style="not bold")
    return said
