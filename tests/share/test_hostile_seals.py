"""Seals both ways: a hostile session cannot make the verifier sign the seals it asks for, and a hostile verifier cannot
make the session journal the seals it likes.

The verifier's client signs a seal of the head it verified at each `checkpoint_reached` and at `session_finished`.
Before: it signed one for every such event the session sent, however many (a session sending `checkpoint_reached` in
a loop got as many signatures as it liked, a prompt each on a key that asks for a touch). Now it seals a checkpoint
only once per event that turned that `checkpoint: true` step done, and the end once, and says when it does not. The
session here is a fake asyncssh server on loopback sending a real solo run's events with forged ones among them, the
chain recomputed (what a hostile assignee can always do); the verifier is a real `ShareClient` signing with bob's key.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from share_peers import HOST, NO_AGENT, TWO_STEPS, Lab, confirm_next, journal_lines, of_type, until
from test_hostile_session import WELCOME, a_real_run, chained, fake_session

from runbook_tui.share.client import Endpoint, ShareClient
from runbook_tui.trust import statements

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]

#: Step one is a checkpoint.
CHECKPOINTED = TWO_STEPS.replace("        undo: echo undo-one\n", "        undo: echo undo-one\n        checkpoint: true\n")


def _renumbered(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event | {"seq": seq} for seq, event in enumerate(events)]


async def test_a_session_sending_seal_events_in_a_loop_gets_one_seal_per_checkpoint_reached_and_one_of_the_end(lab: Lab) -> None:
    real = a_real_run(lab, CHECKPOINTED)
    types = [event["type"] for event in real]
    reached, end = types.index("checkpoint_reached"), types.index("session_finished")
    forged_checkpoint = dict(real[reached])
    forged_two = dict(real[reached]) | {"step": "two"}  # a step of the plan that is no checkpoint
    events = _renumbered(
        [
            *real[: reached + 1],  # the real checkpoint: sealed
            *[forged_checkpoint] * 30,  # the same checkpoint again and again: nothing turned step one done again
            *[forged_two] * 5,
            *real[reached + 1 : end + 1],  # the real end: sealed
            *[real[end]] * 5,  # the end again
        ]
    )
    bob = lab.key("bob")
    async with fake_session(lab, [WELCOME, *chained(events)]) as (fake, port):
        client = ShareClient(Endpoint(HOST, port, str(lab.known_hosts), str(bob), False, None), reconnect_delays=(0.2,))
        said: list[str] = []
        client.on_status(said.append)
        running = asyncio.create_task(client.run())
        try:
            await until(lambda: client.state.seq == len(events) - 1, 20, f"the replica at event {len(events) - 1} (at {client.state.seq})")
            await until(lambda: not client._seals, 20, "every seal signed and answered")
            seals = [message["signed"]["statement"] for message in fake.heard if message.get("action") == "seal"]
            hashes = {event["seq"]: event for event in (e | {"hash": h} for e, h in zip(events, client.trust.ledger.hashes, strict=True))}  # type: ignore[union-attr]
            assert [(seal["seq"], hashes[seal["seq"]]["type"]) for seal in seals] == [
                (reached, "checkpoint_reached"),
                (end + 35, "session_finished"),
            ], seals
            assert all(seal["head"] == hashes[seal["seq"]]["hash"] for seal in seals)
            assert client.seals_refused == 30 + 5 + 5, client.seals_refused
            refusals = [line for line in said if line.startswith("not sealing")]
            assert refusals == [
                f"not sealing line {reached + 2} (checkpoint_reached): no event turned step 'one' done since its last checkpoint",
                f"not sealing line {reached + 11} (checkpoint_reached): no event turned step 'one' done since its last checkpoint (10 refused so far)",
            ], said
        finally:
            running.cancel()
            await client.close()


async def test_a_verifier_sealing_the_same_checkpoint_again_or_an_event_that_is_none_adds_nothing_to_the_journal(lab: Lab) -> None:
    """Before: the session journaled a `seal` for any recent event a verifier's key signed, as often as it was sent (a
    verifier's client sending them in a loop grew the journal by a signed event each, and sealed events no one seals).
    Now only a checkpoint reached or the end is sealed, once by each verifier; sealing it again is answered, not
    journaled again (a rejoin's catch-up seals again what it sealed before). A real `runbook-tui exec --share` process."""
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(CHECKPOINTED), "--verifier-key", f"{bob}.pub", env=NO_AGENT)
    await lab.trust(shared.fingerprint, shared.port)
    client = lab.client(bob, shared.port)
    running = asyncio.create_task(client.run())
    try:
        assert await confirm_next(client) == "one"
        await until(lambda: any(e["actor"] == "bob" for e in of_type(journal_lines(shared.journal), "seal")), 20, "bob's seal of the checkpoint")
        events = journal_lines(shared.journal)
        reached = of_type(events, "checkpoint_reached")[0]
        assert client.trust is not None and client.trust.signer is not None
        signer, session = client.trust.signer, client.trust.session

        async def seal(event: dict[str, Any]) -> tuple[bool, str]:
            statement = statements.seal(session, "bob", event)
            reply = await client.send("seal", signed={"statement": statement, "signature": await signer.sign(statements.encode(statement))})
            return reply.ok, reply.message

        for _ in range(5):
            assert await seal(reached) == (True, f"event {reached['seq']} was already sealed by bob: nothing more journaled")
        started = of_type(events, "step_started")[0]
        assert await seal(started) == (
            False,
            f"refused: the seal names event {started['seq']}, which is no checkpoint reached nor the end: only those are sealed",
        )
        assert await seal(events[-1] | {"hash": "0" * 64}) == (
            False,
            "refused: what you signed says head '" + "0" * 64 + f"', the session has '{events[-1]['hash']}'; look again, then decide",
        )
        assert await confirm_next(client) == "two"
        await shared.exit_code(20)
    finally:
        running.cancel()
        await client.close()
    seals = [(e["actor"], e["statement"]["seq"]) for e in of_type(journal_lines(shared.journal), "seal")]
    finished = of_type(journal_lines(shared.journal), "session_finished")[0]["seq"]
    assert seals == [("bob", reached["seq"]), ("bob", finished)], seals
