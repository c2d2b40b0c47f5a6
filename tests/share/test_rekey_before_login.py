"""A connection that re-exchanges keys again and again before it logs in.

Each key exchange costs the assignee's event loop (the run's own) a Diffie-Hellman and a host-key signature. The
login timeout (10 s) bounded how long a connection may stay unauthenticated, not what it does meanwhile: one
connection could re-key for its whole 10 s, and 128 of them (the cap on connections waiting to log in) again after.
A listener is bounded before authentication: a connection may make its first key exchange and one more, then it is
closed, told why; a participant still gets in.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import asyncssh
import pytest
from asyncssh.packet import String
from share_peers import HOST, Lab, Shared, confirm_both_to_the_end, until

from runbook_tui.share.gate import BYTES_BEFORE_LOGIN, KEX_BEFORE_LOGIN, TOO_MANY_KEX, TOO_MUCH_BEFORE_LOGIN

MSG_IGNORE = 2  # RFC 4253

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]


class _Rekeying(asyncssh.SSHClient):
    """Never offers a key (its login waits); the test re-keys its connection meanwhile, as an attacker's client would."""

    def __init__(self) -> None:
        self.conn: asyncssh.SSHClientConnection | None = None
        self.lost: Exception | None = None
        self.closed = asyncio.Event()
        self.stall = asyncio.Event()

    def connection_made(self, conn: asyncssh.SSHClientConnection) -> None:
        self.conn = conn

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = exc
        self.closed.set()

    async def public_key_auth_requested(self) -> asyncssh.SSHKey | None:  # type: ignore[override]
        await self.stall.wait()
        return None


@contextlib.asynccontextmanager
async def _waiting_for_its_login(lab: Lab, bob: Path) -> AsyncIterator[tuple[_Rekeying, asyncssh.SSHClientConnection, Shared]]:
    """A shared run of TWO_STEPS and a connection to it past its first key exchange, its login waiting; once the test
    is done with it, bob joins and confirms both steps, and the run ends."""
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    client = _Rekeying()
    connecting = asyncio.create_task(
        asyncssh.create_connection(lambda: client, HOST, shared.port, known_hosts=str(lab.known_hosts), username="runbook", preferred_auth="publickey")
    )
    try:
        await until(lambda: client.conn is not None and client.conn._kex_complete, 30, "the first key exchange")
        assert client.conn is not None
        yield client, client.conn, shared
    finally:
        client.stall.set()
        connecting.cancel()
        await asyncio.gather(connecting, return_exceptions=True)
    verifier = lab.client(bob, shared.port)
    try:
        await confirm_both_to_the_end(verifier, shared)
    finally:
        await verifier.close()


async def test_a_connection_re_keying_before_it_logs_in_is_closed_and_a_participant_still_gets_in(lab: Lab) -> None:
    async with _waiting_for_its_login(lab, lab.key("bob")) as (client, conn, _shared):
        done = 1
        loop = asyncio.get_running_loop()
        end = loop.time() + 8  # within the login timeout (10 s)
        while not client.closed.is_set() and loop.time() < end:
            conn._send_kexinit()  # asyncssh has no public re-key: an attacker's client sends KEXINIT, as its own re-key does
            conn._kexinit_sent = True
            await until(
                lambda: client.closed.is_set() or (conn._kex_complete and conn._kex is None and not conn._kexinit_sent),
                30,
                "a re-exchange done or the connection closed",
            )
            done += not client.closed.is_set()
        assert client.closed.is_set(), f"{done} key exchanges on one connection in 8 s before logging in, and it is still open"
        assert done <= KEX_BEFORE_LOGIN, f"{done} key exchanges before the connection was closed"
        assert isinstance(client.lost, asyncssh.DisconnectError) and client.lost.reason == TOO_MANY_KEX, repr(client.lost)


async def test_a_connection_sending_without_end_before_it_logs_in_is_closed(lab: Lab) -> None:
    """Before: a connection whose login waits sent SSH_MSG_IGNORE packets for its whole login timeout (10 s), each
    decrypted on the run's event loop; 32 such connections made a step's output reach the journal 0.57 s late (0.007 s
    without). Now it is closed, told why, once it sent BYTES_BEFORE_LOGIN; the verifier still gets in."""
    async with _waiting_for_its_login(lab, lab.key("bob")) as (client, conn, _shared):
        for _ in range(4 * BYTES_BEFORE_LOGIN // 32768):  # 1 MiB of packets the other end ignores (RFC 4253 11.2)
            conn.send_packet(MSG_IGNORE, String(b"x" * 32768))
        await until(client.closed.is_set, 5, "the connection to be closed (the login timeout is 10 s)")
        # Told why, unless the close reset the connection first: it is closed with what the client still sends unread.
        told = isinstance(client.lost, asyncssh.DisconnectError) and client.lost.reason == TOO_MUCH_BEFORE_LOGIN
        assert told or isinstance(client.lost, ConnectionResetError), repr(client.lost)
