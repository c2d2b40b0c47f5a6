"""A host's end is on disk before anything acts on it, and the event loop runs on while it is written.

Before: each `host_finished` of a fan-out was journaled with the blocking `append`, so the event loop (the TUI's,
or exec's with every other host's SSH traffic) stood still for one fsync per host: on a 200-host step the bench's
profile showed 0.7 s of the loop waiting in `_wait_durable`. Now a host's end is queued and awaited (`emit_durably`):
the other hosts run on meanwhile, their ends share the writer's fsync, and each is applied (and shown) only once on
disk, in the journal's order.
"""

from __future__ import annotations

import asyncio
import json
import os
import textwrap
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from runbook_tui.engine.autopilot import Policy, drive
from runbook_tui.engine.controller import Actor, Controller
from runbook_tui.engine.events import Event
from runbook_tui.engine.journal import JournalWriter
from runbook_tui.engine.ports import Command, OutputSink, Result, StatusSink
from runbook_tui.engine.redact import Redactor
from runbook_tui.engine.state import RunState
from runbook_tui.runbook.loader import load_runbook
from runbook_tui.runbook.model import Host

RUNBOOK = """\
runbook: 1
id: host-ends
title: Two hosts, one ends first
hosts:
  web:
    - {name: web1, address: 127.0.0.1}
    - {name: web2, address: 127.0.0.1}
sections:
  - id: impl
    title: Implement
    kind: implement
    steps:
      - {id: both, title: both, on: web, run: "true", verify: none}
"""

REAL_FSYNC = os.fsync
#: Seconds the held fsync waits for web2 before letting go by itself (only when the loop never got to web2: the bug).
HOLD_LIMIT = 5.0


class HeldDisk:
    """Holds the writer thread's next fsync once armed, until released (or HOLD_LIMIT passes: then `gave_up`)."""

    def __init__(self) -> None:
        self.armed = threading.Event()
        self.holding = threading.Event()
        self.released = threading.Event()
        self.gave_up = False

    def fsync(self, fd: int) -> None:
        if self.armed.is_set() and not self.released.is_set():
            self.holding.set()
            self.gave_up = not self.released.wait(HOLD_LIMIT)
        REAL_FSYNC(fd)


class Hosts:
    """web1 ends at once (and arms the held fsync); web2 waits until web1's end is being written, then ends."""

    def __init__(self, disk: HeldDisk) -> None:
        self.disk = disk
        self.web2_ran_while_held = False

    async def run(self, command: Command, output: OutputSink, status: StatusSink | None = None) -> Result:
        if command.host.name == "web1":
            self.disk.armed.set()
            return Result("ok", 0)
        held = await asyncio.to_thread(self.disk.holding.wait, HOLD_LIMIT)  # its result needs a free event loop
        self.web2_ran_while_held = held and not self.disk.released.is_set()
        self.disk.released.set()
        return Result("ok", 0)

    async def release(self, hosts: Sequence[Host]) -> None:
        return None

    async def close(self) -> None:
        return None


def test_the_loop_runs_on_while_a_hosts_end_is_fsynced_and_the_end_is_applied_once_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    disk = HeldDisk()
    monkeypatch.setattr(os, "fsync", disk.fsync)  # the journal writer's (engine/journal_file.py)
    path = tmp_path / "runbook.yaml"
    path.write_text(textwrap.dedent(RUNBOOK))
    runbook = load_runbook(str(path), {}).runbook
    hosts = Hosts(disk)
    journal = JournalWriter(tmp_path / "journal.jsonl", Redactor([]))
    controller = Controller(runbook, journal, lambda _host: hosts, assignee="alice", solo="a test")
    applied_before_disk: list[str] = []

    def heard(event: Event, _state: RunState) -> None:
        if journal.durable_seq < event["seq"]:
            applied_before_disk.append(f"{event['type']} {event.get('host', '')}")

    controller.subscribe(heard)
    controller.start(journal_path="journal.jsonl")
    asyncio.run(drive(controller, Actor("alice", "assignee"), policy=Policy()))
    journal.close()

    assert not disk.gave_up, "the event loop stood still while web1's end was fsynced: web2 could not run meanwhile"
    assert hosts.web2_ran_while_held, "web2 is expected to have ended while web1's end was still being written"
    assert applied_before_disk == [], f"applied (and shown) before on disk: {applied_before_disk}"
    events = [json.loads(line) for line in (tmp_path / "journal.jsonl").read_text().splitlines()]
    assert [e["host"] for e in events if e["type"] == "host_finished"] == ["web1", "web2"], "each host's end, in the order they came"
    assert [e["type"] for e in events][-2:] == ["step_finished", "session_finished"]
