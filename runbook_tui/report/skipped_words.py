"""A step skipped after it ran: what of it stands, for the report's outcome column.

A step that failed (or was stopped with `k`, or timed out) and was then skipped read `skipped` alone, with the
Summary's `1 skipped`, as if it had never run: what its command changed before it failed stands, unless a rollback
undid it first. The fold keeps each host's end through the skip (`undone`, or how the attempt ended there).
"""

from __future__ import annotations

from collections.abc import Mapping

from runbook_tui.engine.said import in_host_order
from runbook_tui.engine.state import StepState


def ran_before_skip(step: StepState) -> dict[str, str]:
    """{host: `undone` or `stands`} of a skipped step's hosts where its last attempt began; {} when it began nowhere."""
    began = {h: held for h, held in step.hosts.items() if held.started and held.status not in ("pending", "running", "skipped")}
    return {h: ("undone" if began[h].status == "undone" else "stands") for h in in_host_order(began)}


def skipped_after_words(ran: Mapping[str, str]) -> str:
    """` after it ran; not undone on web1, web2`, ` after it ran and was undone`, or "" (skipped before it began)."""
    standing = [h for h, how in ran.items() if how == "stands"]
    if standing:
        return f" after it ran; not undone on {', '.join(standing)}"
    return " after it ran and was undone" if ran else ""
