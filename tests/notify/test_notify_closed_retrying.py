"""The session closes while a notice waits to be tried again: the journal says whether the receiver may have it.

Before, every such notice read `not sent: the session closed while retrying (last attempt: did not answer within 0.3s)`,
though the receiver had taken that attempt's request (it may act on it); only a request that never reached
it (no connection) or that it turned away unread (429, 503) is `not sent`.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any

from receivers import Receiver
from waiting import until

from runbook_tui.notify.messages import Notice
from runbook_tui.notify.sender import Destination, Notifier


def closed_while_retrying(url: str, tried: Callable[[Notifier], bool]) -> list[tuple[str, dict[str, Any]]]:
    """One notice to `url` (3 tries, 30 s apart, 0.3 s each); the session closes once `tried` says the first try ended."""
    journaled: list[tuple[str, dict[str, Any]]] = []

    async def main() -> None:
        notifier = Notifier([Destination(url, "the hook")], lambda kind, payload: journaled.append((kind, payload)), timeout=0.3, retries=2, backoff=(30.0,))
        notifier.send(Notice("rollback_started", "r", "R", None, "alice", "2026-01-01T00:00:00Z", "", "a rollback"))
        # The first try's end is seen in the sender: nothing is journaled until the notice settles.
        await until(lambda: tried(notifier), "the first try's end", 20)
        await notifier.stop(drain=0)

    asyncio.run(main())
    return journaled


def first_try_ended(notifier: Notifier) -> bool:
    return bool(notifier._last_problem)


def test_a_receiver_that_took_the_request_may_have_it(receiver: Callable[[str], Receiver]) -> None:
    hung = receiver("hang")
    journaled = closed_while_retrying(hung.url, first_try_ended)
    assert len(hung.requests) == 1, "the receiver holds the first try's request"
    [(kind, payload)] = journaled
    assert kind == "notify_failed" and payload["attempts"] == 1, journaled
    assert payload["error"] == "not confirmed: the session closed while retrying (attempt 1: did not answer within 0.3s; the receiver may have it)"


def test_a_receiver_never_reached_was_not_sent_anything() -> None:
    with socket.socket() as sock:  # a port nobody listens on: the connection is refused
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    journaled = closed_while_retrying(url, first_try_ended)
    [(kind, payload)] = journaled
    assert kind == "notify_failed" and payload["attempts"] == 1, journaled
    assert payload["error"].startswith("not sent: the session closed while retrying (last attempt: "), payload["error"]
