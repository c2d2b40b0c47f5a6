"""A host whose sshd answered SSH earlier in this run, then stalls (SIGSTOP: the kernel still takes the connection).

Before: the reconnect's error guessed `sent no SSH greeting within 1 s (something there that is not an SSH server)`
about a port that had served SSH seconds before. Now, where the host answered SSH before in this run, it says the
server did not answer the SSH handshake in time; a host never heard from keeps the guess.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from peers import PeerError, make_sshd
from ssh_helpers import arun

from runbook_tui.execute.ssh_connect import ConnectFailed, Connector

pytestmark = pytest.mark.peers


def test_a_host_that_answered_ssh_before_is_not_guessed_to_be_no_ssh_server(tmp_path: Path) -> None:
    try:
        sshd = make_sshd(tmp_path)
    except PeerError as exc:
        pytest.fail(str(exc), pytrace=False)

    def connector() -> Connector:
        return Connector(str(sshd.known_hosts), ssh_config=None, connect_timeout=1, keepalive_interval=30, passphrase_lookup=None)

    async def failure(pool: Connector, first: bool) -> str:
        endpoint = pool.endpoint(sshd.host("db1"))
        stale = await pool.connection(endpoint) if first else None
        assert sshd._proc is not None
        os.kill(sshd._proc.pid, signal.SIGSTOP)  # the listener: connections are taken by the kernel, never greeted
        try:
            with pytest.raises(ConnectFailed) as failed:
                await pool.connection(endpoint, stale=stale)
        finally:
            os.kill(sshd._proc.pid, signal.SIGCONT)
            await pool.close()
        return str(failed.value)

    try:
        again = arun(lambda: failure(connector(), first=True))
        never = arun(lambda: failure(connector(), first=False))
    finally:
        sshd.stop()
    assert "not an SSH server" not in again, again
    assert again.endswith(
        ": the port took the connection but the server did not answer the SSH handshake within 1 s (it answered SSH earlier in this run: stopped or overloaded)"
    ), again
    assert never.endswith("(something there that is not an SSH server)"), never
