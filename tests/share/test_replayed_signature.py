"""A verifier's signed confirmation replayed in a later session of the same runbook: the step, its attempt and phase
are the same; only the session differs. It is refused, saying so, and the step waits for a confirmation signed for
this session. A real `runbook-tui exec --share` process each time; the intent is sent over real SSH."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from share_peers import TWO_STEPS, Lab, awaiting, journal_lines, of_type, until

from runbook_tui.share import protocol
from runbook_tui.share.client import ShareClient

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]


async def _signed_confirmation_of_one(client: ShareClient) -> dict[str, Any]:
    await until(lambda: awaiting(client) == "one", 30, "'one' waiting for bob")
    assert client.trust is not None
    return dict(await client.trust.sign_decision(client.state, "confirm", "one", ""))


async def _send(client: ShareClient, request: int, signed: dict[str, Any]) -> Any:
    """The confirmation of 'one' with `signed`, as bob's client sends it: its reply."""
    assert client._process is not None
    waiting = asyncio.get_running_loop().create_future()
    client._waiting[request] = waiting
    message = {"kind": "intent", "id": request, "action": "confirm", "text": "", "step": "one", "signed": signed}
    client._process.stdin.write(protocol.encode(message))
    return await asyncio.wait_for(waiting, 20)


async def test_a_confirmation_signed_in_an_earlier_session_is_refused_in_a_later_one(lab: Lab) -> None:
    bob = lab.key("bob")
    runbook = lab.runbook(TWO_STEPS)
    sessions = []
    for journal in ("first.jsonl", "second.jsonl"):
        shared = await lab.share(runbook, "--verifier-key", f"{bob}.pub", journal_name=journal, env={"SSH_AUTH_SOCK": ""})
        await lab.trust(shared.fingerprint, shared.port)
        client = lab.client(bob, shared.port)
        running = asyncio.create_task(client.run())
        sessions.append((shared, client, running, await _signed_confirmation_of_one(client)))
    (first, first_client, first_running, old), (second, client, running, fresh) = sessions
    try:
        first_running.cancel()
        await first_client.close()
        first.stop()
        assert old["statement"]["session"] != fresh["statement"]["session"]
        assert {k: v for k, v in old["statement"].items() if k not in ("session", "shown")} == {
            k: v for k, v in fresh["statement"].items() if k not in ("session", "shown")
        }
        replayed = await _send(client, 101, old)
        assert not replayed.ok and replayed.message.startswith("refused: what you signed says session"), replayed.message
        assert awaiting(client) == "one"
        taken = await _send(client, 102, fresh)
        assert (taken.ok, taken.message) == (True, "confirmed 'one'")
    finally:
        running.cancel()
        await client.close()
    confirmed = [(e["step"], e["actor"]) for e in of_type(journal_lines(second.journal), "step_confirmed")]
    assert confirmed == [("one", "bob")], confirmed
    [signed] = of_type(journal_lines(second.journal), "decision_signed")
    assert signed["statement"] == fresh["statement"], signed
