"""Alertmanager's clock beside ours: a silence starts and ends by its clock, asked by ours (preflight's finding, the run's
words), and how far in our past a silence is asked to start."""

from __future__ import annotations

import datetime as dt

from runbook_tui.engine.http_bounded import short, without_password
from runbook_tui.notify.http import Answer, clock_off, request
from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.reach import Alerts

#: How long before our clock's now a silence is asked to start. Alertmanager starts a silence asked for in its past
#: at its own now; one asked for in its future waits, `pending`, until then. Asked at our now, a clock of ours ahead of
#: Alertmanager's (an NTP that stopped, a VM resumed) left the change's silences pending while the change ran and its
#: alerts paged the on-call.
START_MARGIN = dt.timedelta(hours=1)

#: Alertmanager's clock this far off ours is a preflight finding (its Date has whole seconds, and comes a request's
#: time late: well under this).
CLOCK_FINDING = dt.timedelta(minutes=1)


def check_api(alerts: Alerts, timeout: float = 5.0) -> str | None:
    """Blocking: does the Alertmanager answer its API v2, with a clock near ours? None when so, else the problem in words."""
    answer = request("GET", f"{alerts.alertmanager}/api/v2/status", timeout=timeout, limit=STATUS_BYTES)
    where = f"alerts: Alertmanager at {without_password(alerts.alertmanager)}"
    if not answer.ok:
        return f"{where}: {answer.problem('the API')}"
    if not _is_status(answer):  # before: `ready`, and every silence of the run then failed
        said = short(answer.body.strip().splitlines()[0]) if answer.body.strip() else "an empty answer"
        return (
            f"{where}: the API answered HTTP {answer.status}, but not as Alertmanager's API v2 does ({said}); check the address"
            " (a login page or a proxy in front of it, or another service there)"
        )
    off = clock_words(answer)
    return None if off is None else f"{where}: {off}"


#: Bytes of Alertmanager's status read (it holds its whole configuration).
STATUS_BYTES = 1024 * 1024


def _is_status(answer: Answer) -> bool:
    """Alertmanager's `/api/v2/status`: a JSON object with its `cluster` and `versionInfo`."""
    try:
        status = answer.json()
    except (ValueError, TypeError):
        return False
    return isinstance(status, dict) and isinstance(status.get("cluster"), dict) and isinstance(status.get("versionInfo"), dict)


def _about(span: dt.timedelta) -> str:
    return "about " + format_duration(round(abs(span).total_seconds(), -1))  # a Date's whole seconds, a request's time late


def clock_words(answer: Answer) -> str | None:
    """Alertmanager's clock CLOCK_FINDING or more off ours (from its answer's Date) and what comes of it, in words.

    A silence ends at the window's end by our clock, and Alertmanager ends it by its own: with its clock 10 minutes
    ahead, the change's alerts page the on-call for the window's last 10 minutes (behind, they stay silenced past it);
    more than START_MARGIN behind, a silence starts in its future: pending, silencing nothing. Before, preflight said
    "ready" and the run said nothing."""
    off = clock_off(answer)
    if off is None or abs(off) < CLOCK_FINDING:
        return None
    if off > dt.timedelta(0):
        said = f"its clock is {_about(off)} ahead of ours (its Date header): the change's silences would end {_about(off)} early"
    elif -off <= START_MARGIN:
        said = f"its clock is {_about(off)} behind ours (its Date header): the change's silences would end {_about(off)} late"
    else:
        said = (
            f"its clock is {_about(off)} behind ours (its Date header): the change's silences would be pending, silencing"
            f" nothing, for {_about(-off - START_MARGIN)} after they are made, and end {_about(off)} late"
        )
    return f"{said}; set the clocks right (NTP)"
