"""A rollback's undos of one step, in the step's own rolling batches (`serial:`), newest host first.

The author rolled the change out a few hosts at a time to keep the fleet serving; its undo (often a restart too) rolls
back the same way: the undo list's hosts (newest first) cut into the step's `serial` batches, each batch once the one
before it ended, at most `max_concurrency` at once within a batch. A step without `serial` is one batch, as before.

Once an undo of a batch failed, or a person stopped the rollback (`k`), no later batch starts: those hosts end
`stopped`, `not started` and why, so they are not undone and the next rollback plans their undo again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.fanout import at_most, batches
from runbook_tui.engine.ports import StopSignal


async def undo_in_waves(
    limit: int,
    serial: Sequence[int | str],
    hosts: Sequence[str],
    undo_on: Callable[[str], Awaitable[dict[str, Any]]],
    stop: StopSignal | None,
) -> dict[str, dict[str, Any]]:
    """Each host's undo result (`undo_finished`'s `hosts`), in `hosts`' order."""
    results: dict[str, dict[str, Any]] = {}
    why: str | None = None
    for batch in batches(list(hosts), serial):
        why = why or _held(results, stop)
        if why is not None:
            results.update({host: {"status": "stopped", "exit_code": None, "error": f"not started: {why}"} for host in batch})
            continue
        outcomes = await at_most(limit, [undo_on(host) for host in batch])
        results.update(zip(batch, outcomes))
    return results


def _held(results: dict[str, dict[str, Any]], stop: StopSignal | None) -> str | None:
    """Why the next batch must not start, or None."""
    if stop is not None and stop.reason:
        return stop.reason
    failed = [host for host, result in results.items() if not ev.undid(result)]
    if failed:
        return f"the undo failed on {', '.join(failed)} in an earlier batch (the undo rolls back in the step's serial batches)"
    return None
