"""The keyboard handed over on resume: the person who ran a step never confirms it.

alice runs 'one' under `exec --share` (bob verifies) and her process dies while
'one' waits for the verifier. bob resumes the run at his keyboard with alice's
key as a verifier's (and carol's). Each check of the two-person rule looked at
who holds the keyboard now (bob), so alice, now a verifier, could confirm the
step she had run herself: the run went on as verified, and only the record said
"confirmed by the person who ran it". Real processes, real SSH clients.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal

import pytest
from share_peers import CLI, HOST, NO_AGENT, TWO_STEPS, Lab, journal, of_type, start_shared, until
from test_tmux_e2e import Tmux

from runbook_tui.engine.who_verifies import who_verifies
from runbook_tui.share.client import ShareClient
from runbook_tui.ui.status_stack import statuses

pytestmark = [pytest.mark.asyncio, pytest.mark.peers]


def _waits(client: ShareClient, step: str) -> bool:
    status = client.state.steps.get(step)
    return client.state.current == step and status is not None and status.status == "awaiting_verification"


async def test_a_verifier_who_ran_the_step_before_a_resume_cannot_confirm_it(lab: Lab) -> None:
    for name in ("bob", "carol"):
        lab.key(name)
    alice = lab.key("alice")
    rb, path = lab.runbook(TWO_STEPS), lab.root / "J.jsonl"

    keys = ["--verifier-key", f"{lab.root / 'bob'}.pub"]
    proc, _out, port = await start_shared(lab, "first", ["exec", str(rb), "--journal", str(path)], keys, lab.env(**NO_AGENT))
    bob = lab.client(lab.root / "bob", port)
    follow = asyncio.create_task(bob.run())
    await until(lambda: _waits(bob, "one"), 30, "'one' (run by alice) waiting for the verifier")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    follow.cancel()
    await bob.close()

    # bob takes the keyboard; alice and carol may verify.
    keys = ["--verifier-key", f"{alice}.pub", "--verifier-key", f"{lab.root / 'carol'}.pub"]
    env = lab.env(**NO_AGENT, RUNBOOK_TUI_USER="bob")
    proc, _out, port = await start_shared(lab, "second", ["resume", str(path), "--continue"], keys, env)
    as_verifier, carol = lab.client(alice, port), lab.client(lab.root / "carol", port)
    follows = [asyncio.create_task(client.run()) for client in (as_verifier, carol)]
    await until(lambda: _waits(as_verifier, "one") and _waits(carol, "one"), 30, "'one' waiting for the verifier after the resume")

    reply = await as_verifier.send("confirm")
    # Before: "confirmed 'one'", and the run went on to 'two' on alice's word about her own step.
    assert not reply.ok, reply.message
    assert "you ran 'one' yourself" in reply.message and "two-person rule" in reply.message, reply.message
    assert not of_type(journal(path), "step_confirmed"), "alice's confirmation of her own step was journaled"

    for step in ("one", "two"):  # carol, who ran nothing, confirms both; 'two' was run by bob
        await until(lambda step=step: _waits(carol, step), 30, f"'{step}' waiting for carol")  # type: ignore[misc]
        reply = await carol.send("confirm")
        assert reply.ok, reply.message
    assert proc.wait(30) == 0
    for task in follows:
        task.cancel()
    for client in (as_verifier, carol):
        await client.close()
    confirmed = [(e["step"], e["actor"]) for e in of_type(journal(path), "step_confirmed")]
    assert confirmed == [("one", "carol"), ("two", "carol")], confirmed


async def test_the_screens_say_who_can_confirm_a_step_its_runner_now_verifies(lab: Lab) -> None:
    """After the resume, alice's own screen (the real `join` in tmux at 80x24) neither offers `c` nor reads `Your word on
    'one'`, and every row waiting on 'one' names carol alone: alice read `Your word on 'one'`, was offered `c confirm`
    and got only the refusal, and the assignee's row read `Waiting for alice or carol` (before)."""
    for name in ("bob", "carol"):
        lab.key(name)
    alice = lab.key("alice")
    rb, path = lab.runbook(TWO_STEPS), lab.root / "J.jsonl"
    keys = ["--verifier-key", f"{lab.root / 'bob'}.pub"]
    proc, _out, port = await start_shared(lab, "first", ["exec", str(rb), "--journal", str(path)], keys, lab.env(**NO_AGENT))
    bob = lab.client(lab.root / "bob", port)
    follow = asyncio.create_task(bob.run())
    await until(lambda: _waits(bob, "one"), 30, "'one' (run by alice) waiting for the verifier")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    follow.cancel()
    await bob.close()

    keys = ["--verifier-key", f"{alice}.pub", "--verifier-key", f"{lab.root / 'carol'}.pub"]
    proc, _out, port = await start_shared(lab, "second", ["resume", str(path), "--continue"], keys, lab.env(**NO_AGENT, RUNBOOK_TUI_USER="bob"))
    carol = lab.client(lab.root / "carol", port)
    following = asyncio.create_task(carol.run())
    tmux = Tmux(lab.root)
    try:
        await until(lambda: _waits(carol, "one"), 30, "'one' waiting for the verifier after the resume")
        join = [*CLI, "join", f"{HOST}:{port}", "--identity", str(alice), "--known-hosts", str(lab.known_hosts)]
        tmux.start("alice", join, lab.env(**NO_AGENT, TERM="xterm-256color", SHELL="/bin/sh"), lab.root, size=(80, 24))
        await until(lambda: "alice" in carol.state.participants, 60, "alice joined as a verifier")
        screen = await asyncio.to_thread(tmux.wait, "alice", lambda s: "Waiting for carol to confirm 'one'" in s, "the row naming carol", 30)
        flat = " ".join(screen.split())
        assert "Your word on 'one'" not in flat and "c confirm" not in flat, screen  # before: both, on alice's screen
        assert "you ran it" in flat and "x reject" in flat, screen
        # The assignee's row and the quit dialog name whoever can act: carol (before: `alice or carol`).
        assert who_verifies(carol.state) == "carol", who_verifies(carol.state)
        assert statuses(carol.state, dt.datetime.now(dt.UTC))[0].text == "Waiting for carol to confirm 'one'"
        tmux.keys("alice", "c")  # c says why, in the controller's words, and nothing is sent
        said = await asyncio.to_thread(tmux.wait, "alice", lambda s: "yourself" in " ".join(s.split()), "c saying why", 20)
        assert "you ran 'one' yourself" in " ".join(said.split()), said
        assert not of_type(journal(path), "step_confirmed")
        for step in ("one", "two"):
            await until(lambda step=step: _waits(carol, step), 30, f"'{step}' waiting for carol")  # type: ignore[misc]
            reply = await carol.send("confirm")
            assert reply.ok, reply.message
        assert proc.wait(30) == 0
    finally:
        tmux.end()
        following.cancel()
        await carol.close()
        if proc.poll() is None:  # a failed check left the resumed run listening: it is ended, not left behind
            proc.kill()
            proc.wait(10)
