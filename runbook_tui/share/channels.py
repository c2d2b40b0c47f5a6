"""The session channels of one participant's SSH connection: a few at once, and none keeps an environment or a signal.

asyncssh gives a server every session channel a client opens, and keeps the name and value of every `env` request on
its channel for as long as that is open. So a participant's client could open channels without end on one connection
(each some KB of the assignee's memory; SESSIONS_PER_PARTICIPANT counts sessions, which start at a channel's `shell`,
and a channel need never ask for one), or send `env` requests without end on one channel (before: 1,000 of 200 KB took
the assignee's RSS 61 -> 247 MB). Nothing here reads an environment: each `env` request is refused, and a connection
holds at most CHANNELS_PER_CONNECTION channels at once (one more is refused as it opens).

asyncssh also keeps each `signal`, `break` and `window-change` request on its channel, to be raised at the session's next
read: a channel never read (no shell asked for) kept every one (200,000 window changes: 62 -> 144 MB, without bound), and
one `signal` ended a joined verifier's session. The share has no terminal and nothing to signal: each is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncssh

#: Session channels open at once on one connection: the sessions a participant may have, and room for those closing.
CHANNELS_PER_CONNECTION = 8
#: The smallest largest packet a client may say it takes (OpenSSH and asyncssh say 32 KiB, PuTTY 16 KiB): the share sends
#: no more than that in a packet, each encrypted on the run's event loop, so one byte a packet turned a catch-up's write of
#: 256 KiB into ~260,000 packets without a pause (the verifier's note then went unanswered for over 30 s).
SMALLEST_PACKET = 4096

ProcessFactory = Callable[[asyncssh.SSHServerProcess[str]], Any]


class _Session(asyncssh.SSHServerProcess[str]):
    """The session of one channel (no SFTP, no SCP), saying when its channel closes."""

    def __init__(self, factory: ProcessFactory, closed: Callable[[], None]) -> None:
        super().__init__(factory, None, 0, False)
        self._closed = closed

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self._closed()


#: Channel requests refused outright (asyncssh's handler names: `window-change` is `window_change`).
_REFUSED = ("env", "signal", "break", "window_change")


def _refused(_packet: object) -> bool:
    return False


async def _too_small(size: int) -> Any:
    """The channel's opening refused (asyncssh awaits the session, and tells the client why it cannot have it)."""
    raise asyncssh.ChannelOpenError(
        asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, f"packets of {size:,} bytes at most: too small; take {SMALLEST_PACKET:,} at least"
    )


class Channels:
    """One connection's session channels: opened through `open` (an `SSHServer.session_requested`), counted until closed."""

    def __init__(self, factory: ProcessFactory) -> None:
        self.factory = factory
        self.count = 0

    def open(self, conn: asyncssh.SSHServerConnection) -> tuple[asyncssh.SSHServerChannel[str], _Session] | bool:
        if self.count >= CHANNELS_PER_CONNECTION:
            return False  # the client is told "Session refused"
        channel: asyncssh.SSHServerChannel[str] = conn.create_server_channel()
        for request in _REFUSED:  # asyncssh's handlers of these requests (asyncssh 2.24, pinned in uv.lock)
            setattr(channel, f"_process_{request}_request", _refused)
        process_open = channel.process_open  # given the client's largest packet once the session is made (asyncssh 2.24)

        def opened(send_chan: int, send_window: int, send_pktsize: int, session: Any) -> None:
            if send_pktsize < SMALLEST_PACKET:
                self._closed()  # never opens: its place is free again
                session = _too_small(send_pktsize)
            process_open(send_chan, send_window, send_pktsize, session)

        channel.process_open = opened  # type: ignore[method-assign]
        self.count += 1
        return channel, _Session(self.factory, self._closed)

    def _closed(self) -> None:
        self.count -= 1
