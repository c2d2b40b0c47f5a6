"""A connection flood without a key, against a shared run with the usual 1,024 open-file limit.

The attacker (flood_helper.py, another process, from 127.0.0.2) keeps 1,000 idle connections
to the share port and reopens every one the server closes. Meanwhile the run's step prints a
timestamp every 50 ms. The run must finish, the real verifier must get in within 5 s, stderr
must not fill up, each printed line must reach the journal promptly (the handshake work must
not starve the run), and nothing about the attacker may be journaled but the closing counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from share_peers import TWO_STEPS, Lab, confirm_next, journal_lines, of_type

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]

HELPER = Path(__file__).with_name("flood_helper.py")
#: Step one prints the time every 50 ms for about 4 s while the flood goes on.
TICKING = TWO_STEPS.replace("run: echo one", "run: for i in $(seq 1 80); do date +%s.%N; sleep 0.05; done")
CONNECTIONS, ATTEMPTS, SECONDS = 1000, 6000, 90


def _epoch(ts: str) -> float:
    return dt.datetime.fromisoformat(ts).timestamp()


async def test_a_flood_of_idle_connections_neither_stops_the_run_nor_keeps_the_verifier_out(lab: Lab) -> None:
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(TICKING), "--verifier-key", f"{bob}.pub", wrap=("prlimit", "--nofile=1024:1024", "--"))
    await lab.trust(shared.fingerprint, shared.port)
    flood = subprocess.Popen(
        [sys.executable, str(HELPER), str(shared.port), str(CONNECTIONS), str(ATTEMPTS), str(SECONDS)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    verifier = lab.client(bob, shared.port)
    most_open = 0

    async def count_descriptors() -> None:
        nonlocal most_open
        while shared.proc.poll() is None:
            with contextlib.suppress(OSError):
                most_open = max(most_open, len(os.listdir(f"/proc/{shared.proc.pid}/fd")))
            await asyncio.sleep(0.02)

    counting = asyncio.create_task(count_descriptors())
    try:
        assert flood.stdout is not None
        said = await asyncio.wait_for(asyncio.to_thread(flood.stdout.readline), 60)
        assert said.strip() == "flooding", flood.stderr.read() if flood.stderr else ""
        asked = time.monotonic()
        await asyncio.wait_for(verifier.connect(), 5)
        joined_in = time.monotonic() - asked
        following = asyncio.create_task(verifier.run())
        await confirm_next(verifier, "one", timeout=30)
        await confirm_next(verifier, "two", timeout=30)
        assert await shared.exit_code(30) == 0, shared.stderr()
        await asyncio.wait_for(following, 10)
    finally:
        await verifier.close()
        if flood.poll() is None:
            flood.communicate("", timeout=30)
        counting.cancel()
    assert most_open <= 1024 * 3 // 4, f"{most_open} descriptors open at once: the flood ate the run's reserve"
    assert joined_in < 5, f"the verifier needed {joined_in:.1f} s to get in"
    events = journal_lines(shared.journal)
    ticks = [(float(line), _epoch(e["ts"])) for e in of_type(events, "output") if e["step"] == "one" for line in e["text"].split()]
    assert len(ticks) == 80, "every line the step printed is journaled"
    worst = max(journaled - printed for printed, journaled in ticks)
    print(f"joined in {joined_in:.2f} s; worst output latency under the flood {worst:.2f} s; at most {most_open} descriptors open")
    assert worst < 2.5, f"a line reached the journal {worst:.1f} s after it was printed: the flood starved the run"
    assert [e["name"] for e in of_type(events, "participant_joined")] == ["bob"], "only the real participant is journaled"
    [closed] = of_type(events, "share_closed")
    refused = closed["refused_address"] + closed["refused_total"] + closed["refused_descriptors"]
    assert refused + closed["unauthenticated"] >= CONNECTIONS, closed
    assert closed["authenticated"] >= 1, closed
    stderr = shared.stderr().splitlines()
    assert len(stderr) < 10 and "Traceback" not in shared.stderr(), shared.stderr()[:3000]
