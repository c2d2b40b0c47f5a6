"""Small dialogs: ask for a reason, ask yes/no, show help. Each says exactly what will happen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


class TextPrompt(ModalScreen[str | None]):
    """Asks for one line of text (a reason, a note, an answer). Enter submits, escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, title: str, explanation: str, *, placeholder: str = "", required: bool = True) -> None:
        super().__init__()
        self.title_text = title
        self.explanation = explanation
        self.placeholder = placeholder
        self.required = required

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title")
            yield Static(self.explanation, id="dialog-body")
            yield Input(placeholder=self.placeholder, id="dialog-input")
            yield Label("enter: submit   escape: cancel", id="dialog-keys")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if self.required and not value:
            self.query_one("#dialog-keys", Label).update("[b]A reason is required[/b] (it goes into the journal).  escape: cancel")
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmPrompt(ModalScreen[bool]):
    """A yes/no question that spells out what `y` does."""

    BINDINGS = [
        Binding("y", "answer(True)", "yes"),
        Binding("n,escape", "answer(False)", "no"),
    ]

    def __init__(self, title: str, body: str, yes: str) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title")
            yield Static(self.body, id="dialog-body")
            yield Label(f"y: {self.yes}   n / escape: cancel", id="dialog-keys")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


HELP = """\
[b]Keys[/b] (the footer shows the ones that apply now)

  [b]enter[/b]   assignee: run the current step (or ask the verifier for the go-ahead)
          verifier: open the step's details
  [b]c[/b]       verifier: confirm the current step
  [b]x[/b]       verifier: reject the current step (asks for a reason)
  [b]u[/b]       assignee: roll back to the last checkpoint — shows the undo list first, [b]y[/b] starts it
          verifier: request a rollback (the assignee sees it at once)
  [b]s[/b]       assignee: skip the current step (asks for a reason)
  [b]d[/b]       assignee: mark a step whose outcome is unknown as done (asks how you checked)
  [b]n[/b]       add a note to the journal
  [b]p[/b]       assignee: pause / resume (a tripped guard pauses too); verifier: ask the assignee to hold
  [b]?[/b]       this help
  [b]q[/b]       quit (asks first while a step runs; [b]runbook-tui resume JOURNAL[/b] continues later)

Everything you do is written to the journal before it happens.
"""


class InfoScreen(ModalScreen[None]):
    """Something to read; any of escape, q or enter closes it."""

    BINDINGS = [Binding("escape,q,enter,question_mark", "close", "close")]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="wide"):
            yield Label(self.title_text, id="dialog-title")
            yield Static(self.body, id="dialog-body", markup=self.markup)
            yield Label("escape: close", id="dialog-keys")

    markup = False  # step details come from the runbook: never interpret them as markup

    def action_close(self) -> None:
        self.dismiss(None)


class HelpScreen(InfoScreen):
    markup = True

    def __init__(self) -> None:
        super().__init__("Help", HELP)
