"""The verifier's connection drops in the middle of a confirmation: the intent arrived, the reply never did.

The assignee is `runbook-tui exec --share` in its own process; the verifier is
a `ShareClient` behind a loopback TCP relay (tests/share's `Cutter`). While
step one waits for the verifier, the relay stops carrying the session's bytes
to the verifier, the verifier sends `confirm`, and once the journal holds the
confirmation the relay resets both sockets: the confirmation happened, its
reply is lost. After the reconnect the replica shows step one confirmed once,
the journal has one step_confirmed for it, and confirming again is refused
("nothing to confirm") instead of confirming anything twice.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "share"))

import share_peers
from share_peers import TWO_STEPS, Cutter, Lab, awaiting, confirm_next, journal, journal_lines, journal_state, until

from runbook_tui.engine.events import Event
from runbook_tui.engine.state import RunState

lab = share_peers.lab  # the fixture: a folder of keys, runbooks and state; stops what it started

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]

#: Step two runs for a few seconds, so after the reconnect nothing waits for the verifier and the session is still there.
SLOW_TWO = TWO_STEPS.replace("run: echo two", "run: sleep 4; echo two")


class ReplyCutter(Cutter):
    """A `Cutter` that can also silence one direction: the session's bytes to the client."""

    def __init__(self, target_port: int) -> None:
        super().__init__(target_port)
        self._client_side: set[asyncio.StreamWriter] = set()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._client_side.add(writer)
        try:
            await super()._relay(reader, writer)
        finally:
            self._client_side.discard(writer)

    def mute_replies(self) -> None:
        """Whatever the session sends is swallowed from now on; what the client sends still gets through."""
        self._frozen |= self._client_side & self._links


def confirmations(path: Path, step: str) -> list[dict[str, object]]:
    return [e for e in journal_lines(path) if e["type"] == "step_confirmed" and e.get("step") == step]


async def test_a_confirmation_whose_reply_is_lost_counts_once_and_is_not_repeated(lab: Lab) -> None:
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(SLOW_TWO), "--verifier-key", f"{bob}.pub")
    cutter = ReplyCutter(shared.port)
    await cutter.restore()
    await lab.trust(shared.fingerprint, cutter.port)
    client = lab.client(bob, cutter.port, delays=(0.1, 0.2, 0.3, 0.5, 1.0))
    confirmed_on_replica: list[str] = []

    def record(event: Event, state: RunState) -> None:
        if event["type"] == "step_confirmed":
            confirmed_on_replica.append(str(event["step"]))

    client.subscribe(record)
    follow = asyncio.create_task(client.run())
    try:
        await until(lambda: awaiting(client) == "one", what="step one waiting for the verifier")
        cutter.mute_replies()
        sent = asyncio.create_task(client.send("confirm"))
        await until(lambda: len(confirmations(shared.journal, "one")) == 1, 10, "the session to journal the confirmation")
        await until(lambda: cutter.swallowed > 0, 10, "the session's answer to reach the relay's muted direction")
        assert not sent.done(), "the reply got through: the test did not lose it"
        assert client.state.steps["one"].status == "awaiting_verification"  # the replica has not heard either
        await cutter.cut()  # both sockets reset before the reply arrived
        reply = await asyncio.wait_for(sent, 5)
        assert not reply.ok and "dropped" in reply.message, reply
        await until(lambda: not client.connected, 5, "the verifier to notice the cut")
        await cutter.restore()
        await until(lambda: client.connected, 10, "the verifier to reconnect")
        await until(lambda: client.state.steps["one"].status == "done", 5, "the replica to show step one confirmed")
        await until(lambda: client.state.steps["two"].status == "running", 5, "step two running on the replica")
        again = await client.send("confirm")  # the verifier, unsure whether it went through, confirms again
        assert not again.ok, again
        assert "nothing to confirm" in again.message, again.message
        assert len(confirmations(shared.journal, "one")) == 1
        assert confirmed_on_replica == ["one"]
        await confirm_next(client, "two")
        assert await shared.exit_code() == 0, shared.stderr()
        await asyncio.wait_for(follow, 5)
    finally:
        await client.close()
        await cutter.close()
    events = journal(shared.journal)
    assert [e["step"] for e in events if e["type"] == "step_confirmed"] == ["one", "two"]
    assert confirmed_on_replica == ["one", "two"]
    assert client.state == journal_state(shared.journal)
    assert client.state.steps["one"].status == "done" and client.state.steps["two"].status == "done"
    assert cutter.accepted >= 2
    assert "Traceback" not in shared.stderr() and "never retrieved" not in shared.stderr(), shared.stderr()
