"""The verifier's terminal goes away under `join` (its window closed, the SSH login to the verifier's machine cut), with
a SIGHUP (the terminal was the controlling one) or without (a terminal emulator that just closed the pty's master, a
program not in the terminal's session): join ends with exit 1, as `run` does, and the session records that the verifier
left.

Before: without a SIGHUP join stayed joined for ever (2 runs in 3 on a loaded machine): its watch for a terminal gone
starts after the first frame, and took a terminal that had hung up by then for a pipe (`isatty` fails on it, EIO).
When it did end, it ended with exit 120: what join prints once its screen closes (how to join again) failed on the
terminal, and what was still buffered for it failed again as Python exited (`Exception ignored ... OSError: [Errno 5]`).
Started without PYTHONUNBUFFERED, as a person's shell and CI start it."""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time

import pytest
from share_peers import CLI, HOST, NO_AGENT, Lab, Shared, journal_lines
from waiting import wait_until

pytestmark = pytest.mark.peers


def _controlling_terminal() -> None:
    """In the child, its stdin (the pty) made its controlling terminal: closing the master sends it a SIGHUP."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


async def _joined(lab: Lab, *, sighup: bool = False) -> tuple[Shared, subprocess.Popen[bytes], int, bytes]:
    """A shared run, and bob's join on a pty, its screen up and the session's journal saying he joined: the run, the
    join, the pty's master (what join draws) and what it drew."""
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub", env=NO_AGENT)
    screen, terminal = os.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    argv = [*CLI, "join", f"{HOST}:{shared.port}", "--known-hosts", str(lab.known_hosts), "--identity", str(bob), "--accept-fingerprint", shared.fingerprint]
    env = {k: v for k, v in lab.env(**NO_AGENT).items() if k != "PYTHONUNBUFFERED"}  # a person's shell sets none
    # its own session, as a terminal window's shell starts it: stdin, stdout and stderr on the terminal
    joining = subprocess.Popen(
        argv, cwd=lab.root, env=env, stdin=terminal, stdout=terminal, stderr=terminal, start_new_session=True,
        preexec_fn=_controlling_terminal if sighup else None,
    )  # fmt: skip
    os.close(terminal)
    deadline, drawn = time.monotonic() + 90, b""
    try:
        while not (b"joined as verifier" in drawn and any(event["type"] == "participant_joined" for event in journal_lines(shared.journal))):
            assert time.monotonic() < deadline and joining.poll() is None, f"bob never joined: {drawn[-2000:]!r}"
            if select.select([screen], [], [], 0.2)[0]:
                drawn += os.read(screen, 65536)  # what join draws: read, as a terminal does
    except BaseException:
        os.close(screen)
        joining.kill()
        joining.wait()
        raise
    return shared, joining, screen, drawn


def _left(shared: Shared) -> None:
    wait_until(lambda: any(event["type"] == "participant_left" for event in journal_lines(shared.journal)), "the session to record that bob left")


@pytest.mark.asyncio
@pytest.mark.parametrize("sighup", [False, True], ids=["no-sighup", "sighup"])
async def test_join_whose_terminal_went_away_ends_with_exit_0_and_leaves_the_session(lab: Lab, sighup: bool) -> None:
    shared, joining, screen, _drawn = await _joined(lab, sighup=sighup)
    os.close(screen)  # the window closed
    try:
        code = joining.wait(timeout=60)
    except subprocess.TimeoutExpired:
        raise AssertionError("join went on after its terminal went away") from None
    finally:
        joining.kill()
        joining.wait()
    assert code == 0, f"join ended with {code}"  # the spec's code for join (before: 120, or no end at all)
    _left(shared)


@pytest.mark.asyncio
async def test_join_stopped_by_sigterm_says_how_to_come_back_and_ends_with_exit_0(lab: Lab) -> None:
    """The terminal stays: join's last words reach it, and the exit code is the spec's for join (0), as when the verifier
    leaves by their own word."""
    shared, joining, screen, drawn = await _joined(lab)
    try:
        joining.send_signal(signal.SIGTERM)
        with contextlib.suppress(OSError):  # EIO: all read, the terminal closed with the process
            while select.select([screen], [], [], 60)[0] and (chunk := os.read(screen, 65536)):
                drawn += chunk
        assert joining.wait(timeout=60) == 0
    finally:
        os.close(screen)
        joining.kill()
        joining.wait()
    assert b"you left the session; the run goes on. To come back: runbook-tui join" in drawn, drawn[-2000:]
    _left(shared)
