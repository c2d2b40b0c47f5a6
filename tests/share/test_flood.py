"""Hostile peers of the share server: a connection flood without a key, malformed hellos, reconnect loops.

A connection flood without a key, against a shared run with the usual 1,024 open-file limit.

The attacker (flood_helper.py, another process, from 127.0.0.2) keeps 1,000 idle connections
to the share port and reopens every one the server closes. Meanwhile the run's step prints a
timestamp every 50 ms. The run must finish, the real verifier must get in within 5 s, stderr
must not fill up, each printed line must reach the journal promptly (the handshake work must
not starve the run), and nothing about the attacker may be journaled but one notice that
connections are being refused (`share_refusing`, at the flood's start) and the closing counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import time
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from share_peers import (
    HOST,
    TWO_STEPS,
    Lab,
    confirm_both_to_the_end,
    confirm_next,
    flooding,
    journal_lines,
    of_type,
    until,
)

from runbook_tui.report import build_report, render
from runbook_tui.share import presence

pytestmark = [pytest.mark.peers, pytest.mark.asyncio]

#: Step one prints the time every 50 ms for about 4 s while the flood goes on.
TICKING = TWO_STEPS.replace("run: echo one", "run: for i in $(seq 1 80); do date +%s.%N; sleep 0.05; done")
CONNECTIONS, ATTEMPTS, SECONDS = 1000, 3000, 90


def _epoch(ts: str) -> float:
    return dt.datetime.fromisoformat(ts).timestamp()


async def test_a_flood_of_idle_connections_neither_stops_the_run_nor_keeps_the_verifier_out(lab: Lab) -> None:
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(TICKING), "--verifier-key", f"{bob}.pub", wrap=("prlimit", "--nofile=1024:1024", "--"))
    await lab.trust(shared.fingerprint, shared.port)
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
        async with flooding(shared.port, CONNECTIONS, ATTEMPTS, SECONDS):
            asked = time.monotonic()
            await asyncio.wait_for(verifier.connect(), 5)
            joined_in = time.monotonic() - asked
            await confirm_both_to_the_end(verifier, shared)
    finally:
        await verifier.close()
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
    [notice] = of_type(events, "share_refusing")  # the flood lasts seconds: said once, at its start
    assert notice["reason"] == "refused_address" and notice["waiting"] >= 32 and notice["refused"] >= 1, notice
    [closed] = of_type(events, "share_closed")
    refused = closed["refused_address"] + closed["refused_total"] + closed["refused_descriptors"]
    assert refused + closed["unauthenticated"] >= CONNECTIONS, closed
    assert closed["authenticated"] >= 1, closed
    report = render(build_report(shared.journal), "md")  # the counts reach the change report
    [row] = [line for line in report.splitlines() if "Share connections" in line]
    assert "refused (too many waiting from one address)" in row and "1 authenticated" in row, row
    stderr = shared.stderr().splitlines()
    assert len(stderr) < 10 and "Traceback" not in shared.stderr(), shared.stderr()[:3000]


async def test_a_malformed_hello_journals_neither_a_join_nor_a_leave(lab: Lab) -> None:
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    hellos = ("not json\n", '{"kind": "hello", "since": "x"}\n', '{"kind": "hello", "since": [1]}\n', "[]\n", '{"kind": "hello", "since": Infinity}\n')
    for hello in (*hellos, '{"kind": "hola", "since": 1e400}\n'):
        async with asyncssh.connect(HOST, shared.port, known_hosts=str(lab.known_hosts), client_keys=[str(bob)], username="runbook") as conn:
            process = await conn.create_process(encoding="utf-8")
            assert json.loads(await process.stdout.readline())["kind"] == "welcome"
            process.stdin.write(hello)
            bye = json.loads(await asyncio.wait_for(process.stdout.readline(), 10))  # told why, then hung up on
            assert bye["kind"] == "bye" and bye["reason"].startswith('expected {"kind": "hello", "since": SEQ}'), (hello, bye)
            await asyncio.wait_for(process.wait_closed(), 10)
    await _bob_confirms_both_steps_and_the_run_ends(lab, bob, shared)
    presence = [(e["type"], e["name"]) for e in journal_lines(shared.journal) if e["type"].startswith("participant_")]
    assert presence == [("participant_joined", "bob"), ("participant_left", "bob")], presence  # the real session only, left as the run ended
    assert "Traceback" not in shared.stderr(), shared.stderr()


async def _bob_confirms_both_steps_and_the_run_ends(lab: Lab, bob: Path, shared: Any) -> None:
    """The real verifier joins, confirms 'one' and 'two', and the shared run exits 0."""
    verifier = lab.client(bob, shared.port)
    following = asyncio.create_task(verifier.run())
    try:
        await confirm_next(verifier, "one")
        await confirm_next(verifier, "two")
        assert await shared.exit_code() == 0, shared.stderr()
        await asyncio.wait_for(following, 10)
    finally:
        await verifier.close()


async def test_an_observer_reconnecting_in_a_loop_adds_a_bounded_number_of_events(lab: Lab) -> None:
    bob, olive = lab.key("bob"), lab.key("olive")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub", "--observer-key", f"{olive}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    sessions = 30

    def olive_presence(path: Path) -> list[dict]:
        return [e for e in journal_lines(path) if e["type"].startswith("participant_") and e["name"] == "olive"]

    for _ in range(sessions):
        observer = lab.client(olive, shared.port)
        await observer.connect()
        await until(lambda: len(olive_presence(shared.journal)) > 0, 5, "olive's first join")
        await observer.close()

    # the journal catches up with the truth (olive gone) within one interval, without an event per session
    await until(lambda: olive_presence(shared.journal)[-1]["type"] == "participant_left", presence.INTERVAL + 5, "olive's leave")
    assert len(olive_presence(shared.journal)) <= presence.BURST + 2, [e["type"] for e in olive_presence(shared.journal)]
    await _bob_confirms_both_steps_and_the_run_ends(lab, bob, shared)
    written = olive_presence(shared.journal)
    [closed] = of_type(journal_lines(shared.journal), "share_closed")
    counted = sum(e.get("repeats", 0) for e in written) + closed["presence_unjournaled"]
    joins = [e for e in written if e["type"] == "participant_joined"]
    assert len(joins) + counted + closed["refused_sessions"] == sessions, "every session is journaled or counted, none lost"
    assert counted > 0 and written[-1]["type"] == "participant_left"
