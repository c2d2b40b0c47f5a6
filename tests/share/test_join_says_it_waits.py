"""`join` says at once what it is doing while it waits for the session to answer.

Walked in tmux at 80x24: `runbook-tui join ADDR` to an assignee's run on a loaded machine showed a blank terminal for
about ten seconds before the verifier's screen came; to an address that takes the connection and never answers (a hung
process) the terminal stayed blank for the probe's and the login's waits (15 s each) until the error. A verifier at
2 AM reads a blank terminal as hung (and presses ctrl-c, or joins again). Now the first line says, at once, which
session it joins, as what, and that ctrl-c leaves; the screen (or the error) follows it.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest
from test_tmux_e2e import Tmux

pytestmark = pytest.mark.peers  # needs tmux: scripts/test installs it


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes connections (the kernel's backlog) and never says a word, like a hung assignee's process."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


@pytest.mark.parametrize("observe", [False, True], ids=["verifier", "observer"])
def test_join_says_which_session_it_waits_for_at_once(tmp_path: Path, silent_port: int, observe: bool) -> None:
    key = tmp_path / "bob"
    asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(key))
    key.chmod(0o600)
    tmux = Tmux(tmp_path)
    argv = [sys.executable, "-m", "runbook_tui", "join", f"127.0.0.1:{silent_port}", "--identity", str(key), *(["--observe"] if observe else [])]
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state")}
    try:
        tmux.start("bob", argv, env, tmp_path, size=(80, 24))
        role = "observer" if observe else "verifier"  # as the screen says it once joined (`you joined as verifier`)
        # Well before the 15 s the session has to answer (the import and start take a few seconds on a loaded machine).
        screen = tmux.wait("bob", lambda text: f"joining the session at 127.0.0.1:{silent_port}" in text, "what join waits for", timeout=10)
        said = " ".join(screen.split())
        assert f"joining the session at 127.0.0.1:{silent_port} as {role}" in said and "ctrl-c leaves" in said, screen
        assert "EXIT=" not in said, f"it had already given up:\n{screen}"
    finally:
        tmux.end()
