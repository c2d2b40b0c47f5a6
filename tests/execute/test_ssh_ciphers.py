"""The cipher the SSH executor's connections use with an OpenSSH sshd: AES-GCM, the client's first choice (`ssh_ciphers`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from peers import Sshd
from ssh_helpers import arun, cmd, executor, run_one

from runbook_tui.engine.ports import Result
from runbook_tui.execute.ssh_ciphers import CIPHERS

pytestmark = pytest.mark.peers


def test_a_host_is_reached_with_aes_gcm_each_way(sshd: Sshd, tmp_path: Path) -> None:
    """asyncssh offers ChaCha20-Poly1305 first, which OpenSSH then takes: three cipher contexts a packet on the client's
    one event loop, ~0.4 ms of its CPU a host more in a fan-out than AES-GCM's one call (bench/README.md, `fanout.py`)."""

    async def main() -> tuple[Result, tuple[object, object]]:
        ex = executor(sshd, tmp_path)
        try:
            result, _, _ = await run_one(ex, cmd(sshd.host("db1"), "true"))
            conn = next(iter(ex.connections.values()))
            return result, (conn.get_extra_info("send_cipher"), conn.get_extra_info("recv_cipher"))
        finally:
            await ex.close()

    result, ciphers = arun(main)
    assert result == Result("ok", exit_code=0), result
    assert ciphers == (CIPHERS[0], CIPHERS[0])
