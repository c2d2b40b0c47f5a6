"""The verifier named by their key: a ticket naming no verifier, `--verifier-key bob.pub` (commented bob@laptop).

Walked in tmux at 80x24 and 140x45: before anyone gave a word, the assignee's header read `verifier ? not connected`,
and the status row `no verifier is connected` without a name, though the session let only bob in as verifier. Now
`share_started` journals the names of who may verify, and every screen (and a replay) names bob from the start.
"""

from __future__ import annotations

import asyncio

import pytest
from share_peers import Lab, confirm_next, journal_lines, journal_state, until

from runbook_tui.engine.who_verifies import named_verifier, who_verifies

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]


async def test_the_verifier_is_named_by_their_key_before_anyone_joined_and_after_they_left(lab: Lab) -> None:
    bob = lab.key("bob", "bob@laptop")
    carol = lab.key("carol")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub", "--verifier-key", f"{carol}.pub")
    (started,) = [e for e in journal_lines(shared.journal) if e["type"] == "share_started"]
    assert started["verifiers"] == ["bob", "carol"], started
    before = journal_state(shared.journal)
    assert dict(before.participants) == {} and before.active_verifier is None
    assert who_verifies(before) == named_verifier(before) == "bob or carol", "named before anyone joined (before: `?`, `the verifier`)"

    await lab.trust(shared.fingerprint, shared.port)
    client = lab.client(bob, shared.port)
    follow = asyncio.create_task(client.run())
    try:
        await until(lambda: client.state.share.get("verifiers") == ("bob", "carol"), 20, "bob's replica to know who may verify")
        assert named_verifier(client.state) == "bob or carol", "bob's screen names the same verifiers as the journal"
        await confirm_next(client, "one", timeout=30)
    finally:
        await client.close()
        follow.cancel()
    await until(lambda: "bob" not in journal_state(shared.journal).participants, 20, "bob's leave in the journal")
    assert who_verifies(journal_state(shared.journal)) == "bob", "who gave the last word, once nobody is joined"
    shared.stop()
