"""Where and as whom a step runs, said under its command in the detail pane where it matters before a key lets it run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runbook_tui.engine.event_words import how_it_runs
from runbook_tui.engine.state import RunState


def how_under(state: RunState, entry: Mapping[str, Any]) -> str:
    """The folder, sudo and environment the step runs with (`how_it_runs`), said under its command where it asks the
    verifier's go-ahead or runs with sudo or an environment: the folder went on the title's line only when it fitted, the
    environment nowhere, and bob's c gave the go-ahead to `rm -rf data` unseen where. "" for other steps: their folder
    goes on the title's line where it fits, as before (the demo's steps are each read whole at 80x24: issue 16).
    `entry`: the step as shown (`widgets.step_as_shown`: its environment as rendered, secrets as `***`)."""
    asks = not state.solo and entry.get("verify") in ("before", "both")
    return how_it_runs(entry) if asks or entry.get("sudo") or entry.get("env") else ""
