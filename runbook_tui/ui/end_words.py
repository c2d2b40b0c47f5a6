"""What did not go through, said under the end of the run: `Skipped: 'drop' by alice (not tonight)`.

The session ends `done` with steps skipped (a failed change skipped, a step every host of which was left out); the pane
said only `Session finished: done.`, and at 80x24 the step list, whose rows mark them `↷`, is hidden.
"""

from __future__ import annotations

from runbook_tui.engine.actors import named
from runbook_tui.engine.state import RunState
from runbook_tui.runbook.safe_text import visible_line

#: Steps named before `and N more`.
NAMED = 5


def skipped_words(state: RunState, reader: str | None = None) -> str:
    """`Skipped: 'a' by alice (why), 'b' by the program (…)`; "" when no step was skipped. `reader` reads their own
    name as `you`."""
    skipped = [state.steps[sid] for sid in state.order if state.steps[sid].status == "skipped"]
    said = []
    for step in skipped[:NAMED]:
        why = f" ({visible_line(step.reason)})" if step.reason else ""
        by = f" by {named(step.decided_by, reader)}" if step.decided_by else ""
        said.append(f"'{visible_line(step.id)}'{by}{why}")
    more = f", and {len(skipped) - NAMED} more" if len(skipped) > NAMED else ""
    return f"Skipped: {', '.join(said)}{more}." if said else ""
