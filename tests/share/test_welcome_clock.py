"""The session's welcome says its clock: the verifier's screen counts ages and countdowns by the assignee's time."""

from __future__ import annotations

import time

import pytest
from share_peers import Lab

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]


async def test_the_welcome_gives_the_verifier_the_sessions_clock(lab: Lab) -> None:
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    verifier = lab.client(bob, shared.port)
    verifier.clock_offset = 1e6  # what it held before: each welcome says the clock again
    before = time.time()
    await verifier.connect()
    try:
        # One machine, one clock: what is left is the welcome's way here (well under the seconds a loaded machine takes).
        assert -0.5 < verifier.clock_offset < time.time() - before + 0.5, verifier.clock_offset
    finally:
        await verifier.close()
