"""An executor is told a command's end is on disk (`Command.journaled`) only once it is: never before.

The SSH executor removes a remote run's files (its output and exit status) only then; before, it did as soon as the
result came in, and a kill -9 before the runner journaled the host's end left nothing for `resume --rerun` to
follow: the command ran twice (tests/integration/test_cli_kill9_end_journaled.py, with a real sshd).
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Sequence
from pathlib import Path

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
id: ends-journaled
title: Ends journaled
hosts:
  web:
    - {name: web1, address: 127.0.0.1}
    - {name: web2, address: 127.0.0.1}
  one:
    - {name: db1, address: 127.0.0.1}
sections:
  - id: impl
    title: Implement
    kind: implement
    steps:
      - {id: both, title: both, on: web, run: "work", retries: 1, retry_delay: 0s, verify: none}
      - {id: single, title: single, on: one, run: "work", verify: none}
"""


class Recorder:
    """web1's first try fails (exit 3): retried. Every command is kept, with its `journaled` future."""

    def __init__(self) -> None:
        self.commands: list[Command] = []

    async def run(self, command: Command, output: OutputSink, status: StatusSink | None = None) -> Result:
        self.commands.append(command)
        assert command.journaled is not None and not command.journaled.done()
        first_web1 = command.host.name == "web1" and len([c for c in self.commands if c.host.name == "web1"]) == 1
        return Result("ok", 3 if first_web1 else 0)

    async def release(self, hosts: Sequence[Host]) -> None:
        return None

    async def close(self) -> None:
        return None


def test_each_commands_end_is_told_once_journaled_and_not_before(tmp_path: Path) -> None:
    path = tmp_path / "runbook.yaml"
    path.write_text(textwrap.dedent(RUNBOOK))
    runbook = load_runbook(str(path), {}).runbook
    executor = Recorder()
    journal = JournalWriter(tmp_path / "journal.jsonl", Redactor([]))
    controller = Controller(runbook, journal, lambda _host: executor, assignee="alice", solo="a test")
    told: dict[str, str] = {}  # command key -> the event (type host) at which its `journaled` was first seen set

    def heard(event: Event, _state: RunState) -> None:
        assert journal.durable_seq >= event["seq"]
        for command in executor.commands:
            if command.journaled is not None and command.journaled.done() and command.key not in told:
                told[command.key] = f"{event['type']} {event.get('host') or event.get('text', '')[:5]}".strip()

    controller.subscribe(heard)
    controller.start(journal_path="journal.jsonl")
    asyncio.run(drive(controller, Actor("alice", "assignee"), policy=Policy()))
    journal.close()

    by_key = {c.key.split("/", 1)[1]: told.get(c.key) for c in executor.commands}
    assert by_key == {
        "both/web1/run1": "note web1:",  # the try retried: its end is the retry note
        "both/web2/run1": "host_finished web2",
        "both/web1/run1.1": "host_finished web1",
        "single/db1/run1": "step_finished",  # one host: its end is the step's
    }, by_key
    assert not any(c.journaled is not None and c.journaled.cancelled() for c in executor.commands)
