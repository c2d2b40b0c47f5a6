"""The verifier's header while their own link is down: who was there stays listed, marked as not known since the drop.

Before: the header was given nobody as connected while the link was down, so bob's read `verifier bob not connected`:
carol, the other verifier, vanished from it (and came back at the rejoin), though nothing was known of her leaving.
Then: bob himself read `verifier bob, carol unknown since …`, though he knows he is not connected: his own name reads
`you not connected`, the others `unknown since`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from run_screen_helpers import FakeClient, painted, screen_is, settled, shared_session_events, until

from runbook_tui.engine import events as ev
from runbook_tui.engine.state import apply
from runbook_tui.ui.verifier_app import VerifierApp
from runbook_tui.ui.widgets import RunHeader

# Who joined; what the header says of them while connected, and with bob's own link down since 02:13:05.
CASES = [
    (("bob", "carol"), "verifier bob, carol connected", "verifier you not connected, carol unknown since 02:13:05"),
    (("bob",), "verifier bob connected", "verifier you not connected since 02:13:05"),  # the reader alone: no `unknown`
]


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
@pytest.mark.parametrize(("names", "connected", "dropped"), CASES)
async def test_the_header_keeps_who_was_there_while_the_readers_link_is_down(
    workdir: Path, size: tuple[int, int], names: tuple[str, ...], connected: str, dropped: str
) -> None:
    client = FakeClient(shared_session_events(workdir))
    for name in names:
        joined = {"seq": client.state.seq + 1, "ts": "2026-03-20T02:13:00.000Z", "type": ev.PARTICIPANT_JOINED, "actor": name, "name": name, "role": "verifier"}
        client.state = apply(client.state, joined)
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        header = app.screen.query_one(RunHeader)
        await until(pilot, lambda: connected in painted(header), f"the header to say {connected!r}")
        client.lost_at = dt.datetime(2026, 3, 20, 2, 13, 5, tzinfo=dt.UTC).timestamp()
        await until(pilot, lambda: connected not in painted(header), "the header to stop saying they are connected")
        row = " ".join(painted(header).split())
        assert dropped in row, row
        assert row.count("unknown") == dropped.count("unknown"), row  # never `you … unknown`
        client.lost_at = None
        await until(pilot, lambda: connected in painted(header), "the header to say connected once the link is back")
