"""Who confirms a step in this run, in words: the detail pane's short line and the step dialog's whole one."""

from __future__ import annotations

from runbook_tui.engine.state import RunState
from runbook_tui.runbook.safe_text import visible_line


def _line(value: object) -> str:
    return visible_line(str(value))


#: When the verifier confirms a step (its `verify:`), in words.
VERIFY_WHEN = {"before": "before it runs", "after": "after it runs", "both": "before and after it runs", "per_wave": "after each wave"}
#: The step line's words where `verifier confirms <mode>` misled: `both` and `before` are about a go-ahead (the line read
#: `verifier confirms both`, and nothing said one of the two words comes before the step runs).
VERIFY_SHORT = {"before": "verifier's go-ahead first", "both": "verifier's go-ahead, then confirmation", "per_wave": "verifier confirms each wave"}
#: The step dialog's words, whole.
VERIFY_SAID = {"before": "verifier gives a go-ahead before it runs", "both": "verifier gives a go-ahead before it runs, then confirms the result"}


def verify_words(state: RunState, verify: object, *, whole: bool = False) -> str:
    """Who confirms the step in this run: the detail pane's words, or (`whole`) the step dialog's, which say what the
    runbook asks and that a solo run does not ask it (`verify after` read as if someone would)."""
    if verify in (None, "none"):
        return "no verifier check"
    if state.solo:
        when = VERIFY_WHEN.get(str(verify), _line(verify))
        return f"unverified: this run is solo (the runbook asks a verifier to confirm {when})" if whole else "unverified (solo)"
    if whole:
        return VERIFY_SAID.get(str(verify)) or f"verifier confirms {VERIFY_WHEN.get(str(verify), _line(verify))}"
    return VERIFY_SHORT.get(str(verify)) or f"verifier confirms {_line(verify)}"
