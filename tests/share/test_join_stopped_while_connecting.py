"""`join` stopped while it still connects (the screen not up yet): ctrl-c, SIGTERM or a hang-up end it in words with
the spec's one exit code for join, 0, as they do once its screen is up.

Before: join printed `joining the session at … (ctrl-c leaves)`, and ctrl-c then printed asyncio's KeyboardInterrupt
traceback (exit 130); SIGTERM and SIGHUP killed it by the default action (-15, -1), saying nothing.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from waiting import wait_until


class Stalling:
    """A port that takes connections and then says nothing more (after a share's SSH banner, when `banner`: join's probe
    passes it, and its fetch of the host key, a second connection, waits): a hung session."""

    def __init__(self, banner: bool) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = int(self.listener.getsockname()[1])
        self.banner = banner
        self.taken: list[socket.socket] = []
        threading.Thread(target=self._take, daemon=True).start()

    def _take(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            if self.banner:
                conn.sendall(b"SSH-2.0-AsyncSSH_2.14.2\r\n")  # as the share says it: the probe lets it by
            self.taken.append(conn)

    def close(self) -> None:
        for conn in self.taken:
            conn.close()
        self.listener.close()


@pytest.fixture(params=[False, True], ids=["silent", "banner-then-silent"])
def stalling(request: pytest.FixtureRequest) -> Iterator[Stalling]:
    port = Stalling(request.param)
    yield port
    port.close()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["ctrl-c", "sigterm", "sighup"])
def test_join_stopped_before_its_screen_came_up_says_so_and_ends_with_0(tmp_path: Path, stalling: Stalling, sig: signal.Signals) -> None:
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_STATE_HOME": str(tmp_path / "s")}
    argv = [sys.executable, "-m", "runbook_tui", "join", f"127.0.0.1:{stalling.port}", "--known-hosts", str(tmp_path / "kh")]
    joining = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        connections = 2 if stalling.banner else 1  # the probe's, then the host key's
        wait_until(lambda: len(stalling.taken) >= connections, "join to connect to the session's port", timeout=60, alive=joining)
        joining.send_signal(sig)
        out, err = joining.communicate(timeout=60)
    finally:
        joining.kill()
        joining.wait()
    assert joining.returncode == 0, f"join ended with {joining.returncode}: {out}{err}"
    assert "Traceback" not in err, err
    said = " ".join(err.split())
    assert f"runbook-tui: join stopped by {'ctrl-c' if sig == signal.SIGINT else sig.name}" in said, err
    assert "nothing was joined" in said, err
