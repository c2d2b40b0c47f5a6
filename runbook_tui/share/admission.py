"""Who may even start an SSH handshake with the share server: the defence against connection floods.

Anyone who can reach `--share :PORT` can open connections without a key. Each one costs a file
descriptor and handshake work in the assignee's process, the one running the change. So:

- connections that have not authenticated are capped per source (an IPv4 address, an IPv6 /64) and in total; when
  the total is reached, a source holding two or more fewer than the one holding the most takes the place of that one's
  oldest connection (`Admission.admit`): flooding from a few sources cannot keep everyone else out;
- new connections are refused while open file descriptors are near RLIMIT_NOFILE, keeping a
  reserve for the run's own commands (a step needs descriptors to start `sh`);
- a refused connection is closed before any SSH work; nothing is journaled for it, only counted
  (the counts are journaled once, in `share_closed`, for the report), except that refusals are
  said as they happen (`share_refusing`, the first at once, then at most once a minute), so the
  assignee learns that a verifier may be kept out, and why;
- a connection may try AUTH_TRIES keys (or user names) at most, then it is closed (sshd's MaxAuthTries);
- accept errors (EMFILE and the like) are logged once per interval with a count, never as a
  traceback per connection;
- a connection that offered keys that are not participants' and ended without getting in is
  journaled (`join_refused`, when it ends) so that everyone sees the attempt, bounded by
  `KeyRefusals`: each key named once a session, KEYS_NAMED keys in all, the rest only counted.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import resource
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, Protocol

import asyncssh

from runbook_tui.runbook.lean_dataclass import dataclass, field

log = logging.getLogger(__name__)

#: Unauthenticated connections kept at once from one source address, and from all of them.
PER_ADDRESS = 32
TOTAL = 128
#: Seconds a connection has to authenticate before it is dropped.
LOGIN_TIMEOUT = 10.0
#: File descriptors kept free for the run itself: the larger of these and a quarter of the limit.
FD_RESERVE = 64
#: Seconds between two log lines about the same kind of refusal or accept error.
LOG_INTERVAL = 10.0
#: Seconds between two `share_refusing` events while refusals go on.
NOTICE_INTERVAL = 60.0
#: Refused keys named in `join_refused` events in a session at most (the rest: counted as unauthenticated connections).
KEYS_NAMED = 20
#: Characters of the user name a refused client gave that are journaled.
USER_CHARS = 64
#: Login attempts one connection may make before it is closed, as sshd's MaxAuthTries: a key asked about, a signature
#: checked (a participant's key is both), a user name begun after the first. Without it a connection pipelined key offers
#: for its whole LOGIN_TIMEOUT, each parsed and hashed on the run's event loop (32 connections: ~6,000 a second, more of
#: the assignee's CPU than the handshakes of a reconnect flood). A `join` without --identity offers its agent's keys and
#: ~/.ssh/id_*: far fewer.
AUTH_TRIES = 32
TOO_MANY_TRIES = f"more than {AUTH_TRIES} login attempts on one connection (keys offered): name your key with --identity"


class Waiting(Protocol):
    """A connection waiting to authenticate that can be let go (`evict`: closed, and counted as dropped, at once)."""

    def evict(self) -> None: ...


def source(address: str) -> str:
    """What a connection from `address` counts under: an IPv4 address, or an IPv6 address's /64 (one site's network: a
    host given a /64 has 2**64 addresses to connect from, and a cap per address would bound nothing)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return address


def open_descriptors() -> int:
    """How many file descriptors this process has open (Linux: /proc/self/fd; elsewhere 0)."""
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 0


def descriptor_ceiling() -> int:
    """Open descriptors above which new share connections are refused (the rest is the run's reserve)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft <= 0:
        return 1 << 30
    return soft - max(FD_RESERVE, soft // 4)


class RateLimitedLog:
    """One warning per key per interval, with how many were held back."""

    def __init__(self, interval: float = LOG_INTERVAL, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self._clock = clock
        self._last: dict[str, float] = {}
        self._held: Counter[str] = Counter()

    def note(self, key: str, message: str) -> None:
        now = self._clock()
        if now - self._last.get(key, -self.interval) < self.interval:
            self._held[key] += 1
            return
        held = self._held.pop(key, 0)
        self._last[key] = now
        log.warning("%s%s", message, f" (and {held} more like it in the last {self.interval:g} s)" if held else "")


@dataclass
class Admission:
    """Counts connections by state and decides whether a new one may start its handshake."""

    per_address: int = PER_ADDRESS
    total: int = TOTAL
    ceiling: Callable[[], int] = descriptor_ceiling
    count_open: Callable[[], int] = open_descriptors
    pending: Counter[str] = field(default_factory=Counter)  # unauthenticated connections per source
    waiting: dict[str, dict[Waiting, None]] = field(default_factory=dict)  # those that can be let go, per source, oldest first
    counts: Counter[str] = field(default_factory=Counter)  # what summary() gives
    logger: RateLimitedLog = field(default_factory=RateLimitedLog)
    clock: Callable[[], float] = time.monotonic
    refused_unsaid: int = 0  # refusals since the last `share_refusing`
    last_reason: str = ""
    said_at: float | None = None

    def admit(self, address: str, connection: Waiting | None = None) -> bool:
        """A new connection from `address`: True to go on with the handshake (it now counts as pending, and
        `connection` may be let go for another source's while it waits)."""
        reason = None
        address = source(address)
        if self.pending[address] >= self.per_address:
            reason = "refused_address"
            message = f"share: refusing connections from {address}: {self.per_address} are already waiting to authenticate"
        elif sum(self.pending.values()) >= self.total and not self._make_room(address):
            reason = "refused_total"
            message = f"share: refusing connections: {self.total} are already waiting to authenticate"
        elif self.count_open() >= self.ceiling():
            reason = "refused_descriptors"
            message = "share: refusing connections: file descriptors are running short (kept for the run's own commands)"
        if reason is not None:
            self.counts[reason] += 1
            self.refused_unsaid += 1
            self.last_reason = reason
            self.logger.note(reason, message)
            return False
        self.pending[address] += 1
        if connection is not None:
            self.waiting.setdefault(address, {})[connection] = None
        return True

    def _make_room(self, address: str) -> bool:
        """With the total reached: let go the oldest waiting connection of the source holding the most, when that holds
        at least two more than `address` (before: 4 sources of 32 kept every other out: a verifier got in only when the
        login timeout let a batch go, and lost the race to reconnect to them; a host with an IPv6 /64 is one source)."""
        top = max(self.waiting, key=lambda held: self.pending[held], default=None)
        if top is None or self.pending[top] < self.pending[address] + 2:
            return False
        self.logger.note(
            "evicted", f"share: letting go of the oldest of the {self.pending[top]} connections from {top} waiting to authenticate: room for {address}"
        )
        next(iter(self.waiting[top])).evict()
        return True

    def authenticated(self, address: str, connection: Waiting | None = None) -> None:
        self._release(address, connection)
        self.counts["authenticated"] += 1

    def dropped(self, address: str, *, asked: bool = True, connection: Waiting | None = None) -> None:
        """A pending connection closed without authenticating: counted, never journaled. `asked`: it asked to log in;
        one that did not (`no_login_tried`, counted among `unauthenticated` too) only looked: `join` reads the session's
        SSH version, and on first contact its host key, on connections of their own before it logs in."""
        self._release(address, connection)
        self.counts["unauthenticated"] += 1
        if not asked:
            self.counts["no_login_tried"] += 1

    def _release(self, address: str, connection: Waiting | None) -> None:
        address = source(address)
        self.pending[address] -= 1
        if self.pending[address] <= 0:
            del self.pending[address]
        held = self.waiting.get(address, {})
        if connection is not None:
            held.pop(connection, None)
        if not held:
            self.waiting.pop(address, None)

    def refusal_notice(self) -> dict[str, Any] | None:
        """The `share_refusing` payload when refusals are unsaid and the last notice is NOTICE_INTERVAL old (or none
        was given): then they count as said."""
        now = self.clock()
        if not self.refused_unsaid or (self.said_at is not None and now - self.said_at < NOTICE_INTERVAL):
            return None
        notice = {"refused": self.refused_unsaid, "reason": self.last_reason, "waiting": sum(self.pending.values()), "addresses": len(self.pending)}
        self.refused_unsaid, self.said_at = 0, now
        return notice

    def summary(self) -> dict[str, int]:
        """The counts for `share_closed`; connections still waiting to authenticate count as unauthenticated."""
        counts = {
            key: self.counts[key]
            for key in (
                "authenticated", "unauthenticated", "no_login_tried", "refused_address", "refused_total", "refused_descriptors", "refused_sessions",
                "refused_requests",
            )
        }  # fmt: skip
        counts["unauthenticated"] += sum(self.pending.values())
        return counts


@dataclass
class LoginTries:
    """One connection's login attempts (keys asked about, signatures checked, user names): past AUTH_TRIES it is closed, told why."""

    count: int = 0

    def take(self, conn: asyncssh.SSHServerConnection | None) -> bool:
        """One more attempt: False past the limit (the connection is then being closed)."""
        self.count += 1
        if self.count > AUTH_TRIES and conn is not None:
            conn.disconnect(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE, TOO_MANY_TRIES)
        return self.count <= AUTH_TRIES


@dataclass
class KeyRefusals:
    """Which keys that are not participants' the journal has named: each once a session, `limit` in all.

    The listener is unauthenticated: anyone reaching it can offer keys in a loop. So a connection is
    said once, when it ends without getting in, naming only keys no earlier `join_refused` named, and
    after `limit` keys nothing more is said (the event naming the last has `last` true)."""

    limit: int = KEYS_NAMED
    named: set[str] = field(default_factory=set)

    @property
    def full(self) -> bool:
        return len(self.named) >= self.limit

    def notice(self, offered: dict[str, str], user: str, address: str) -> dict[str, Any] | None:
        """The `join_refused` payload for a connection that ended without getting in after offering the keys `offered`
        ({fingerprint: type}, in order), or None when it names no key not named before (or `limit` keys were named)."""
        new = [fingerprint for fingerprint in offered if fingerprint not in self.named][: max(self.limit - len(self.named), 0)]
        if not new:
            return None
        self.named.update(new)
        user = user[:USER_CHARS].encode("utf-8", "replace").decode("utf-8")  # a lone surrogate could not be journaled
        notice: dict[str, Any] = {"keys": [{"fingerprint": f, "type": offered[f]} for f in new], "user": user, "address": address}
        if self.full:
            notice["last"] = True
        return notice


#: asyncio's messages for failures to accept or set up an incoming connection.
_ACCEPT_MESSAGES = ("socket.accept() out of system resource", "Error on transport creation for incoming connection")


def quiet_accept_errors(loop: asyncio.AbstractEventLoop, logger: RateLimitedLog) -> Callable[[], None]:
    """Log the loop's accept errors once per interval instead of a traceback each; returns the undo."""
    previous = loop.get_exception_handler()

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        message = str(context.get("message", ""))
        if message.startswith(_ACCEPT_MESSAGES):
            logger.note("accept", f"share: {message}: {context.get('exception')}")
        elif previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
    return lambda: loop.set_exception_handler(previous)
