"""A catch-up is folded in batches (at most every FOLD_SECONDS), yet the replica and its listeners miss nothing.

The reads of a catch-up bring hundreds of events each; the client checks each as it comes but folds
them (and tells its listeners) together. Here the reads are fed as the reader would feed them.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from runbook_tui.engine.events import Event
from runbook_tui.engine.journal import JournalWriter, read_events
from runbook_tui.engine.state import RunState, replay
from runbook_tui.share.client import FOLD_SECONDS, LIVE_BATCH, Endpoint, ShareClient
from runbook_tui.share.protocol import EVENT_PREFIX
from runbook_tui.trust.ledger import Ledger
from runbook_tui.trust.participant import ParticipantTrust

pytestmark = pytest.mark.asyncio


def _client(tmp_path: Path) -> ShareClient:
    client = ShareClient(Endpoint("127.0.0.1", 1, str(tmp_path / "known_hosts"), None))
    client.trust = ParticipantTrust(None, "bob", "s1", Ledger())  # each event checked as a verifier checks it
    return client


def _read(client: ShareClient, received: list[tuple[Event, str]]) -> None:
    """One read of the share server's event messages, taken as the client's reader takes it."""
    client._receive([f"{EVENT_PREFIX}{line}}}" for _, line in received])
    client._received()


def _journal(path: Path, outputs: int) -> list[tuple[Event, str]]:
    writer = JournalWriter(path, new=True)
    writer.append("session_started", "alice", {"plan": {"sections": [{"id": "a", "kind": "implement", "steps": [{"id": "s"}]}]}})
    writer.append("step_started", "alice", {"step": "s", "attempt": 1, "hosts": ["local"], "phase": "run"})  # its output comes while it runs
    for n in range(outputs):
        writer.append("output", "system", {"step": "s", "host": "local", "stream": "stdout", "text": f"line {n}\n", "phase": "run"})
    writer.append("note", "alice", {"text": "the end"})
    writer.close()
    return [(json.loads(line), line) for line in path.read_text(encoding="utf-8").splitlines()]


async def test_a_catch_up_folded_in_batches_ends_at_the_journal_state_with_every_event_told_in_order(tmp_path: Path) -> None:
    received = _journal(tmp_path / "j.jsonl", 3000)
    client = _client(tmp_path)
    told: list[int] = []
    states: list[RunState] = []

    def listener(event: Event, state: RunState) -> None:
        told.append(event["seq"])
        states.append(state)

    client.subscribe(listener)
    reads = [received[at : at + 100] for at in range(0, len(received), 100)]
    for read in reads:
        _read(client, read)
    assert client.state.seq < received[-1][0]["seq"], "the last read folded at once: the catch-up was not batched"
    deadline = time.monotonic() + 5
    while client.state.seq != received[-1][0]["seq"]:
        assert time.monotonic() < deadline, f"the last events were not folded within {FOLD_SECONDS} s (replica at {client.state.seq})"
        await asyncio.sleep(FOLD_SECONDS / 5)
    assert told == list(range(len(received)))
    assert client.state == replay(read_events(tmp_path / "j.jsonl").events)
    assert all(state.seq >= seq for state, seq in zip(states, told, strict=True))  # each told with the state after it
    assert len({id(state) for state in states}) < len(reads) / 2, "folded about once per read"


async def test_a_live_event_is_folded_at_once(tmp_path: Path) -> None:
    received = _journal(tmp_path / "j.jsonl", 3 * LIVE_BATCH)
    client = _client(tmp_path)
    _read(client, received[: 3 * LIVE_BATCH])  # a catch-up's read: folded (the first fold is never held back)
    for event in received[3 * LIVE_BATCH :]:
        _read(client, [event])  # live, one at a time, right after the fold
        assert client.state.seq == event[0]["seq"]


class _Written:
    """What the server writes to a participant (asyncssh's stdout, as `_catch_up` uses it)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.stdout = self

    def write(self, text: str) -> None:
        self.parts.append(text)

    async def drain(self) -> None:
        return None


class _Gate:
    """The participant's gate (`share/gate.py`): here every write is taken at once."""

    async def sent(self, _process: object) -> None:
        return None


@pytest.mark.parametrize("chunk", [1, 200, 4096, 1 << 20])
async def test_the_server_relays_exactly_the_lines_asked_for_as_event_messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    from types import SimpleNamespace

    from runbook_tui.share import protocol, server

    path = tmp_path / "j.jsonl"
    lines = [text for _, text in _journal(path, 40)]
    monkeypatch.setattr(server, "CATCH_UP_CHUNK", chunk)
    monkeypatch.setattr(server, "CATCH_UP_FIRST", min(chunk, server.CATCH_UP_FIRST))  # every read at most `chunk`
    share = SimpleNamespace(controller=SimpleNamespace(journal=SimpleNamespace(path=path)))
    for since, until in [(-1, len(lines)), (-1, 0), (5, 6), (5, 7), (0, 41), (20, 30), (40, 42), (-1, 1000)]:
        written = _Written()
        await server.ShareServer._catch_up(share, written, _Gate(), since, until)  # type: ignore[arg-type]
        messages = "".join(written.parts).splitlines()
        assert messages == [f"{protocol.EVENT_PREFIX}{line}}}" for line in lines[since + 1 : until]], (since, until)
