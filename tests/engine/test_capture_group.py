"""`capture:` on a group step keeps the stdout of the first host where the command succeeded.

Before: the first host's stdout, whatever became of it there. With `max_fail` tolerating that host's failure the step
went on, left the host out of every later step, and passed its output (an error message, or nothing) to them as
`captured.NAME`: `promote {{ captured.primary }}` got `ERROR: connection refused` while db2 and db3 had answered.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
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
from runbook_tui.runbook.plan import format_plan

RUNBOOK = """\
runbook: 1
id: capture-group
title: Capture on a group
hosts:
  db:
    - {name: db1, address: 127.0.0.1}
    - {name: db2, address: 127.0.0.1}
    - {name: db3, address: 127.0.0.1}
sections:
  - id: impl
    title: Implement
    kind: implement
    steps:
      - {id: ask-primary, title: Which is primary, on: db, max_fail: 1, run: "whoami-primary", capture: primary, verify: none}
      - {id: promote, title: Promote, run: "promote {{ captured.primary }}", verify: none}
"""


class Answers:
    """`whoami-primary` prints `db2` on every host; on the hosts in `failing` it prints an error and exits 1."""

    def __init__(self, failing: Sequence[str]) -> None:
        self.failing = set(failing)

    async def run(self, command: Command, output: OutputSink, status: StatusSink | None = None) -> Result:
        if command.command != "whoami-primary":
            return Result("ok", 0)
        if command.host.name in self.failing:
            output("stdout", b"ERROR: connection refused\n")
            return Result("ok", 1)
        output("stdout", b"db2\n")
        return Result("ok", 0)

    async def release(self, hosts: Sequence[Host]) -> None:
        return None

    async def close(self) -> None:
        return None


def _run(tmp_path: Path, failing: Sequence[str]) -> list[dict[str, Any]]:
    path = tmp_path / "runbook.yaml"
    path.write_text(textwrap.dedent(RUNBOOK))
    runbook = load_runbook(str(path), {}).runbook
    journal = JournalWriter(tmp_path / "journal.jsonl", Redactor([]))
    controller = Controller(runbook, journal, lambda _host: Answers(failing), assignee="alice", solo="a test")
    controller.start(journal_path="journal.jsonl")
    asyncio.run(drive(controller, Actor("alice", "assignee"), policy=Policy()))
    journal.close()
    return [json.loads(line) for line in (tmp_path / "journal.jsonl").read_text().splitlines()]


def test_the_capture_comes_from_a_host_where_the_command_succeeded(tmp_path: Path) -> None:
    events = _run(tmp_path, failing=["db1"])

    [asked] = [e for e in events if e["type"] == "step_finished" and e["step"] == "ask-primary"]
    assert asked["status"] == "done" and asked["hosts"]["db1"]["status"] == "failed"  # within max_fail: the run goes on
    assert asked["captured"] == {"primary": "db2"}  # before: 'ERROR: connection refused', db1's failed output
    [promoted] = [e for e in events if e["type"] == "step_started" and e["step"] == "promote"]
    assert promoted["commands"] == {"local": "promote db2"}
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "done"


def test_with_every_host_succeeding_the_first_one_s_stdout_is_kept(tmp_path: Path) -> None:
    events = _run(tmp_path, failing=[])
    [asked] = [e for e in events if e["type"] == "step_finished" and e["step"] == "ask-primary"]
    assert asked["captured"] == {"primary": "db2"}


def test_the_plan_says_whose_stdout_is_kept_when_the_first_host_may_fail(tmp_path: Path) -> None:
    path = tmp_path / "runbook.yaml"
    path.write_text(textwrap.dedent(RUNBOOK))
    text = format_plan(load_runbook(str(path), {}).runbook)
    assert "capture -> captured.primary (stdout of db1, the first of its 3 hosts; if it fails within max_fail, of the next that succeeds)" in text
