"""The post-change review, asked for when a live run ends: three short answers, into the journal and the report."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.events import DescendantFocus
from textual.widget import Widget
from textual.widgets import Input, Label

from runbook_tui.engine.outcome_words import ended_words
from runbook_tui.engine.state_model import RunState
from runbook_tui.ui.dialog import Dialog
from runbook_tui.ui.typed_input import TypedInput

QUESTIONS = (
    ("planned", "What went as planned?"),
    ("surprised", "What surprised you?"),
    ("change", "What should change in the runbook?"),
)


#: What enter does in each answer but the last, and in the last (the line read `enter next / submit`).
NEXT = "enter next question · escape skip (no review in the report)"
LAST = "enter save the review to the journal and the report · escape skip (no review in the report)"


class ReviewScreen(Dialog[dict[str, str] | None]):
    """Enter moves to the next answer and, after the last, saves the review; escape skips it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "skip", "skip the review")]
    WIDE = True

    def __init__(self, state: RunState) -> None:
        """`state`: the finished run; the title says how it ended with the success criteria it left unmet, and who
        accepted them (it said `done` alone while the status row behind it said SUCCESS CRITERIA NOT MET, accepted)."""
        super().__init__(f"Post-change review (the run ended: {ended_words(state)})", NEXT)

    def body(self) -> Iterable[Widget]:
        for key, question in QUESTIONS:
            yield Label(question, markup=False)
            yield TypedInput(id=f"review-{key}")

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """The action line says what enter does in the answer being typed."""
        self.set_keys(LAST if event.widget.id == f"review-{QUESTIONS[-1][0]}" else NEXT)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        keys = [key for key, _ in QUESTIONS]
        index = keys.index((event.input.id or "").removeprefix("review-"))
        if index + 1 < len(keys):
            self.query_one(f"#review-{keys[index + 1]}", Input).focus()
            return
        self.dismiss({key: self.query_one(f"#review-{key}", Input).value for key in keys})

    def action_skip(self) -> None:
        self.dismiss(None)
