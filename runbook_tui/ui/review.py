"""The post-change review, asked for when a live run ends: three short answers, into the journal and the report."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

QUESTIONS = (
    ("planned", "What went as planned?"),
    ("surprised", "What surprised you?"),
    ("change", "What should change in the runbook?"),
)


class ReviewScreen(ModalScreen[dict[str, str] | None]):
    """Enter moves to the next answer and submits after the last; escape skips the review."""

    BINDINGS = [Binding("escape", "skip", "skip the review")]

    def __init__(self, outcome: str) -> None:
        super().__init__()
        self.outcome = outcome

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="wide"):
            yield Label(f"Post-change review (the run ended: {self.outcome})", id="dialog-title")
            for key, question in QUESTIONS:
                yield Label(question)
                yield Input(id=f"review-{key}")
            yield Label("enter: next / submit   escape: skip (no review in the report)", id="dialog-keys")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        keys = [key for key, _ in QUESTIONS]
        index = keys.index((event.input.id or "").removeprefix("review-"))
        if index + 1 < len(keys):
            self.query_one(f"#review-{keys[index + 1]}", Input).focus()
            return
        self.dismiss({key: self.query_one(f"#review-{key}", Input).value for key in keys})

    def action_skip(self) -> None:
        self.dismiss(None)
