"""The host name lookup of an HTTP request (Prometheus, an exporter, a webhook, Alertmanager), inside its deadline.

`getaddrinfo` takes no timeout: `socket.create_connection` blocked in it for as long as the resolver did, before the
request's watchdog (which cuts a socket, and there was none yet) could help. The wait for an answer ended on time
(the pollers and the notifier stop waiting), but the lookup's thread ran on; with DNS hanging on every poll, every
poll left one more thread behind (a notice's request has a daemon thread of its own). Here the lookup runs in a daemon
thread of its own, waited for until the request's deadline; at most `SLOTS` lookups run at once: past that a request
waits for one to end (a slow but working resolver), and at its deadline fails saying DNS is not answering, no thread
started for it.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from runbook_tui.runbook.safe_text import visible_line

#: Lookups that may be under way at once (each in a thread of its own while the resolver does not answer).
SLOTS = 8

_slots = threading.BoundedSemaphore(SLOTS)

AddrInfo = list[tuple[Any, Any, int, str, Any]]


class LookupTimeout(Exception):
    """The name did not resolve before the deadline (or too many lookups already hang); `str()` says which, in words."""


def lookup(host: str, port: int, deadline: float, timeout: float) -> AddrInfo:
    """`socket.getaddrinfo(host, port, type=SOCK_STREAM)` by `deadline` (`time.monotonic()`; the request's `timeout`
    in all, for the words); raises what it raised, or `LookupTimeout`."""
    if not _slots.acquire(timeout=max(0.0, deadline - time.monotonic())):  # a slow but working DNS: a short wait
        raise LookupTimeout(
            f"the name {visible_line(host)[:80]} was not looked up within {timeout:g}s: {SLOTS} earlier lookups are still waiting for DNS to answer"
        )
    done = threading.Event()
    found: list[AddrInfo] = []
    failed: list[BaseException] = []

    def resolve() -> None:
        try:
            found.append(socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM))
        except BaseException as exc:  # handed to the waiting request
            failed.append(exc)
        finally:
            _slots.release()
            done.set()

    try:
        threading.Thread(target=resolve, name="http-lookup", daemon=True).start()
    except BaseException:
        _slots.release()
        raise
    if not done.wait(max(0.0, deadline - time.monotonic())):
        raise LookupTimeout(f"the name {visible_line(host)[:80]} did not resolve within {timeout:g}s (DNS did not answer)")
    if failed:
        raise failed[0]
    return found[0]


def connect(address: tuple[str, int], deadline: float, timeout: float) -> socket.socket:
    """`socket.create_connection(address)` with the lookup bounded by `deadline`, and each connect by what is left."""
    host, port = address
    errors: list[OSError] = []
    for family, kind, proto, _name, where in lookup(host, port, deadline, timeout):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(max(0.001, deadline - time.monotonic()))
            sock.connect(where)
            return sock
        except OSError as exc:
            sock.close()
            errors.append(exc)
    raise errors[-1] if errors else OSError(f"getaddrinfo returned no address for {host}")
