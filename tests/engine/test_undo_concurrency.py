"""A rollback's undos of one step run on at most `max_concurrency` hosts at once, as the step itself did.

Before: the step fanned out `max_concurrency` hosts at a time (engine/fanout.py), but its undo started on every host
at once (a gather): a rollback over 500 hosts opened 500 connections and commands together, whatever the setting.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from collections.abc import Sequence
from pathlib import Path

from runbook_tui.engine.autopilot import Policy, drive
from runbook_tui.engine.controller import Actor, Controller
from runbook_tui.engine.journal import JournalWriter
from runbook_tui.engine.ports import Command, OutputSink, Result, StatusSink
from runbook_tui.engine.redact import Redactor
from runbook_tui.runbook.loader import load_runbook
from runbook_tui.runbook.model import Host

HOSTS = 5
RUNBOOK = f"""\
runbook: 1
id: undo-at-once
title: Undos at once
hosts:
  web:
{"".join(f"    - {{name: web{i}, address: 127.0.0.1}}{chr(10)}" for i in range(1, HOSTS + 1))}sections:
  - id: impl
    title: Implement
    kind: implement
    steps:
      - {{id: roll, title: roll, on: web, run: "change", undo: "change back", verify: none}}
      - {{id: boom, title: boom, on: web, run: "fail", verify: none}}
"""


class Counting:
    """Counts the commands under way at once, per phase (`run`, `undo`); `boom` fails everywhere."""

    def __init__(self) -> None:
        self.now = {"run": 0, "undo": 0}
        self.peak = {"run": 0, "undo": 0}
        self.undone: list[str] = []

    async def run(self, command: Command, output: OutputSink, status: StatusSink | None = None) -> Result:
        phase = "undo" if command.command == "change back" else "run"
        self.now[phase] += 1
        self.peak[phase] = max(self.peak[phase], self.now[phase])
        for _ in range(5):  # let every other command that may start now start before this one ends
            await asyncio.sleep(0)
        self.now[phase] -= 1
        if phase == "undo":
            self.undone.append(command.host.name)
        return Result("ok", 1 if command.command == "fail" else 0)

    async def release(self, hosts: Sequence[Host]) -> None:
        return None

    async def close(self) -> None:
        return None


def test_undos_run_on_at_most_max_concurrency_hosts_at_once(tmp_path: Path) -> None:
    path = tmp_path / "runbook.yaml"
    path.write_text(textwrap.dedent(RUNBOOK))
    runbook = load_runbook(str(path), {}).runbook
    executor = Counting()
    journal = JournalWriter(tmp_path / "journal.jsonl", Redactor([]))
    controller = Controller(runbook, journal, lambda _host: executor, assignee="alice", solo="a test", max_concurrency=2)
    controller.start(journal_path="journal.jsonl")
    asyncio.run(drive(controller, Actor("alice", "assignee"), policy=Policy(on_failure="rollback")))
    journal.close()

    assert executor.peak["run"] == 2, executor.peak  # the step: two at a time
    assert executor.peak["undo"] == 2, executor.peak  # before: 5, every host at once
    assert sorted(executor.undone) == [f"web{i}" for i in range(1, HOSTS + 1)]
    events = [json.loads(line) for line in (tmp_path / "journal.jsonl").read_text().splitlines()]
    [finished] = [e for e in events if e["type"] == "undo_finished"]
    assert finished["ok"] is True and sorted(finished["hosts"]) == sorted(executor.undone), finished
