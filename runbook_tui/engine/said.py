"""An event in words, as `event_words.said` gives it (and the share's words, `share_words`)."""

from __future__ import annotations

from runbook_tui.runbook.lean_dataclass import dataclass


@dataclass(frozen=True)
class Said:
    """An event in words: `lines[0]` the event, the rest its details (indented)."""

    mark: str
    lines: list[str]
    decision: bool = False  # a person decided (or joined, or left): the log, which has no time column, adds the time
