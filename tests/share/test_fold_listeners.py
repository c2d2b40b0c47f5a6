"""A view that fails on one event costs that event's line on that view only: the replica's other events, and its other
views, are told as ever, and the join goes on reading (as the assignee's controller treats its listeners).

Before: the fold told its listeners with no guard: an exception in one call lost the rest of that batch on every view
(the replica's state already moved on, so the step list and header were right while the log missed lines), and, raised
from the read loop, it ended the join's reader unseen: the screen stopped following and still said connected.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from runbook_tui.engine.events import Event
from runbook_tui.engine.journal import JournalWriter
from runbook_tui.engine.state import RunState
from runbook_tui.share.client import Endpoint, ShareClient
from runbook_tui.share.protocol import EVENT_PREFIX
from runbook_tui.trust.ledger import Ledger
from runbook_tui.trust.participant import ParticipantTrust

pytestmark = pytest.mark.asyncio


def _lines(path: Path, notes: int) -> list[str]:
    writer = JournalWriter(path, new=True)
    writer.append("session_started", "alice", {"plan": {"sections": [{"id": "a", "kind": "implement", "steps": [{"id": "s"}]}]}})
    for n in range(notes):
        writer.append("note", "alice", {"text": f"note {n}"})
    writer.close()
    return path.read_text(encoding="utf-8").splitlines()


def _read(client: ShareClient, lines: list[str]) -> None:
    """One read of the share server's event messages, taken as the client's reader takes it."""
    client._receive([f"{EVENT_PREFIX}{line}}}" for line in lines])
    client._received()


async def test_a_view_failing_on_one_event_costs_no_other_event_nor_the_join(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    lines = _lines(tmp_path / "j.jsonl", 12)
    client = ShareClient(Endpoint("127.0.0.1", 1, str(tmp_path / "known_hosts"), None))
    client.trust = ParticipantTrust(None, "bob", "s1", Ledger())
    failing: list[int] = []
    other: list[int] = []

    def broken_view(event: Event, state: RunState) -> None:
        failing.append(event["seq"])
        if event["seq"] == 3:
            raise RuntimeError("a bug in a view")

    client.subscribe(broken_view)
    client.subscribe(lambda event, state: other.append(event["seq"]))
    with caplog.at_level(logging.ERROR, logger="runbook_tui.share.client"):
        _read(client, lines[:8])  # one batch: events 0..7, the view fails on 3
        _read(client, lines[8:])  # the next read is still taken
    assert other == list(range(13)), "the other view missed events"
    assert failing == list(range(13)), "the failing view missed the events after its failure"
    assert client.state.seq == 12
    assert [r for r in caplog.records if r.exc_info and str(r.exc_info[1]) == "a bug in a view"], "the failure went unrecorded"


async def test_a_status_listener_failing_does_not_stop_the_events(tmp_path: Path) -> None:
    """The words said to the screen (a divergence's warning here) go through listeners too: one failing loses nothing."""
    lines = _lines(tmp_path / "j.jsonl", 4)
    client = ShareClient(Endpoint("127.0.0.1", 1, str(tmp_path / "known_hosts"), None))
    client.trust = ParticipantTrust(None, "bob", "s1", Ledger())
    said: list[str] = []

    def broken(message: str) -> None:
        raise RuntimeError("a bug in the toast")

    client.on_status(broken)
    client.on_status(said.append)
    _read(client, lines[:3])
    forged = json.loads(lines[1]) | {"text": "rewritten"}  # event 1 again, changed: the history diverges
    _read(client, [json.dumps(forged), *lines[3:]])
    assert any("diverges" in words for words in said), said
    assert client.state.seq == 4, "the events after the forged one (they follow what bob saw) were not taken"
