"""A host that no later step names is let go once its step is over: its SSH connection does not outlive its part of the run."""

from __future__ import annotations

import asyncio
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

RUNBOOK = """\
runbook: 1
id: release-hosts
title: Hosts let go after their last step
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
      - {id: second, title: web2 again, on: web2, run: "%s", verify: none}
      - {id: after, title: on this machine, on: local, run: "true", verify: none}
"""


class Recorder:
    """An executor that runs nothing and notes what it was asked, in order."""

    def __init__(self, failing: str = "") -> None:
        self.log: list[tuple[str, list[str]]] = []
        self.failing = failing

    async def run(self, command: Command, output: OutputSink, status: StatusSink | None = None) -> Result:
        self.log.append(("run", [command.host.name]))
        return Result("ok", 1 if command.command == self.failing else 0)

    async def release(self, hosts: Sequence[Host]) -> None:
        self.log.append(("release", sorted(h.name for h in hosts)))

    async def close(self) -> None:
        return None


def _run(tmp_path: Path, second: str, recorder: Recorder) -> list[tuple[str, list[str]]]:
    path = tmp_path / "runbook.yaml"
    path.write_text(textwrap.dedent(RUNBOOK % second))
    runbook = load_runbook(str(path), {}).runbook
    controller = Controller(runbook, JournalWriter(tmp_path / "journal.jsonl", Redactor([])), lambda _host: recorder, assignee="alice", solo="a test")
    controller.start(journal_path="journal.jsonl")
    asyncio.run(drive(controller, Actor("alice", "assignee"), policy=Policy()))
    controller.journal.close()
    return [(what, names) for what, names in recorder.log if what == "release" or names != ["local"]]


def test_each_host_is_released_after_the_last_step_that_names_it(tmp_path: Path) -> None:
    log = _run(tmp_path, "true", Recorder())
    both = log[:3]  # the two hosts run at once; web2 has a step left, so only web1 is let go, as soon as its run is over
    assert sorted(both) == [("release", ["web1"]), ("run", ["web1"]), ("run", ["web2"])]
    assert both.index(("run", ["web1"])) < both.index(("release", ["web1"]))
    assert log[3:] == [("run", ["web2"]), ("release", ["web2"]), ("release", ["local"])]


def test_a_failed_step_keeps_its_hosts_for_the_retry(tmp_path: Path) -> None:
    log = _run(tmp_path, "exit 1", Recorder(failing="exit 1"))
    assert ("release", ["web2"]) not in log, f"web2's step failed: a retry needs it ({log})"
    assert ("release", ["web1"]) in log
