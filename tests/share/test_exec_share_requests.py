"""`exec --share` listens to the verifier: a hold pauses the run (journal left open), a rollback request counts as a failure.

A real `runbook-tui exec --share` process; the test is the verifier over real SSH (ShareClient).
"""

from __future__ import annotations

import asyncio
import socket
import subprocess

import pytest
from share_peers import CLI, HOST, Lab, confirm_next, journal, of_type, until

pytestmark = [pytest.mark.asyncio, pytest.mark.peers]

#: 'two' needs the verifier's go-ahead before it runs, so the run stands still there while the test acts.
GO_AHEAD = """\
runbook: 1
id: share-requests
title: Shared run, verifier requests
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: one
        title: Step one
        run: echo one >> marks
        undo: echo undo-one >> marks
      - id: two
        title: Step two
        run: echo two >> marks
        undo: echo undo-two >> marks
        verify: before
"""


async def _at_two(lab: Lab, *exec_args: str):  # type: ignore[no-untyped-def]
    bob = lab.key("bob", "bob@laptop")
    shared = await lab.share(lab.runbook(GO_AHEAD), "--verifier-key", f"{bob}.pub", *exec_args)
    await lab.trust(shared.fingerprint, shared.port)
    client = lab.client(bob, shared.port)
    follow = asyncio.create_task(client.run())
    assert await confirm_next(client) == "one"
    await until(lambda: client.state.current == "two", what="the run to stand at 'two'")
    return shared, client, follow


def _marks(lab: Lab) -> list[str]:
    path = lab.root / "marks"
    return path.read_text().splitlines() if path.exists() else []


async def test_a_verifiers_hold_pauses_exec_and_leaves_the_journal_open(lab: Lab) -> None:
    shared, client, follow = await _at_two(lab)
    try:
        reply = await client.send("hold")  # `p` gives no words
        assert reply.ok, reply.message
        assert await shared.exit_code() == 1, shared.stderr()
    finally:
        follow.cancel()
        await client.close()
    events = journal(shared.journal)
    assert not of_type(events, "session_finished"), "the journal stays open: a person decides on resume"
    [paused] = of_type(events, "paused")
    assert paused["reason"] == "bob asked to hold", "before: 'bob asked to hold: bob asks to hold', the stand-in reason said again"
    assert paused["actor"] == "system", "the program paused on bob's word; before, the pause was journaled as alice's, who decided nothing"
    assert [e["step"] for e in of_type(events, "step_started")] == ["one"], "'two' never started"
    assert f"runbook-tui resume {shared.journal}" in shared.stdout()
    assert _marks(lab) == ["one"]


async def test_a_rollback_request_is_a_failure_under_on_failure_rollback(lab: Lab) -> None:
    shared, client, follow = await _at_two(lab, "--on-failure", "rollback")
    try:
        reply = await client.send("request_rollback", "errors doubled")
        assert reply.ok, reply.message
        assert await shared.exit_code() == 1, shared.stderr()
    finally:
        follow.cancel()
        await client.close()
    events = journal(shared.journal)
    [started] = of_type(events, "rollback_started")
    assert started["scope"] == "checkpoint" and "bob" in started["reason"] and "errors doubled" in started["reason"]
    assert of_type(events, "session_finished")[-1]["outcome"] == "rolled_back"
    assert _marks(lab) == ["one", "undo-one"]


async def test_a_rollback_request_stops_exec_failed_under_on_failure_stop(lab: Lab) -> None:
    shared, client, follow = await _at_two(lab)
    try:
        assert (await client.send("request_rollback", "errors doubled")).ok
        assert await shared.exit_code() == 1, shared.stderr()
    finally:
        follow.cancel()
        await client.close()
    events = journal(shared.journal)
    assert of_type(events, "session_finished")[-1]["outcome"] == "failed"
    assert "--rollback" in shared.stdout(), "the way back is printed"
    assert _marks(lab) == ["one"]


async def test_a_share_address_that_cannot_be_listened_on_refuses_the_run_with_nothing_journaled(lab: Lab) -> None:
    """A port in use (another run still shared there) or an address that is not this machine's: exit 2 and one plain
    line before the run starts; it used to print a traceback after journaling session_started and step_ready."""
    bob = lab.key("bob", "bob@laptop")
    runbook = lab.runbook(GO_AHEAD)
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        for address, reason in ((f"{HOST}:{port}", "Address already in use"), ("192.0.2.1:4022", "Cannot assign requested address")):
            path = lab.root / "J.jsonl"
            done = subprocess.run(
                [*CLI, "exec", str(runbook), "--share", address, "--verifier-key", f"{bob}.pub", "--journal", str(path)],
                cwd=lab.root, env=lab.env(), capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
            )  # fmt: skip
            assert done.returncode == 2, done.stderr
            assert done.stderr == f"runbook-tui: --share {address}: cannot listen there: {reason}\n", "not one plain line saying why"
            assert not path.exists(), "the refused run left a journal behind"
            assert not (lab.root / "marks").exists(), "a step ran"


async def test_a_rollback_request_journaled_just_before_a_kill_is_answered_on_resume_not_dropped(lab: Lab) -> None:
    """The request is fsynced before bob hears `ok`; the process may die before it acts. The journal cut right after it is
    what a kill -9 at that moment leaves. Before: resume said nothing of it and `--continue` ran 'two' (bob's request dropped)."""
    shared, client, follow = await _at_two(lab)
    try:
        assert (await client.send("request_rollback", "errors doubled")).ok
        assert of_type(journal(shared.journal), "rollback_requested"), "bob heard ok before his request was on disk"
        assert await shared.exit_code() == 1, shared.stderr()
    finally:
        follow.cancel()
        await client.close()
    lines = shared.journal.read_bytes().splitlines(keepends=True)
    [cut] = [i for i, line in enumerate(lines) if b'"type":"rollback_requested"' in line]
    shared.journal.write_bytes(b"".join(lines[: cut + 1]))

    def resume(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*CLI, "resume", str(shared.journal), *args], cwd=lab.root, env=lab.env(), capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)  # fmt: skip

    looked = resume("--headless")
    assert "Unanswered: bob: errors doubled (a rollback request): --continue answers it as --on-failure says.\n" in looked.stdout, looked.stdout
    went = resume("--solo", "bob left", "--continue")
    assert went.returncode == 1, went.stdout + went.stderr
    events = journal(shared.journal)
    assert of_type(events, "session_finished")[-1]["outcome"] == "failed" and "--rollback" in went.stdout, went.stdout
    assert [e["step"] for e in of_type(events, "step_started")] == ["one"] and _marks(lab) == ["one"], "'two' ran over bob's request"
