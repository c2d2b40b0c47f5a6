"""The plan an approval binds, for `approve` (signing it) and `run`/`exec` (checking it before the first event).

The rendered plan (runbook file and digest, parameters, every step, host,
command and undo) and the address each remote host resolves to with this
machine's settings and ssh config: an approval made before a settings or
ssh config change sent the commands to another machine is refused, saying
which part differs.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from runbook_tui.app.settings import Settings
from runbook_tui.engine.errors import StartRefused
from runbook_tui.runbook.model import Runbook
from runbook_tui.runbook.plan import plan_json

if TYPE_CHECKING:
    from runbook_tui.trust.run_trust import RunTrust


def approved_plan(runbook: Runbook, settings: Settings) -> dict[str, Any]:
    """What `approve` signs the hash of and a run must render again exactly."""
    from runbook_tui.app.plan_connections import routes  # the ssh config reader: only for approvals

    return {**plan_json(runbook), "routes": routes(runbook, settings)}


def approved(
    trust: RunTrust | None, runbook: Runbook, settings: Settings, operator: str = "", *, now: dt.datetime | None = None, live: bool = True, solo: bool = False
) -> RunTrust | None:
    """The trust with its approval checked against the plan about to run (exit 2 saying which part differs, that
    `operator`, who runs it, or the ticket's assignee approved it, that the ticket's window does not hold `now`, or that
    it does not admit a run without the verifier it names, `solo`)."""
    if trust is None:
        return None
    from runbook_tui.trust.run_trust import TrustRefused

    try:
        return trust.checked(runbook, lambda: approved_plan(runbook, settings), operator, now=now, live=live, solo=solo)
    except TrustRefused as exc:
        raise StartRefused(str(exc), code=2) from None
