"""A capture whose step a rollback undid, then skipped, is gone: later steps never run with the undone run's value.

Before: `captured.lease` kept the value of the run the rollback had undone (`release lease-123` ran), so after the
assignee skipped the step the next one ran `use lease-123`, a lease released minutes before, while the program itself
says of a skipped step's capture `skipped, nothing captured`.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from waiting import until

from runbook_tui.engine.controller import Actor, Controller
from runbook_tui.engine.journal import JournalWriter
from runbook_tui.engine.ports import Command, OutputSink, Result, StatusSink
from runbook_tui.engine.redact import Redactor
from runbook_tui.runbook.loader import load_runbook
from runbook_tui.runbook.model import Host

RUNBOOK = """\
runbook: 1
id: capture-undone
title: A capture undone
sections:
  - id: impl
    title: Implement
    kind: implement
    steps:
      - {id: drain, title: Drain, run: "drain", checkpoint: true, verify: none}
      - {id: lease, title: Take a lease, run: "take-lease", capture: lease, undo: "release {{ captured.lease }}", verify: none}
      - {id: use, title: Use it, run: "use {{ captured.lease }}", verify: none}
"""

ALICE = Actor("alice", "assignee")


class Leases:
    """`take-lease` prints a lease id; the first run of `use` fails."""

    def __init__(self) -> None:
        self.uses = 0

    async def run(self, command: Command, output: OutputSink, status: StatusSink | None = None) -> Result:
        if command.command == "take-lease":
            output("stdout", b"lease-123\n")
        if command.command.startswith("use"):
            self.uses += 1
            return Result("ok", 1 if self.uses == 1 else 0)
        return Result("ok", 0)

    async def release(self, hosts: Sequence[Host]) -> None:
        return None

    async def close(self) -> None:
        return None


async def _walk(controller: Controller) -> None:
    async def settled() -> None:
        await until(lambda: not controller.busy, "the controller to finish what it runs")

    for _ in range(3):  # drain, lease, use (fails)
        assert controller.run_current(ALICE).ok
        await settled()
    assert controller.rollback(ALICE, "checkpoint", acknowledged=True, reason="use failed").ok
    await settled()
    assert controller.skip(ALICE, "no lease needed this time").ok
    controller.run_current(ALICE, acknowledged=True)
    await settled()


def test_a_step_after_an_undone_then_skipped_capture_does_not_get_its_value(tmp_path: Path) -> None:
    path = tmp_path / "runbook.yaml"
    path.write_text(textwrap.dedent(RUNBOOK))
    runbook = load_runbook(str(path), {}).runbook
    journal = JournalWriter(tmp_path / "journal.jsonl", Redactor([]))
    controller = Controller(runbook, journal, lambda _host: Leases(), assignee="alice", solo="a test")
    controller.start(journal_path="journal.jsonl")
    asyncio.run(_walk(controller))
    journal.close()
    events: list[dict[str, Any]] = [json.loads(line) for line in (tmp_path / "journal.jsonl").read_text().splitlines()]

    [undo] = [e for e in events if e["type"] == "undo_started" and e["step"] == "lease"]
    assert undo["commands"] == {"local": "release lease-123"}  # its own undo still had the value
    assert "lease" not in controller.state.captured
    ready = [e for e in events if e["type"] == "step_ready" and e["step"] == "use"][-1]
    assert ready["commands"] == {"local": "use ⟨captured.lease: from step 'lease', skipped, nothing captured⟩"}
    finished = [e for e in events if e["type"] == "step_finished" and e["step"] == "use"][-1]
    assert finished["status"] == "failed", finished  # before: done, having run `use lease-123`
    assert "cannot render" in finished["problems"][0] and "lease" in finished["problems"][0]
