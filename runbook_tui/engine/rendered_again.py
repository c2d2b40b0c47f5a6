"""A step's texts rendered again once it has captured: its undo reads the value it printed, not `⟨captured.x: … not run yet⟩`.

`step_ready` and `step_started` render a step's texts before it runs, so an undo using the step's own capture (`rm -f
{{ captured.backup }}`) could only say where the value will come from. Until session 38 that stayed the undo's text while
the step waited for the verifier's word on it: both screens asked bob to stand behind an undo not rendered yet, although
the value was on the record. The `step_finished` that journals the capture now carries the texts that read differently
with it (`rendered`), folded over the step's (`fold_steps`), so the assignee, the verifier, replay and the report all
show the same undo, with the value; the titles of the steps not run yet that use the capture come with it (`titles`).
The command that ran is never rendered again: it ran as `step_started` says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from runbook_tui.engine.fold_steps import AGAIN
from runbook_tui.engine.state import RunState
from runbook_tui.runbook.model import Runbook, Step


def rendered_again(
    runbook: Runbook,
    step: Step,
    state: RunState,
    captured: Mapping[str, str],
    render: Callable[[RunState], Mapping[str, Any]],
    title: Callable[[Step, RunState], str],
    mask: Callable[[str], str],
) -> dict[str, Any]:
    """What `step`'s `step_finished` carries besides `captured` (masked as the journal keeps them: `mask`): `rendered`,
    its texts that read differently with the capture than as the run shows them now (`render`: its texts from a state);
    `titles`, the titles of steps not run yet that read differently with it (`title`: a step's from a state), so the step
    list names `Restore from /var/backups/pg-0412.tar`, not `Restore from ⟨captured.backup⟩`, once the value is known (a
    title reading `now` waits for its own `step_ready`: its clock is read then)."""
    if not captured:
        return {}
    after = replace(state, captured=MappingProxyType({**state.captured, **{name: mask(value) for name, value in captured.items()}}))
    fresh, shown = render(after), state.steps[step.id].rendered if step.id in state.steps else {}
    changed = {key: fresh[key] for key in AGAIN if key in fresh and fresh[key] != shown.get(key)}
    ahead = [s for s in runbook.steps if s.id != step.id and (text := s.title_text) is not None and "captured" in text.uses and "now" not in text.uses]
    ahead = [s for s in ahead if s.id in state.steps and state.steps[s.id].status == "pending"]
    titles = {s.id: now for s in ahead if (now := title(s, after)) != state.steps[s.id].rendered.get("title")}
    return ({"rendered": changed} if changed else {}) | ({"titles": titles} if titles else {})
