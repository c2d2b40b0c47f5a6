"""`rehearse --fail-at STEP`: the step fails without running, to rehearse the rollback from it.

Every view says the failure was injected: exec's line for its start, the undo list (and the journal's plan), the
report's Outcome. They read `started (attempt 1) on local`, `(step failed)` and `FAILED, then undone`, as if the
command had run and failed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from runbook_tui.runbook.model import Host

#: Each host's `error` in the injected step's `step_finished` (as journaled since rehearse began).
INJECTED_ERROR = "injected failure"
#: The step's problem in that `step_finished`.
INJECTED_PROBLEM = "failure injected by rehearse --fail-at; the command was not run"
#: What every view adds where it names the step's failure.
NEVER_RAN = "injected by rehearse --fail-at: its command never ran"


def injected(errors: Iterable[str | None]) -> bool:
    """Whether the hosts' errors (of one attempt) are the injected failure's: none of its commands ran."""
    found = list(errors)
    return bool(found) and all(error == INJECTED_ERROR for error in found)


def injected_end(hosts: Iterable[Host]) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The injected step's problems and host results: failed on every host, no command run there."""
    return [INJECTED_PROBLEM], {h.name: {"status": "failed", "exit_code": None, "error": INJECTED_ERROR} for h in hosts}
