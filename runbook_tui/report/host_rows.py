"""An attempt's host table in the report, for the Markdown and the HTML report alike: each host's problem said once.

A step that timed out on its one host read `problem: local: timed out after 1s` and then `| local | TIMED OUT |
timed out |` under it. As the run screen's detail pane (ui/widgets.py), a host a problem line names has its status
alone in its row (its exit code too: the problem line may say another cause), and a one-host step whose problem line
said it all has no table.
"""

from __future__ import annotations

from runbook_tui.engine.event_words import host_status_words
from runbook_tui.engine.history_model import Attempt, HostResult, exit_words
from runbook_tui.engine.said import said_above

NONE = "—"


def host_rows(attempt: Attempt, fanned_out: bool) -> list[tuple[str, str, str]]:
    """(host, status, exit / error) per host of the attempt; [] where no row would say more than the lines above."""
    said = said_above((h.host for h in attempt.hosts), attempt.problems)
    if not fanned_out and not any(h.host not in said and (h.error or h.exit_code not in (0, None)) for h in attempt.hosts):
        return []
    return [(h.host, host_status_words(h.status), _exit(h, h.host in said)) for h in attempt.hosts]


def _exit(host: HostResult, said: bool) -> str:
    return exit_words(HostResult(host.host, host.status, host.exit_code) if said else host, NONE)
