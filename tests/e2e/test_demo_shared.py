"""`runbook-tui demo --share ADDR --verifier-key KEY.pub`: the demo's two-person side, in two real terminals.

Walked as a new user (session 34): the demo ran solo only, so nobody trying it saw the verifier's screen, the
two-person rule the program is built around. With `--share` the demo's run is shared as `run --share` shares it, the
intro names the `join` command, and the verifier's `c` is what lets a confirmed step count.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from peers import _free_port
from test_tmux import RUNBOOK_TUI, Pane


def _terminal(sockets: Path, name: str, home: Path, user: str, command: str) -> Pane:
    env = {"HOME": str(home), "XDG_STATE_HOME": str(home / "state"), "XDG_CONFIG_HOME": str(home / "config"), "TERM": "xterm-256color",
           "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "RUNBOOK_TUI_USER": user}  # fmt: skip
    home.mkdir()
    exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
    pane = Pane(sockets / name)
    pane.tmux("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "80", "-y", "24", f"cd {shlex.quote(str(home))} && env -i {exports} {command}")
    return pane


@pytest.mark.peers  # (a share server in the demo's process)
def test_the_shared_demo_lets_a_verifier_join_and_confirm_a_step(tmp_path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bob@laptop", "-f", str(tmp_path / "bob")], check=True, timeout=30)
    address = f"127.0.0.1:{_free_port()}"
    sockets = Path(tempfile.mkdtemp(prefix="rbt-share-"))
    tui = shlex.quote(str(RUNBOOK_TUI))
    alice = _terminal(sockets, "a", tmp_path / "alice", "alice", f"{tui} demo --share {address} --verifier-key {tmp_path / 'bob.pub'}")
    bob: Pane | None = None
    try:
        screen = alice.wait_text("press enter to start", seconds=90)
        # The line may fold anywhere, mid-word too (a long venv path before it): read without its spaces and folds.
        assert f"join{address}andconfirmseachstep(c)" in "".join(screen.split()), screen
        alice.send("Enter")
        screen = alice.wait_text("verifier bob not connected", "host key", seconds=90)
        fingerprint = re.search(r"SHA256:[A-Za-z0-9+/]+", screen)
        assert fingerprint, screen
        bob = _terminal(sockets, "b", tmp_path / "bob-home", "bob", f"{tui} join {address} --identity {tmp_path / 'bob'} --accept-fingerprint {fingerprint[0]}")
        bob.wait_text("you joined as verifier", seconds=90)
        alice.wait_text("verifier bob connected", seconds=60)
        for after in ("config-sum", "healthy", "disk-space", "backup-config"):  # the prechecks ask no verifier's word
            alice.send("Enter")
            alice.wait_text(f"Next: '{after}'", seconds=60)
        alice.send("Enter")
        alice.wait_text("y run it", seconds=30)  # 80x24: the step is shown whole first
        alice.send("End")
        alice.send("y")
        alice.wait_text("Waiting for bob to confirm 'backup-config'", seconds=60)
        bob.wait_text("Your word on 'backup-config'", "c confirm", seconds=60)
        bob.send("c")
        alice.wait_text("backup-config confirmed by bob", seconds=60)
    finally:
        for pane in (alice, bob):
            if pane is not None:
                subprocess.run(["tmux", "-S", str(pane.socket), "kill-server"], capture_output=True, timeout=30)
        shutil.rmtree(sockets, ignore_errors=True)


@pytest.mark.peers  # (the refusals come before any share server; tests/conftest.py marks by the command line)
def test_demo_share_needs_the_verifier_key_and_the_tui(tmp_path: Path) -> None:
    (tmp_path / "k.pub").write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ7hDx0m5o3u3J3eU1nB0m4u4iYqgS9b7S7lL3c0bq3K bob@laptop\n")
    env = {**os.environ, "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    for args in (
        ["--share", "127.0.0.1:1"],
        ["--share", "127.0.0.1:1", "--exec", "--verifier-key", str(tmp_path / "k.pub")],
        ["--verifier-key", str(tmp_path / "k.pub")],
    ):
        done = subprocess.run([str(RUNBOOK_TUI), "demo", *args], env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "--share ADDR goes with --verifier-key KEY.pub" in done.stderr, (args, done.stderr)
        assert not (tmp_path / "state").exists(), args  # refused before the sandbox is made
