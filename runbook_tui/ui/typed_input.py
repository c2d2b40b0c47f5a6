"""The input field for what a person types or pastes: a note, a reason, a review answer, a search.

Textual's `Input` draws its value as it is: a pasted log line holding `ESC]0;…`
(an unterminated window-title sequence once the field drops the BEL) reached
the terminal, which then swallowed the screen's next writes; a U+202E reversed
the field. Here every control and invisible format character becomes its
visible stand-in as it comes in (`␛`, `⟨U+202E⟩`, a newline `⏎`), so the field
shows what the journal will keep and nothing in it drives the terminal.
A paste is kept whole: Textual's field kept a paste's first line and dropped
the rest unseen (a two-line reason was journaled as its first line).
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from runbook_tui.runbook.safe_text import visible_line


class TypedInput(Input):
    """An `Input` whose value never holds a control character or a bidi override."""

    def validate_value(self, value: str) -> str:
        return visible_line(value)

    def _on_paste(self, event: events.Paste) -> None:
        """The whole paste on the one line, each line end (CR LF, CR, LF...) shown as `⏎`, a last one dropped.

        Textual calls this before `Input._on_paste` (each class's handler, the subclass first), which inserts the text."""
        event.text = visible_line("\n".join(event.text.splitlines()))
