"""Practice: an attempt the night's process died in ends `unknown`, as `resume` found it then.

Only a practice's recorded executor answers `Result("unknown")`: the night's journal has the command's start and
output, then nothing (the process died; `resume` made the step `unknown` and the assignee decided: re-run, mark done
after checking by hand, or roll back). The runner ends such an attempt as the night stood after `resume`: the step
`unknown`, its hosts of the dying wave `unknown`, those whose wave never began `pending` (nothing ran there, so `d` is
refused and names them, as `resume --mark-done` was), no retry (the night made none), and the wave it died in never
finishes (no `wave_finished`, no later wave). A live executor never answers `unknown`: nothing here changes a live run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from runbook_tui.engine.ports import Result
from runbook_tui.runbook.model import Host

AfterBatch = Callable[[int, list[Host], list[Host], bool], Awaitable[bool]]

#: A host a rollout the night died in never reached (as `resume` leaves it: its wave had not begun).
NEVER_STARTED = "on the night the program stopped before this host's wave began"


class NightStopped:
    """One attempt's hosts whose recorded command ended where the night's process died."""

    def __init__(self) -> None:
        self.hosts: set[str] = set()

    def ended(self, host: str, result: Result) -> bool:
        """Whether `result` is the end the night never recorded (kept: the attempt ends unknown, nothing is retried)."""
        if result.status == "unknown":
            self.hosts.add(host)
        return result.status == "unknown"

    def after_batch(self, then: AfterBatch | None) -> AfterBatch:
        """`then` (the wave gate's end of a wave), except for the wave the night died in: it never finished."""

        async def after(number: int, hosts: list[Host], failed: list[Host], stopped: bool) -> bool:
            if any(h.name in self.hosts for h in hosts):
                return False  # no `wave_finished`, and no later wave starts
            return True if then is None else await then(number, hosts, failed, stopped)

        return after

    def settle(self, ran: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """The hosts' results, those the rollout never reached `pending` when the night died in it (else `skipped`)."""
        if not self.hosts:
            return ran
        pending = {"status": "pending", "exit_code": None, "error": NEVER_STARTED}
        return {host: pending if result["status"] == "skipped" else result for host, result in ran.items()}
