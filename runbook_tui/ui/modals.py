"""Small dialogs: ask for a reason, ask yes/no, show help. Each says exactly what will happen."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.events import ScreenResume
from textual.geometry import Region
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from runbook_tui.runbook.safe_text import visible
from runbook_tui.ui.dialog import Dialog, DialogScroll, literal
from runbook_tui.ui.head_pages import Span, previous_head, room_made, turn_page
from runbook_tui.ui.typed_input import TypedInput


class TextPrompt(Dialog[str | None]):
    """Asks for one line of text (a reason, a note, an answer). Enter submits, escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(
        self,
        title: str,
        explanation: str,
        *,
        placeholder: str = "",
        required: bool = True,
        value: str = "",
        keys: str = "enter submit · escape cancel",
        needed: str = "A reason",
    ) -> None:
        """`keys`: the action line, where `enter` and `escape` may say what they do (`enter start anyway`). `needed`: what
        an empty enter says is missing (a note's prompt said `A reason is required`)."""
        super().__init__(title, keys)
        self.explanation = explanation
        self.placeholder = placeholder
        self.required = required
        self.needed = needed
        self.value = value  # words typed before that did not reach anyone (the verifier's link was down)

    def body(self) -> Iterable[Widget]:
        yield literal(self.explanation)

    def inputs(self) -> Iterable[Widget]:
        yield TypedInput(self.value, placeholder=self.placeholder, id="dialog-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if self.required and not value:
            message = Text(f"{self.needed} is required", style="bold")
            message.append(" (it goes into the journal) · escape cancel", style="not bold")
            self.set_keys(message)
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmPrompt(Dialog[bool]):
    """A yes/no question that spells out what `y` does. `read_to_end`: the body is what `y` runs (a command taller
    than the dialog at 80x24): `y` counts only once its last line has been in view, and says so until then."""

    BINDINGS = [
        Binding("y", "answer(True)", "yes"),
        Binding("n,escape", "answer(False)", "no"),
    ]
    #: `y` acts (runs a step, stops one, gives a go-ahead, quits): no key typed before the dialog was painted counts
    #: (keys_in_turn: `enter y` in one burst ran the step from a dialog never drawn).
    UNSEEN_KEYS = False

    def __init__(self, title: str, body: str | RenderableType, yes: str, *, read_to_end: bool = False) -> None:
        super().__init__(title, f"y {yes} · n / escape cancel")
        self.body_text = body
        self.yes = yes
        self.read_to_end = read_to_end

    def body(self) -> Iterable[Widget]:
        yield literal(self.body_text) if isinstance(self.body_text, str) else Static(self.body_text, id="dialog-body")

    def action_answer(self, value: bool) -> None:
        if value and self.read_to_end and not self.query_one(DialogScroll).read_to_end():
            self.unread(f"y {self.yes} · n / escape cancel")
            return
        self.dismiss(value)


#: `m`, on every run view (replay too): the metric panels that do not fit.
MORE_PANELS = "more panels: the metric panels out of view (the area's title counts them), a page at a time, then the first again"
#: `e`, on every screen with a status stack (a replay's too: its `+N more` row names e).
EVERY_STATUS = ("e", "every status: each status row whole, with its keys (when some have no row, the last says +N more)")
#: The keys and what each does, per role: the help's table (a description wraps under itself, not under the key).
HELP_KEYS: tuple[tuple[str, str], ...] = (
    (
        "enter",
        "assignee: run the current step; re-run once it ran; ask go-ahead where the verifier lets the step start; "
        "I did it on a note (nothing runs); answer on a question; a step the pane cuts is shown whole first, [b]y[/b] runs it\n"
        "verifier: details: the step whole (as [b]v[/b])",
    ),
    (
        "c",
        "verifier: confirm the current step, or give the go-ahead for a step that waits for it to start (a step the pane "
        "cuts is shown whole first, [b]y[/b] gives it)",
    ),
    (
        "x",
        "assignee: decline: say no to a rollback request (the verifier's or a guard's); asks why, the verifier reads it\n"
        "verifier: reject the current step, or refuse its go-ahead before it runs (asks for a reason); not offered on a failed step (u or n), a `verify: none` one, nor one rolled back",
    ),
    (
        "u",
        "assignee: roll back to the last checkpoint — shows the undo list first, [b]y[/b] starts it once read to its end\n"
        "verifier: request rollback (the assignee sees it at once)",
    ),
    (
        "k",
        "assignee: stop step: the step that runs now — says what it stops first; [b]y[/b] sends TERM (then KILL), the step ends failed\n"
        "assignee: end check: every step done, the success criteria's check waits — [b]y[/b] ends it, those not met count as NOT met\n"
        "assignee: end check: between steps, the verify section's check waits — [b]y[/b] ends it, not decided; the run goes on",
    ),
    ("s", "assignee: skip the current step (asks for a reason)"),
    ("d", "assignee: mark done a step whose outcome is unknown (asks how you checked)"),
    ("a", "assignee: accept unmet criteria: every step done, a success criterion not met (asks why; the verifier confirms it)"),
    ("n", "add a note to the journal"),
    ("p", "assignee: pause / resume (a tripped guard pauses too)\nverifier: hold: ask the assignee to hold"),
    ("v", "the current step whole: every command as it will run, its undo, every host (the pane's border says when it cuts)"),
    ("y", "copy the current step's command to the clipboard"),
    ("l", "steps: show / hide the step list (hidden on a narrow terminal)"),
    ("m", MORE_PANELS),
    EVERY_STATUS,
    ("pgup pgdn", "scroll the output; [b]end[/b] follows it again"),
    ("?", "this help"),
    (
        "q",
        "assignee: quit (asks first on an unfinished run; [b]runbook-tui resume JOURNAL[/b] continues later)\n"
        "verifier: leave the session (asks first while the run waits for your word; the same join command brings you back)",
    ),
)
#: What the live help promises under its keys.
JOURNAL_PROMISE = "Everything you do is written to the journal before it happens."

#: Practice: the run screen's keys, but `q` ends the practice (nothing to resume).
PRACTICE_HELP_KEYS = (*HELP_KEYS[:-1], ("q", "end the practice: the results compare your decisions with the night's"))

#: An observer's keys: what a read-only participant can do (look, copy, leave); the run's keys are not theirs to press.
OBSERVER_HELP_KEYS: tuple[tuple[str, str], ...] = (
    ("enter", "details: the step whole (as [b]v[/b])"),
    *((key, does) for key, does in HELP_KEYS if key in ("v", "y", "l", "m", "e", "pgup pgdn", "?")),
    ("q", "leave the session (the same join command brings you back)"),
)
OBSERVER_PROMISE = "You joined as an observer: you watch. Confirming, rejecting, notes and holds are the verifier's."

#: Replay's keys: it moves through a past run and acts on nothing (the run screen's keys do not apply).
REPLAY_HELP_KEYS: tuple[tuple[str, str], ...] = (
    ("→ l", "forward to the next moment: a step starting or ending, a decision or a request, a guard trip, a note, a resume"),
    ("← h", "back to the moment before"),
    ("home end", "the start / the end of the run"),
    ("space", "play/pause at the night's pace times the speed (a long wait plays as 2 s at most); at the end, again from the start"),
    ("+ -", "faster / slower (0.5x to 100x)"),
    ("t", "steps: show / hide the step list, hidden below 110 columns (where the run's [b]l[/b] shows it: here l moves forward)"),
    ("g", "jump to a step by its id or words of its title (as the picker matches): where it first started"),
    ("m", MORE_PANELS),
    ("v", "the step whole, on a screen of its own (when the pane's title says ▼ N more lines)"),
    EVERY_STATUS,
    ("pgup pgdn", "scroll the output"),
    ("?", "this help"),
    ("q", "quit the replay"),
)
REPLAY_PROMISE = "Nothing runs and nothing is written: each moment shows the journal as it stood then."


def help_body(note: str = "", keys: tuple[tuple[str, str], ...] = HELP_KEYS, promise: str = JOURNAL_PROMISE) -> Group:
    """The help: `keys` as a two-column table, then `promise` (our own text: its markup is ours), then
    `note` (what the run screen's foot says, whole: the journal's full path; never markup)."""
    table = Table.grid(padding=(0, 2, 0, 2))
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    for key, does in keys:
        table.add_row(Text(key, style="bold"), Text.from_markup(does))
    parts: list[RenderableType] = [
        Text.from_markup("[b]Keys[/b] (the footer shows the ones that apply now)\n"),
        table,
        Text(f"\n{promise}"),
    ]
    if note:
        parts.append(Text(f"\n{visible(note)}"))
    return Group(*parts)


class InfoScreen(Dialog[None]):
    """Something to read (step details come from the runbook: shown literally); escape, q, enter or ? closes it, and its
    key line says so (it said `escape close` alone: the `?` that opened the help closes it too)."""

    BINDINGS = [Binding("escape,q,enter,question_mark", "close", "close")]
    WIDE = True

    def __init__(self, title: str, body: str | RenderableType) -> None:
        super().__init__(title, "escape / q / enter / ? close")
        self.body_text = body

    def body(self) -> Iterable[Widget]:
        yield literal(self.body_text) if isinstance(self.body_text, str) else Static(self.body_text, id="dialog-body")

    def action_close(self) -> None:
        self.dismiss(None)


class HelpScroll(DialogScroll):
    """The help's body: pgdn and pgup turn to a key's entry, so no page starts mid-entry (a page's height scrolled, and a
    page at 80x24 began with `verifier: request rollback` under no key); the last page too, with blank room below."""

    def __init__(self, keys: Iterable[str], *, id: str) -> None:
        super().__init__(id=id)
        self.heads = tuple(f"{key} " for key in keys)

    def spans(self) -> list[Span]:
        """Each entry's first row and height: a row that starts with its key (the table's key column is the first)."""
        body = self.query_one("#dialog-body")
        width, height = body.outer_size
        rows = [strip.text for strip in body.render_lines(Region(0, 0, width, height))]
        starts = [row for row, text in enumerate(rows) if text.startswith(self.heads)]
        return [(start, end - start) for start, end in zip(starts, [*starts[1:], len(rows)], strict=True)]

    def lines_below(self) -> int | None:
        below = super().lines_below()
        return below if below is None else max(below - room_made(self.query_one("#dialog-body")), 0)

    def action_page_down(self) -> None:
        if not turn_page(self, self.spans(), self.query_one("#dialog-body")):
            self.scroll_end(animate=False)

    def action_page_up(self) -> None:
        self.scroll_to(y=previous_head(self, self.spans()), animate=False)


class HelpScreen(InfoScreen):
    """The keys, on a plain background: an opaque screen, so Textual does not render and dim the run screen under it
    at every frame (half of what `?` cost); the run screen is as it was when help closes."""

    #: The name it is installed under (see `show_help`).
    NAME = "help"
    #: Its background is one colour around the dialog: drawn as blank rows, not through Textual's style cache, which each
    #: push emptied (the screen refreshes itself at every resume).
    BLANK = True

    DEFAULT_CSS = """
    HelpScreen {
        background: $background;
    }
    """

    def __init__(self, note: str = "", keys: tuple[tuple[str, str], ...] = HELP_KEYS, promise: str = JOURNAL_PROMISE) -> None:
        """`note`: what the run screen's foot says, whole (the journal's full path; the foot cuts it to fit);
        `keys` and `promise`: the screen's own (replay and practice have keys of their own)."""
        super().__init__("Help", help_body(note, keys, promise))
        self.keys = tuple(key for key, _ in keys)
        self._restyle = False  # the theme changed while it was closed

    def scroll(self) -> DialogScroll:
        return HelpScroll(self.keys, id="dialog-scroll")

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: setattr(self, "_restyle", True))

    def on_screen_resume(self, event: ScreenResume) -> None:
        # Kept between presses (installed): styled when it mounted, and nothing it is styled by changes while it is closed
        # but the theme. Textual restyled its whole tree at every push, which drew every part of it again (its scrollbar
        # alone ~1.5 ms): only after a theme change now.
        event.refresh_styles, self._restyle = self._restyle, False

    def action_close(self) -> None:
        if room_made(body := self.query_one("#dialog-body")):  # the room its last page had (set only then: it redraws)
            body.styles.padding = 0
        self.query_one("#dialog-scroll").scroll_home(animate=False, immediate=True)  # kept between presses: it opens at the top again
        super().action_close()


def show_help(app: App[Any], owner: str, note: str, keys: tuple[tuple[tuple[str, str], ...], str] | tuple[()]) -> None:
    """The help of one kind of screen (`owner`; a replay has none of the run's keys), built once and kept (installed);
    it ends with the foot's `note` whole (the foot cuts it)."""
    name = f"{HelpScreen.NAME}-{owner}"
    if not app.is_screen_installed(name):
        app.install_screen(HelpScreen(note, *keys), name)
    app.push_screen(name)


class LoadingScreen(Screen[None]):
    """The first frame while a session opens (a resume reads the whole journal first); keys pressed now are refused, visibly."""

    DEFAULT_CSS = """
    LoadingScreen {
        align: center middle;
    }
    LoadingScreen > Static {
        width: auto;
        max-width: 90%;
        padding: 1 2;
        border: round $primary;
    }
    """

    def __init__(self, words: str = "Opening the session: reading the runbook and the journal…") -> None:
        super().__init__()
        self.words = visible(words)

    def compose(self) -> ComposeResult:
        yield Static(self.words, markup=False)

    def on_key(self, event: object) -> None:
        self.notify("still opening the session; keys work once the run screen shows", timeout=3, markup=False)
