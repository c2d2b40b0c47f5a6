"""A host's stdout is kept in memory (up to 1 MiB, `KEEP_STDOUT`) only for a step that reads it: `capture` or `expect.stdout`.

Before: every host of every `run` step kept its first 1 MiB of stdout until the step ended, whether anything read it or
not. A group step on 30 hosts each printing 1 MiB held 30 MiB for nothing (1,000 hosts: 1 GB); the journal has every
byte anyway. Now a step that reads nothing of it keeps nothing, and a capture and `expect.stdout` read what they did.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runbook_tui.engine.autopilot import Policy, drive
from runbook_tui.engine.controller import Actor, Controller
from runbook_tui.engine.journal import JournalWriter
from runbook_tui.engine.ports import Command, OutputSink, Result, StatusSink
from runbook_tui.engine.redact import Redactor
from runbook_tui.runbook.loader import load_runbook
from runbook_tui.runbook.model import Host
from tests.waiting import until

HOSTS = 30
MIB = 1024 * 1024
LINE = b"x" * 63 + b"\n"


def _runbook(step: str) -> str:
    hosts = "\n".join(f"    - {{name: web{i}, address: 127.0.0.1}}" for i in range(HOSTS))
    return f"""\
runbook: 1
id: kept-stdout
title: A group printing a lot
hosts:
  web:
{hosts}
sections:
  - id: impl
    title: Implement
    kind: implement
    steps:
      - {step}
"""


class Flood:
    """Each host prints 1 MiB (`ready` first, then lines of x), then waits for the journal to hold it all on disk and
    notes the memory Python holds then: the output is journaled, so what is still held is what the runner kept."""

    def __init__(self, journal: JournalWriter) -> None:
        self.journal = journal
        self.held: list[int] = []

    async def run(self, command: Command, output: OutputSink, status: StatusSink | None = None) -> Result:
        if command.command != "flood":
            return Result("ok", 0)
        output("stdout", b"ready\n")
        chunk = LINE * 1024  # 64 KiB
        for _ in range(MIB // len(chunk)):
            output("stdout", chunk)
            await asyncio.sleep(0)
        await until(lambda: self.journal.durable_seq >= self.journal.seq - 1, "the journal never held the output on disk")
        self.held.append(tracemalloc.get_traced_memory()[0])
        return Result("ok", 0)

    async def release(self, hosts: Sequence[Host]) -> None:
        return None

    async def close(self) -> None:
        return None


def _run(tmp_path: Path, step: str) -> tuple[list[dict[str, Any]], int]:
    """The run's events, and the most memory held (bytes) at a host's end beyond what was held before the run."""
    path = tmp_path / "runbook.yaml"
    path.write_text(textwrap.dedent(_runbook(step)))
    runbook = load_runbook(str(path), {}).runbook
    journal = JournalWriter(tmp_path / "journal.jsonl", Redactor([]))
    flood = Flood(journal)
    controller = Controller(runbook, journal, lambda _host: flood, assignee="alice", solo="a test")
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        controller.start(journal_path="journal.jsonl")
        asyncio.run(drive(controller, Actor("alice", "assignee"), policy=Policy()))
    finally:
        tracemalloc.stop()
        journal.close()
    assert len(flood.held) == HOSTS
    events = [json.loads(line) for line in (tmp_path / "journal.jsonl").read_text().splitlines()]
    return events, max(flood.held) - before


def _finished(events: list[dict[str, Any]], step: str) -> dict[str, Any]:
    [finished] = [e for e in events if e["type"] == "step_finished" and e["step"] == step]
    return finished


def test_a_step_that_reads_no_stdout_keeps_none_of_its_hosts(tmp_path: Path) -> None:
    events, held = _run(tmp_path, "{id: flood, title: Flood, on: web, run: flood, verify: none}")
    assert _finished(events, "flood")["status"] == "done"
    journaled = sum(len(e["text"]) for e in events if e["type"] == "output" and e["step"] == "flood")
    assert journaled == HOSTS * (MIB + len("ready\n"))  # every byte of every host on record
    assert held < HOSTS * MIB // 3, f"{held / MIB:.1f} MiB still held once the output was on disk"  # before: ~30 MiB


def test_a_capture_still_reads_the_first_host_s_stdout(tmp_path: Path) -> None:
    events, _held = _run(tmp_path, "{id: flood, title: Flood, on: web, run: flood, capture: head, verify: none}")
    captured = _finished(events, "flood")["captured"]["head"]
    assert captured.startswith("ready\n" + LINE.decode()) and len(captured) == MIB  # the first 1 MiB (KEEP_STDOUT)


def test_expect_stdout_still_reads_each_host_s_stdout(tmp_path: Path) -> None:
    events, _held = _run(tmp_path, "{id: flood, title: Flood, on: web, run: flood, expect: {stdout: 'ready'}, verify: none}")
    assert _finished(events, "flood")["status"] == "done"
    (tmp_path / "no").mkdir()
    events, _held = _run(tmp_path / "no", "{id: flood, title: Flood, on: web, run: flood, expect: {stdout: 'never'}, verify: none}")
    assert _finished(events, "flood")["status"] == "failed"
