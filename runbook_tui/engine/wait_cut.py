"""What is known of a `wait:` step the program stopped in (killed, a signal, its terminal gone): a wait runs nothing on
any host, so only whether it lasted long enough is in doubt. The fold's problem (report, detail pane, replay) and
resume's look say it in these words; before, both said `its outcome is unknown`, as of a command that may have changed
a host, and the look asked for `--mark-done REASON (you checked it by hand)`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runbook_tui.runbook.durations import written_duration

#: A wait runs nothing: what the words say about the hosts.
NOTHING_IN_DOUBT = "a wait runs nothing, so no host is in doubt"


def cut_wait(plan_step: Mapping[str, Any], started_at: str | None) -> tuple[str, str] | None:
    """(`5s`, `a wait of 5s, begun at 02:10:00`) for a `wait:` step (its plan entry) whose attempt began at `started_at`
    (no `begun at` when that is not known); None for any other step."""
    if plan_step.get("kind") != "wait":
        return None
    length = written_duration(float(plan_step.get("wait") or 0))
    return length, f"a wait of {length}" + (f", begun at {started_at[11:19]}" if started_at else "")


def cut_wait_problem(plan_step: Mapping[str, Any], started_at: str | None) -> str | None:
    """The problem the fold records on a `wait:` step the program stopped in, or None for any other step."""
    cut = cut_wait(plan_step, started_at)
    return None if cut is None else f"the program stopped before this step ({cut[1]}) had ended: {NOTHING_IN_DOUBT}"
