"""The session says why it lets the verifier go when the run is not finished, after every event it had for them.

Walked in tmux: alice quit her shared run at 'edit' (q, y); bob's screen said only `NOT CONNECTED since … (the
assignee's program stopped, or the network)`, the words of a crash or a cut cable, and the events journaled in the
last moment (her pause, here) could be dropped with the link. Now the session sends what is queued, then a `bye`
naming who closed it and where the run stands; the verifier's row says it until the link is back. A finished run
says nothing more (its last event says it).

A real `runbook-tui exec --share` process; the verifier is a real ShareClient over SSH.
"""

from __future__ import annotations

import asyncio

import pytest
from share_peers import TWO_STEPS, Lab, confirm_next, until
from test_exec_share_requests import GO_AHEAD

pytestmark = [pytest.mark.asyncio, pytest.mark.peers]


async def test_a_run_closed_unfinished_tells_the_verifier_who_closed_it_and_where_it_stands(lab: Lab) -> None:
    bob = lab.key("bob", "bob@laptop")
    shared = await lab.share(lab.runbook(GO_AHEAD), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    client = lab.client(bob, shared.port, delays=(30.0,))  # no rejoin during the test: the farewell stays said
    follow = asyncio.create_task(client.run())
    try:
        assert await confirm_next(client) == "one"
        await until(lambda: client.state.current == "two", what="the run to stand at 'two'")
        assert (await client.send("hold")).ok  # exec pauses on the hold, and ends with the journal open (exit 1)
        assert await shared.exit_code() == 1, shared.stderr()
        await until(lambda: client.lost_at is not None, what="the link to drop")
        assert client.farewell == "alice closed the session before the run finished (at 'two'): it goes on when they resume it", client.farewell
        assert client.state.paused and not client.state.finished, "the pause journaled before the close reached the verifier"
    finally:
        follow.cancel()
        await client.close()


async def test_a_finished_run_lets_the_verifier_go_without_a_farewell(lab: Lab) -> None:
    bob = lab.key("bob", "bob@laptop")
    shared = await lab.share(lab.runbook(TWO_STEPS), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    client = lab.client(bob, shared.port)
    follow = asyncio.create_task(client.run())
    try:
        assert [await confirm_next(client), await confirm_next(client)] == ["one", "two"]
        assert await shared.exit_code() == 0, shared.stderr()
        await asyncio.wait_for(follow, 30)  # the replica finished: the client stops following
        assert client.state.outcome == "done" and client.farewell == "", client.farewell
    finally:
        follow.cancel()
        await client.close()
