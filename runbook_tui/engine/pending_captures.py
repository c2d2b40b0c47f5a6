"""Captures not known yet, as people read them: `⟨captured.backup: from step 'backup', not run yet⟩`.

A step's text (its undo, a later step's command, a title) may use
`captured.NAME` before the step that captures it has run. The assignee and
the verifier then read what the value will be and where it comes from,
instead of the raw `{{ captured.NAME }}` template. The text renders with a
plain stand-in word per missing capture (no quoting changes it), which is
then replaced by those words; what runs is always rendered from the real
captures (`runner._command`), never from this.
"""

from __future__ import annotations

import re

from runbook_tui.engine.state import RunState
from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.model import Runbook
from runbook_tui.runbook.plan_words import not_rendered_yet as not_rendered_yet  # the step list's and a look ahead's words

_STAND_IN = "rbtpendingcapture{}x"
#: Any stand-in, in any case (a filter such as `| upper` may have changed it).
_ANY_STAND_IN = lazy_re.compile(r"rbtpendingcapture\d+x", re.IGNORECASE)

_WHY = {"pending": "not run yet", "running": "still running"}


@dataclass(frozen=True)
class PendingCaptures:
    """The captures to render with (the known ones, and a stand-in for each missing one) and the stand-ins' words."""

    captured: dict[str, str]
    words: dict[str, str]  # stand-in -> what people read

    def shown(self, rendered: str) -> str | None:
        """The rendered text with the stand-ins in words; None when a filter changed one past recognising."""
        for stand_in, words in self.words.items():
            rendered = rendered.replace(stand_in, words)
        return None if _ANY_STAND_IN.search(rendered) else rendered


def pending_captures(runbook: Runbook, state: RunState) -> PendingCaptures:
    """Every capture the runbook declares that the run does not have yet, with where it will come from."""
    captured = dict(state.captured)
    words: dict[str, str] = {}
    for step in runbook.steps:
        name = step.capture
        if name is None or name in captured:
            continue
        status = state.steps[step.id].status if step.id in state.steps else "pending"
        why = "not answered yet" if step.kind == "ask" and status == "pending" else _WHY.get(status, f"{status}, nothing captured")
        stand_in = _STAND_IN.format(len(words))
        captured[name] = stand_in
        words[stand_in] = f"⟨captured.{name}: from step '{step.id}', {why}⟩"
    return PendingCaptures(captured, words)
