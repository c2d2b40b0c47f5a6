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
from collections.abc import Mapping
from typing import Any

from runbook_tui.engine.state import RunState
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.model import Runbook

_STAND_IN = "rbtpendingcapture{}x"
#: Any stand-in, in any case (a filter such as `| upper` may have changed it).
_ANY_STAND_IN = re.compile(r"rbtpendingcapture\d+x", re.IGNORECASE)

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


#: A template expression left in a plan's text: what renders only when its step starts (`captured.*`, `host`, `now`).
_LATE = re.compile(r"\{\{-?\s*((?:captured|host|now)\b.*?)\s*-?\}\}", re.S)
_CAPTURE = re.compile(r"captured\.(\w+)")


def not_rendered_yet(text: str, plan_steps: Mapping[str, Mapping[str, Any]], *, short: bool = False) -> str:
    """A plan's text for a step not rendered yet (the step list's rows, a step looked at ahead), as people read it: never
    a raw `{{`. `{{ captured.NAME }}` reads as the capture and the step it comes from (`⟨captured.backup: from step
    'backup'⟩`), `{{ host.name }}` and `{{ now }}` as `⟨host.name⟩`: each is rendered when its step starts (the current
    step says then how a missing capture stands, `pending_captures`). Words from the plan alone: they never go stale.
    `short`: without where a capture comes from (a row of the step list has no room for it)."""
    if "{{" not in text:
        return text
    sources = {str(entry["capture"]): sid for sid, entry in reversed(list(plan_steps.items())) if entry.get("capture")}

    def words(found: re.Match[str]) -> str:
        expression = " ".join(found.group(1).split())
        name = _CAPTURE.fullmatch(expression)
        source = sources.get(name.group(1)) if name is not None and not short else None
        return f"⟨{expression}: from step '{source}'⟩" if source is not None else f"⟨{expression}⟩"

    return _LATE.sub(words, text)
