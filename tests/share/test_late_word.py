"""A verifier's word that arrives after the last step was decided is refused in words, not with `'None'`.

Walked in tmux: bob joined from two windows and pressed c in both on the last step; the second window's toast said
`you acted on 'deploy', but the run is now at 'None': look at it, then decide again` (the end waited for his seal,
so no step was current and the run had not finished yet). Now: `… but every step is done now: …`.

A real `runbook-tui exec --share` process; the verifier is a real ShareClient over SSH, signing with bob's key.
"""

from __future__ import annotations

import asyncio

import pytest
from share_peers import TWO_STEPS, Lab, awaiting, confirm_next, journal_lines, of_type, until

from runbook_tui.share import protocol

pytestmark = [pytest.mark.asyncio, pytest.mark.peers]


async def test_a_second_confirmation_of_the_last_step_says_every_step_is_done(lab: Lab) -> None:
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(TWO_STEPS), "--verifier-key", f"{bob}.pub", env={"SSH_AUTH_SOCK": ""})
    await lab.trust(shared.fingerprint, shared.port)
    client = lab.client(bob, shared.port)
    running = asyncio.create_task(client.run())
    try:
        assert await confirm_next(client, "one") == "one"
        await until(lambda: awaiting(client) == "two", 20, "'two' waiting for bob")
        assert client.trust is not None and client._process is not None
        signed = await client.trust.sign_decision(client.state, "confirm", "two", "")
        waiting = []
        for request in (201, 202):  # both as the screen showed 'two' (two windows of bob's), in one write
            waiting.append(asyncio.get_running_loop().create_future())
            client._waiting[request] = waiting[-1]
        client._process.stdin.write(
            "".join(
                protocol.encode({"kind": "intent", "id": request, "action": "confirm", "text": "", "step": "two", "signed": signed}) for request in (201, 202)
            )
        )
        first, second = await asyncio.wait_for(asyncio.gather(*waiting), 20)
        assert (first.ok, first.message) == (True, "confirmed 'two'")
        assert not second.ok and "None" not in second.message, second.message
        assert second.message == "you acted on 'two', but you had confirmed it already; every step is done now: look at it, then decide again", second.message
        assert await shared.exit_code() == 0, shared.stderr()
    finally:
        running.cancel()
        await client.close()
    confirmed = [(e["step"], e["actor"]) for e in of_type(journal_lines(shared.journal), "step_confirmed")]
    assert confirmed == [("one", "bob"), ("two", "bob")], confirmed
