"""A participant's side of the session channel: read from the hello on, and closing it is not leaving.

A real `runbook-tui exec --share` process; the participants are OpenSSH's `ssh` (a watcher whose stdin ends after the
hello, as `echo HELLO | ssh ...`) and asyncssh speaking the wire protocol as a client that types ahead would.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import asyncssh
import pytest
from share_peers import HOST, TWO_STEPS, Lab, confirm_next, journal, of_type, until

from runbook_tui.trust import statements
from runbook_tui.trust.sshsig import file_signer

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]

HELLO = json.dumps({"kind": "hello", "since": -1}) + "\n"
#: Step one prints 16 MB (its catch-up is far more than an SSH window and a socket's buffers hold) and goes on unverified;
#: 'two' then waits for the verifier's go-ahead: the run stands still.
PRINTED = TWO_STEPS.replace("run: echo one", f"run: yes {'y' * 200} | head -n 80000\n        verify: none").replace(
    "undo: echo undo-two\n", "undo: echo undo-two\n        verify: before\n", 1
)


async def _ssh(lab: Lab, port: int, key: Path, *command: str) -> asyncio.subprocess.Process:
    """OpenSSH's `ssh -p PORT runbook@HOST [COMMAND]` with `key`, no config read, its stdin, stdout and stderr pipes."""
    return await asyncio.create_subprocess_exec(
        "ssh", "-T", "-F", "none", "-p", str(port), "-i", str(key), "-o", f"UserKnownHostsFile={lab.known_hosts}",
        "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", f"runbook@{HOST}", *command,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


def _tail(path: Path) -> bytes:
    """The last 4 KiB of a file (exec's stdout holds the 16 MB printed)."""
    with path.open("rb") as handle:
        handle.seek(max(path.stat().st_size - 4096, 0))
        return handle.read()


async def _line_where(stream: asyncio.StreamReader, wanted: str, timeout: float, what: str) -> None:
    """Read `stream` until a line holding `wanted` (fail after `timeout` s, or at its end, saying `what`)."""

    async def read() -> None:
        while line := await stream.readline():
            if wanted in line.decode(errors="replace"):
                return
        pytest.fail(f"the watcher's output ended before {what}")

    try:
        await asyncio.wait_for(read(), timeout)
    except TimeoutError:
        pytest.fail(f"no {what} within {timeout:g} s")


async def test_a_watcher_whose_stdin_ends_after_the_hello_keeps_following_the_run(lab: Lab) -> None:
    """`echo HELLO | ssh -p PORT runbook@HOST`: ssh sends the hello, then the end of its stdin (an SSH EOF), and reads on.
    Before: the session ended right after the catch-up (the end of the participant's input taken for their leaving),
    `participant_left` journaled 2 ms after the join, and ssh exited 0 with nothing more shown."""
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    ssh = await _ssh(lab, shared.port, bob)
    client = lab.client(bob, shared.port)
    follow = asyncio.create_task(client.run())
    try:
        assert ssh.stdin is not None and ssh.stdout is not None
        ssh.stdin.write(HELLO.encode())
        await ssh.stdin.drain()
        ssh.stdin.close()  # the end of its input: ssh says EOF on the channel, and goes on reading
        await _line_where(ssh.stdout, '"type":"participant_joined"', 15, "join of the watcher after its catch-up")
        assert await confirm_next(client) == "one"  # the run goes on: 'two' starts, and the watcher is shown it
        await _line_where(ssh.stdout, '"step":"two","ts"', 15, "event of 'two' on the watcher's output once 'one' was confirmed")
        assert ssh.returncode is None, "ssh ended while the run went on"
        left = [e for e in of_type(journal(shared.journal), "participant_left") if e["seq"] < of_type(journal(shared.journal), "step_ready")[-1]["seq"]]
        assert left == [], f"a leave journaled while the watcher still followed: {left}"
    finally:
        follow.cancel()
        await client.close()
        if ssh.returncode is None:
            ssh.terminate()
        await ssh.wait()
        shared.stop()


async def test_a_hold_typed_during_a_long_catch_up_is_taken_at_once(lab: Lab) -> None:
    """The verifier's `p` pressed as they join a run whose journal is long: their client sends the hold right after the
    hello, while the catch-up still comes (here: never read further, as over a slow link). Before: the session read no
    request until the whole catch-up was written, so the hold waited for it (for ever here: exec ran on, unheld)."""
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(PRINTED), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    await until(lambda: b"go-ahead requested for 'two'" in _tail(shared.out), 60, "'two' to wait for the go-ahead")
    signer = file_signer(str(bob))
    login = {"known_hosts": str(lab.known_hosts), "client_keys": [str(bob)], "username": "runbook"}
    async with asyncssh.connect(HOST, shared.port, **login) as conn:
        process = await conn.create_process(encoding="utf-8")
        welcome = json.loads(await asyncio.wait_for(process.stdout.readline(), 10))
        assert welcome["kind"] == "welcome", welcome
        # signed as bob's client signs a hold on a screen showing nothing yet (step none, attempt 0)
        statement = statements.decision(welcome["session"], "hold", "bob", step=None, attempt=0, phase="", shown="", reason="the error rate")
        signed = {"statement": statement, "signature": await signer.sign(statements.encode(statement))}
        hold = {"kind": "intent", "id": 1, "action": "hold", "text": "the error rate", "step": None, "signed": signed}
        process.stdin.write(HELLO + json.dumps(hold) + "\n")  # then nothing more read: the catch-up stalls on the SSH window
        await until(lambda: shared.proc.poll() is not None, 20, "exec to stop on bob's hold (its catch-up unread)")
    assert shared.proc.returncode == 1, shared.stderr()
    [paused] = of_type(journal(shared.journal), "paused")
    assert paused["reason"] == "bob asked to hold: the error rate", paused
    assert not of_type(journal(shared.journal), "step_started")[1:], "'two' started"


async def test_a_command_asked_of_the_session_is_refused_in_words(lab: Lab) -> None:
    """`ssh -p PORT runbook@HOST uptime`: before, the command was passed over without a word; the session's welcome (JSON)
    came instead, and 10 s later `no hello within 10 s`."""
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    ssh = await _ssh(lab, shared.port, bob, "uptime;", "rm", "-rf", "/tmp/x")
    try:
        out, _err = await asyncio.wait_for(ssh.communicate(), 5)
    except TimeoutError:
        ssh.kill()
        await ssh.wait()
        pytest.fail("ssh with a command was not answered and closed within 5 s")
    reason = "this session runs no command ('uptime; rm -rf /tmp/x' was not run): join it with runbook-tui join"
    assert json.loads(out) == {"kind": "bye", "reason": reason}, out
    shared.stop()
    assert not of_type(journal(shared.journal), "participant_joined")
