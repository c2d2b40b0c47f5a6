"""A participant with a valid key who misuses the SSH connection itself: sessions over the limit, compression.

A real `runbook-tui exec --share` process; the test speaks SSH to it with asyncssh as a hostile client would.
"""

from __future__ import annotations

import asyncio
import json

import asyncssh
import pytest
from share_peers import HOST, TWO_STEPS, Lab

from runbook_tui.share.server import SESSIONS_PER_PARTICIPANT

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]

#: 'one' waits for the verifier's go-ahead: the run stands still while the test does what it does.
WAITING = TWO_STEPS.replace("undo: echo undo-one\n", "undo: echo undo-one\n        verify: before\n", 1)


async def test_a_session_over_the_limit_is_told_bye_and_closed(lab: Lab) -> None:
    """Before: the session was told `bye` and left open, reading nothing: a participant could open them without end on
    one connection, each holding what they wrote to it (200 sessions with 1 MiB each: the assignee's RSS 61 -> 262 MB)."""
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(WAITING), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    async with asyncssh.connect(HOST, shared.port, known_hosts=str(lab.known_hosts), client_keys=[str(bob)], username="runbook") as conn:
        kept = [await conn.create_process(encoding="utf-8") for _ in range(SESSIONS_PER_PARTICIPANT)]
        for process in kept:
            assert json.loads(await asyncio.wait_for(process.stdout.readline(), 10))["kind"] == "welcome"
        over = await conn.create_process(encoding="utf-8")
        bye = json.loads(await asyncio.wait_for(over.stdout.readline(), 10))
        assert bye == {"kind": "bye", "reason": f"bob already has {SESSIONS_PER_PARTICIPANT} sessions open"}, bye
        try:
            rest = await asyncio.wait_for(over.stdout.read(), 10)
        except TimeoutError:
            pytest.fail("the session refused for the limit was left open after its bye (no end of its output within 10 s)")
        assert rest == "", rest
        await asyncio.wait_for(over.wait_closed(), 10)
    shared.stop()
