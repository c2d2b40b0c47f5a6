"""What of a step only a person can do: the one answer `exec`, `rehearse` and `resume --continue` all ask for.

A `note` is done by a person, an `ask` answered by one, a `confirm` text acknowledged by one (runbook format:
"text the assignee must acknowledge before it runs"). Headless, `--ack-manual REASON` stands in for that person,
journaled on each such step; an `ask` whose answer is captured has no stand-in: an empty answer would become
`captured.NAME` for the steps after it.
"""

from __future__ import annotations

from runbook_tui.runbook.model import Step


def persons_part(step: Step) -> str | None:
    """`note`, `ask` or `confirm`: what a person does at this step; None when nobody is needed."""
    if step.kind in ("note", "ask"):
        return step.kind
    return "confirm" if step.confirm is not None else None


def unanswerable(step: Step) -> str | None:
    """Why no flag lets a headless run do this step (an `ask` with `capture:`), or None."""
    if step.kind == "ask" and step.capture:
        return f"its answer becomes captured.{step.capture}, and a headless run has nobody to give it (an empty answer would be used)"
    return None
