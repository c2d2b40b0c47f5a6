"""A step's texts rendered again once it has captured: its undo reads the value it printed, not `⟨captured.x: … not run yet⟩`.

`step_ready` and `step_started` render a step's texts before it runs, so an undo using the step's own capture (`rm -f
{{ captured.backup }}`) could only say where the value will come from. Until session 38 that stayed the undo's text while
the step waited for the verifier's word on it: both screens asked bob to stand behind an undo not rendered yet, although
the value was on the record. The `step_finished` that journals the capture now carries the texts that read differently
with it (`rendered`), folded over the step's (`fold_steps`), so the assignee, the verifier, replay and the report all
show the same undo, with the value. The command that ran is never rendered again: it ran as `step_started` says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from runbook_tui.engine.state_model import RunState
from runbook_tui.runbook.model import Step

#: The texts shown for a step that a capture can change after it ran (not its `commands`: they ran as they were).
AGAIN = ("title", "text", "undo", "confirm", "env", "cwd")


def rendered_again(
    step: Step, state: RunState, captured: Mapping[str, str], render: Callable[[RunState], Mapping[str, Any]], mask: Callable[[str], str]
) -> dict[str, Any]:
    """`{"rendered": {text: as rendered}}` for the texts of `step` that read differently with `captured` (masked as the
    journal keeps them: `mask`) than as the run shows them now; {} when none does. `render`: the step's texts from a state."""
    if not captured:
        return {}
    after = replace(state, captured=MappingProxyType({**state.captured, **{name: mask(value) for name, value in captured.items()}}))
    fresh, shown = render(after), state.steps[step.id].rendered if step.id in state.steps else {}
    changed = {key: fresh[key] for key in AGAIN if key in fresh and fresh[key] != shown.get(key)}
    return {"rendered": changed} if changed else {}
