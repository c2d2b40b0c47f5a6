"""The verifier's `join` reconnects by itself after the assignee's process stopped; meanwhile another run is shared
at the same address (the assignee started the change again, or another one, rather than resuming).

The session host key is kept in the state folder across runs, so the reconnect is let in, and the welcome names the
other session. Before, the replica asked that session for its events after the last one seen, and the screen cried
`THE ASSIGNEE'S JOURNAL CHANGED what you had already seen ... the assignee's history was rewritten` (a tamper alarm
over a journal that never changed) while the new run's screen showed the verifier connected to it. Now the join ends,
saying that another session is shared there and how to follow it; the new run journals no join of theirs.
"""

from __future__ import annotations

import asyncio

import pytest
from share_peers import TWO_STEPS, Lab, awaiting, journal, of_type, until

from runbook_tui.share.client import JoinError

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]


async def test_a_rejoin_that_finds_another_session_at_the_address_ends_saying_so(lab: Lab) -> None:
    bob = lab.key("bob")
    first = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    await lab.trust(first.fingerprint, first.port)
    verifier = lab.client(bob, first.port, delays=(0.2, 0.5, 1.0))
    await verifier.connect()
    following = asyncio.create_task(verifier.run())
    try:
        await until(lambda: awaiting(verifier) == "one", 30, "'one' waiting for bob's confirmation")
        joined = verifier.trust.session if verifier.trust else ""
        first.proc.kill()  # kill -9: the run's process is gone, bob's join reconnects by itself
        first.proc.wait()
        await until(lambda: not verifier.connected, 30, "bob's join to see the link gone")
        again = await lab.share(lab.runbook(TWO_STEPS, "R2.yaml"), "--verifier-key", f"{bob}.pub", port=first.port, journal_name="J2.jsonl")
        with pytest.raises(JoinError) as ended:
            await asyncio.wait_for(asyncio.shield(following), 60)
    finally:
        await verifier.close()
        following.cancel()
    said = str(ended.value)
    assert f"127.0.0.1:{first.port} now shares another session" in said and joined in said, said
    assert f"runbook-tui join 127.0.0.1:{first.port}" in said, said
    assert not [e for e in of_type(journal(again.journal), "participant_joined") if e["name"] == "bob"], "the new run never had bob"
    assert verifier.state.steps["one"].status == "awaiting_verification", "the replica stays as the first run left it"
