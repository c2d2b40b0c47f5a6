"""`join` pointed at the wrong thing, and ctrl-c at its first-contact question: said in words, exit 2, nothing trusted."""

from __future__ import annotations

import asyncio
import os
import pty
import select
import signal
import subprocess
import time

import pytest
from peers import Sshd
from prompt_wait import until_reading
from share_peers import CLI, HOST, Lab

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]


async def test_join_to_a_plain_sshd_is_refused_before_its_key_is_offered_for_trust(lab: Lab, sshd: Sshd) -> None:
    """Before: the host's own sshd was taken for the session: its fingerprint offered on first contact (`yes` wrote it
    to known_hosts as the session's key), then `the session refused your key ... not one of this session's participants`."""
    bob = lab.key("bob")
    for extra in ((), ("--accept-fingerprint", sshd.host_key.get_fingerprint())):
        joined = await asyncio.to_thread(lab.join, f"{HOST}:{sshd.port}", "--identity", str(bob), *extra, terminal=True)
        assert joined.returncode == 2, joined
        assert f"cannot reach the session at {HOST}:{sshd.port}: an SSH server answers there, but not a runbook-tui session (it is OpenSSH" in joined.stderr
        assert "perhaps the host's own sshd" in joined.stderr and "Traceback" not in joined.stderr, joined.stderr
        assert "Trust this session's key" not in joined.stdout and "refused your key" not in joined.stderr
    assert not lab.known_hosts.exists()


def _default_sigint() -> None:
    """In the child: ctrl-c as in a login shell. A pytest-xdist worker may ignore SIGINT or block it, and a child inherits both."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _read_until(screen: int, text: bytes, timeout: float = 20) -> bytes:
    drawn, end = b"", time.monotonic() + timeout
    while text not in drawn:
        left = end - time.monotonic()
        if left <= 0:
            pytest.fail(f"{text!r} not shown within {timeout:g} s; the terminal shows {drawn[-400:]!r}")
        if select.select([screen], [], [], left)[0]:
            drawn += os.read(screen, 4096)
    return drawn


async def test_ctrl_c_at_the_first_contact_question_is_a_no_in_one_go_without_a_traceback(lab: Lab) -> None:
    """Before: the question was asked inside the event loop, whose ctrl-c handler only cancelled the task: the first
    ctrl-c did nothing while input() kept waiting, the second printed a traceback."""
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    screen, terminal = pty.openpty()  # stdin, stdout and stderr all the terminal, as typed in one (the prompt goes to stderr)
    joining = subprocess.Popen(
        [*CLI, "join", f"{HOST}:{shared.port}", "--known-hosts", str(lab.known_hosts), "--identity", str(bob)],
        cwd=lab.root, env=lab.env(), stdin=terminal, stdout=terminal, stderr=terminal,
        preexec_fn=_default_sigint,
    )  # fmt: skip
    os.close(terminal)
    try:
        await asyncio.to_thread(_read_until, screen, b"Trust this session's key? Type yes: ")
        await asyncio.to_thread(until_reading, joining.pid)  # as a person would: while it waits for the answer
        joining.send_signal(signal.SIGINT)  # what ctrl-c sends to the terminal's foreground process
        code = await asyncio.to_thread(joining.wait, 20)  # one ctrl-c: no second one needed
        drawn = await asyncio.to_thread(_rest, screen)
    finally:
        joining.kill()
        joining.wait(5)
        os.close(screen)
    said = drawn.decode(errors="replace")
    assert code == 2, said
    assert "Traceback" not in said and "runbook-tui: host key not accepted: nothing was joined or trusted" in said, said
    assert not lab.known_hosts.exists()


def _rest(screen: int) -> bytes:
    """What the terminal shows after the process ended (EIO once its side is closed)."""
    drawn = b""
    while select.select([screen], [], [], 1)[0]:
        try:
            chunk = os.read(screen, 4096)
        except OSError:
            break
        if not chunk:
            break
        drawn += chunk
    return drawn


async def test_join_with_no_key_to_offer_says_so_not_that_the_key_was_refused(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    """`join` without --identity, SSH_AUTH_SOCK naming a socket that is gone (left from an older login) and no
    ~/.ssh/id_*. Before: `the session refused your key (the SSH agent's and ~/.ssh/id_*): it is not one of this
    session's participants`, and the advice to send the assignee a public key: no key had been offered at all."""
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    home = lab.root / "bob-home"
    (home / ".ssh").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SSH_AUTH_SOCK", str(lab.root / "gone.sock"))
    joined = await asyncio.to_thread(lab.join, f"{HOST}:{shared.port}", terminal=True)
    shared.stop()
    assert joined.returncode == 2, joined
    assert joined.stderr.strip() == (
        f"runbook-tui: you offered the session no key (no SSH agent: SSH_AUTH_SOCK={lab.root / 'gone.sock'} cannot be reached"
        f" (No such file or directory; left from another login?); no default key ({home}/.ssh/id_*)). What to do: join with the"
        " private key of the public key file the assignee gave (--identity KEYFILE), or load it into a running SSH agent (ssh-add)"
    ), joined.stderr
