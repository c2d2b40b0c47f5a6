"""A connection flood without a key from several sources at once: the places to wait for a login are shared out.

Each source (an IPv4 address, an IPv6 /64) may have PER_ADDRESS connections waiting to authenticate, all of them TOTAL.
A few sources holding PER_ADDRESS each fill TOTAL; the attacker (flood_helper.py, another process, from 127.0.0.2 to
127.0.0.6) reopens each connection the server closes at once, so a place freed when the login timeout lets a batch go
is taken again before a verifier's retry comes. A real `runbook-tui exec --share` process.
"""

from __future__ import annotations

import asyncio
import re
import time

import asyncssh
import pytest
from share_peers import Lab, confirm_both_to_the_end, flooding, journal_lines, of_type

from runbook_tui.share.admission import LOGIN_TIMEOUT, PER_ADDRESS, TOTAL

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]

SOURCES = TOTAL // PER_ADDRESS + 1
CONNECTIONS = SOURCES * (PER_ADDRESS + 8)


async def test_a_few_flooding_sources_do_not_keep_the_verifier_out(lab: Lab) -> None:
    """Before: five sources of 32 idle connections held all 128 places; bob's connections were refused before any SSH
    work until the login timeout let a batch go (10 s), and then mostly lost the race to the attacker's reconnects."""
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    verifier = lab.client(bob, shared.port)
    try:
        async with flooding(shared.port, CONNECTIONS, 100 * CONNECTIONS, 60, SOURCES):
            await shared.wait_for_output(r"share port: \d+ connections? refused", 30)  # every place is taken
            asked = time.monotonic()
            while True:  # as join retries a connection refused
                try:
                    await asyncio.wait_for(verifier.connect(), LOGIN_TIMEOUT)
                    break
                except (OSError, asyncssh.Error, TimeoutError):
                    if time.monotonic() - asked > 2 * LOGIN_TIMEOUT:
                        pytest.fail(f"bob could not get in within {2 * LOGIN_TIMEOUT:g} s of the flood")
                    await asyncio.sleep(0.2)
            joined_in = time.monotonic() - asked
            await confirm_both_to_the_end(verifier, shared)
    finally:
        await verifier.close()
    assert joined_in < 5, f"bob needed {joined_in:.1f} s to get in"
    assert [e["name"] for e in of_type(journal_lines(shared.journal), "participant_joined")] == ["bob"]
    stderr = shared.stderr()
    assert re.search(r"letting go of the oldest of the \d+ connections from 127\.0\.0\.[2-6] waiting to authenticate: room for 127\.0\.0\.1", stderr), stderr[
        :3000
    ]
    assert len(stderr.splitlines()) < 10 and "Traceback" not in stderr, stderr[:3000]
