"""Each connection to the share server, from its first byte to its login: admitted or refused before any SSH work
(share/admission.py), then public keys only, the participants'; a participant's connections are bounded too."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import asyncssh

from runbook_tui.share.admission import KEYS_NAMED, LoginTries
from runbook_tui.share.channels import Channels
from runbook_tui.share.participants import Participant

if TYPE_CHECKING:
    from runbook_tui.share.server import ShareServer

log = logging.getLogger(__name__)

#: Connections one participant's key may hold at once once authenticated (more are disconnected, saying why, and counted
#: as `refused_sessions`): room for a reconnect while the dropped link is not yet known dead, not for a participant who
#: opens connections and never a session, each a file descriptor, until the verifier is refused for want of them.
CONNECTIONS_PER_PARTICIPANT = 8
#: Seconds a connection over that limit is kept: long enough for a session to be told why (`bye`), no longer (a
#: client that opens connections in a loop holds about this many seconds' worth of them: ~150 on loopback).
OVER_LIMIT_SECONDS = 1.0
#: Key exchanges a connection may start before it has logged in: its first and one re-exchange. Each costs the run's
#: event loop a Diffie-Hellman and a host-key signature; the login timeout bounded how long, not how many: one connection
#: re-keyed for its whole LOGIN_TIMEOUT (a client logging in never re-keys before it has: OpenSSH's, asyncssh's, join).
KEX_BEFORE_LOGIN = 2
TOO_MANY_KEX = f"more than {KEX_BEFORE_LOGIN} key exchanges before logging in"
_MSG_KEXINIT = 20  # RFC 4253
#: Bytes a connection may send before it has logged in: a login's key offers and signatures (an agent's 32 RSA-4096 keys
#: with certificates: under 100 KiB) and two key exchanges. Past it, the connection is closed, told why: the login timeout
#: bounded how long, not how much, and a connection waiting for its login could send SSH_MSG_IGNORE packets for all of
#: it, each decrypted on the run's event loop (32 such connections: a step's output reached the journal 0.57 s late).
BYTES_BEFORE_LOGIN = 256 * 1024
TOO_MUCH_BEFORE_LOGIN = f"more than {BYTES_BEFORE_LOGIN // 1024} KiB sent before logging in"


class Gate(asyncssh.SSHServer):
    """Per connection: admitted or refused before any SSH work; then public keys only, the participants'."""

    def __init__(self, share: ShareServer) -> None:
        self.share = share
        self.participant: Participant | None = None
        self.address = ""
        self.pending = False  # admitted and not authenticated yet
        self.asked = False  # it asked to log in (a join's look at the session's version or host key does not)
        self.refused: dict[str, str] = {}  # keys offered that are not participants': {fingerprint: type}, KEYS_NAMED at most
        self.user = ""  # the user name given with the last of them
        self.tries = LoginTries()  # keys offered and user names begun: AUTH_TRIES at most (sshd's MaxAuthTries)
        self.conn: asyncssh.SSHServerConnection | None = None
        self.counted: Participant | None = None  # the participant this authenticated connection counts for
        self.over = ""  # why this connection is over the participant's limit (its sessions are told, then it is closed)
        self.channels = Channels(share._session)  # its session channels: a few at once, no environment kept (share/channels.py)
        self.writable = asyncio.Event()  # its socket takes more: what was sent to it is not piling up in this process
        self.writable.set()

    async def sent(self, process: asyncssh.SSHServerProcess[str]) -> None:
        """Wait until what was written to `process` left this process: its SSH window taken (drain), then the socket's
        buffer under its high-water mark. asyncssh sends all the window allows into the socket's buffer and ignores the
        socket's back-pressure; the window is the client's to grant (4 GiB, then more by adjusting it), so a client that
        granted one without end and read nothing had every catch-up and every event land in the assignee's memory."""
        await process.stdout.drain()
        await self.writable.wait()

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        conn.pause_writing, conn.resume_writing = self.writable.clear, self.writable.set  # type: ignore[method-assign]  # asyncssh's do nothing
        peer = conn.get_extra_info("peername")
        self.address = str(peer[0]) if peer else "?"
        if self.share.admission.admit(self.address, self):
            self.pending = True
            bound_key_exchanges(conn, self)
            bound_bytes_before_login(conn, self)
        else:
            conn.abort()
            self.share.say_refusals()

    def connection_lost(self, exc: Exception | None) -> None:
        self.writable.set()  # whoever waits to send goes on, and finds the connection gone
        if self.counted is not None:
            self.share.connections[self.counted.fingerprint] -= 1
            self.counted = None
        self._dropped()

    def evict(self) -> None:
        """Let this connection go before it logged in, for a connection from another source (share/admission.py)."""
        self._dropped()
        if self.conn is not None:
            self.conn.abort()

    def _dropped(self) -> None:
        if self.pending:
            self.pending = False
            self.share.admission.dropped(self.address, asked=self.asked, connection=self)
            if self.refused:  # it never got in: said once, now (a client that got in after trying other keys is not)
                self.share.say_refused_keys(self.refused, self.user, self.address)

    def auth_completed(self) -> None:
        if self.pending:
            self.pending = False
            self.share.admission.authenticated(self.address, self)
        participant, connections = self.participant, self.share.connections
        if participant is None or self.conn is None:
            return
        if connections[participant.fingerprint] >= CONNECTIONS_PER_PARTICIPANT:
            self.share.admission.counts["refused_sessions"] += 1
            self.over = f"{participant.name} already has {CONNECTIONS_PER_PARTICIPANT} connections open to this session"
            asyncio.get_running_loop().call_later(OVER_LIMIT_SECONDS, self.conn.disconnect, asyncssh.DISC_TOO_MANY_CONNECTIONS, self.over)
            return
        connections[participant.fingerprint] += 1
        self.counted = participant

    def session_requested(self) -> tuple[asyncssh.SSHServerChannel[str], asyncssh.SSHServerProcess[str]] | bool:
        return False if self.conn is None else self.channels.open(self.conn)

    def begin_auth(self, username: str) -> bool:
        if self.asked:  # another user name mid-login (asyncssh then reloads its config): an attempt of its own
            self.tries.take(self.conn)
        self.asked = True
        return True  # a login is needed (past the limit too: the connection is closing)

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        if not self.tries.take(self.conn):
            return False
        participant = self.share.participants.get(key.get_fingerprint())
        if participant is None:
            log.info("refused a key that is not a participant's: %s", key.get_fingerprint())
            if len(self.refused) < KEYS_NAMED:
                self.refused.setdefault(key.get_fingerprint(), key.get_algorithm())
            self.user = username
            return False
        self.participant = participant
        return True


def bound_key_exchanges(conn: asyncssh.SSHServerConnection, gate: Gate) -> None:
    """Close `conn` when its peer starts more than KEX_BEFORE_LOGIN key exchanges before it logged in.

    asyncssh has no hook for a peer's KEXINIT: its handler is looked up in the connection's `_packet_handlers`, so this
    connection gets its own table with that handler counted (asyncssh 2.24; tests/share/test_rekey_before_login.py
    fails if that changes). Raising a DisconnectError there makes asyncssh tell the peer why and close."""
    table: dict[int, Any] = dict(conn._packet_handlers)
    process_kexinit = table[_MSG_KEXINIT]
    started = 0

    def counted(handler: asyncssh.SSHServerConnection, pkttype: int, pktid: int, packet: Any) -> Any:
        nonlocal started
        started += gate.pending
        if started > KEX_BEFORE_LOGIN:
            raise asyncssh.ProtocolError(TOO_MANY_KEX)
        return process_kexinit(handler, pkttype, pktid, packet)

    table[_MSG_KEXINIT] = counted
    conn._packet_handlers = table


def bound_bytes_before_login(conn: asyncssh.SSHServerConnection, gate: Gate) -> None:
    """Close `conn` once its peer sent more than BYTES_BEFORE_LOGIN before it logged in (nothing more of it is read)."""
    received = conn.data_received
    taken = 0

    def counted(data: bytes, datatype: int | None = None) -> None:
        nonlocal taken
        if gate.pending:
            taken += len(data)
            if taken > BYTES_BEFORE_LOGIN:
                if gate.conn is not None and taken - len(data) <= BYTES_BEFORE_LOGIN:  # said once
                    gate.conn.disconnect(asyncssh.DISC_PROTOCOL_ERROR, TOO_MUCH_BEFORE_LOGIN)
                return
        received(data, datatype)

    conn.data_received = counted  # type: ignore[method-assign]
