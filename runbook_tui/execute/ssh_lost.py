"""What a dropped SSH connection says: which hop went, which host it cut off, and what to do.

Before, a bastion that went away mid-step read `db1: connection lost, reconnecting (1/5)...` and then `lost connection
to db1; the command may still be running there` (with no reconnect left to try, not even why): nothing said the
bastion was the hop that went, nor what to check. A host behind a bastion loses its connection when the bastion's
does: the outermost hop whose own connection is closed is the one named.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping

from runbook_tui.execute.ssh_endpoint import Endpoint
from runbook_tui.runbook.safe_text import visible_line


def dropped_hop(route: Endpoint, open_connections: Mapping[tuple[object, ...], object]) -> Endpoint | None:
    """The outermost bastion on `route` whose own connection is no longer open (None: none, or a direct host)."""
    hops: list[Endpoint] = []
    via = route.via
    while via is not None:
        hops.append(via)
        via = via.via
    return next((hop for hop in reversed(hops) if hop.key not in open_connections), None)


def lost_words(route: Endpoint, open_connections: Mapping[tuple[object, ...], object], why: str) -> str:
    """`bastion bastion1 (10.0.0.2:2222) dropped its connection (Connection lost), and db1's with it`, or for a host
    reached directly (or whose bastion is still there) `its connection (db1 (10.0.0.5:22) through bastion1) dropped (…)`."""
    why = visible_line(why) or "connection closed"
    hop = dropped_hop(route, open_connections)
    if hop is not None:
        return f"bastion {hop.target} dropped its connection ({why}), and {route.name}'s with it"
    through = f" through bastion {route.via.name}" if route.via is not None else ""
    return f"its connection ({route.target}{through}) dropped ({why})"


def lost_error(host: str, lost: str, could_not: str, where: str, route: Endpoint) -> str:
    """The host's error when no reconnect brought it back: what was lost, why the reconnect failed, and what to do."""
    back = f"bastion {route.via.name} and {host} answer" if route.via is not None else f"{host} answers"
    return (
        f"lost connection to {host}: {lost}{could_not}; the command may still be running there (detached in {where}):"
        f" once {back} again, check whether it still runs before re-running the step"
    )


def attempts_words(count: int) -> str:
    return f"{count} attempt{'s' if count != 1 else ''}"


def connect_reason(exc: BaseException, fallback: str) -> str:
    """asyncio's `Connect call failed ('10.0.0.2', 2222)` (an OSError with errno set) in the words a person acts on."""
    if isinstance(exc, OSError) and exc.errno == errno.ECONNREFUSED:
        return "connection refused (nothing listens on that port: sshd down or restarting?)"
    if isinstance(exc, OSError) and exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "no route to the host (down, or a network in between)"
    return fallback
