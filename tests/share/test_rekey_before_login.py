"""A connection that re-exchanges keys again and again before it logs in.

Each key exchange costs the assignee's event loop (the run's own) a Diffie-Hellman and a host-key signature. The
login timeout (10 s) bounded how long a connection may stay unauthenticated, not what it does meanwhile: one
connection could re-key for its whole 10 s, and 128 of them (the cap on connections waiting to log in) again after.
A listener is bounded before authentication: a connection may make its first key exchange and one more, then it is
closed, told why; a participant still gets in.
"""

from __future__ import annotations

import asyncio

import asyncssh
import pytest
from share_peers import HOST, Lab, confirm_next, until

from runbook_tui.share.gate import KEX_BEFORE_LOGIN, TOO_MANY_KEX

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


async def test_a_connection_re_keying_before_it_logs_in_is_closed_and_a_participant_still_gets_in(lab: Lab) -> None:
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    client = _Rekeying()
    connecting = asyncio.create_task(
        asyncssh.create_connection(lambda: client, HOST, shared.port, known_hosts=str(lab.known_hosts), username="runbook", preferred_auth="publickey")
    )
    try:
        await until(lambda: client.conn is not None and client.conn._kex_complete, 30, "the first key exchange")
        conn = client.conn
        assert conn is not None
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
    finally:
        client.stall.set()
        connecting.cancel()
        await asyncio.gather(connecting, return_exceptions=True)
    verifier = lab.client(bob, shared.port)
    await verifier.connect()
    task = asyncio.create_task(verifier.run())
    try:
        await confirm_next(verifier, "one", timeout=30)
        await confirm_next(verifier, "two", timeout=30)
        assert await shared.exit_code(30) == 0, shared.stderr()
    finally:
        await verifier.close()
        task.cancel()
