"""A rollback undoes a `serial:` step in the step's own batches, newest host first, as the rollout went.

Before: the undos of a `serial: 1` rolling restart started on every host at once (only `max_concurrency` bounded
them): the rollback of a change the author rolled one host at a time, to keep the fleet serving, took every host down
together. A batch whose undo failed, or a person's stop (`k`), now starts no later batch: those hosts are not undone,
so the next rollback plans them again.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from runbook_tui.engine.autopilot import Policy, drive
from runbook_tui.engine.controller import Actor, Controller
from runbook_tui.engine.journal import JournalWriter
from runbook_tui.engine.ports import Command, OutputSink, Result, StatusSink
from runbook_tui.engine.redact import Redactor
from runbook_tui.runbook.loader import load_runbook
from runbook_tui.runbook.model import Host

RUNBOOK = """\
runbook: 1
id: undo-waves
title: Undos in waves
hosts:
  web:
    - {{name: web1, address: 127.0.0.1}}
    - {{name: web2, address: 127.0.0.1}}
    - {{name: web3, address: 127.0.0.1}}
    - {{name: web4, address: 127.0.0.1}}
    - {{name: web5, address: 127.0.0.1}}
sections:
  - id: impl
    title: Implement
    kind: implement
    steps:
      - {{id: roll, title: roll, on: web, serial: {serial}, run: "change", undo: "change back", verify: none}}
      - {{id: boom, title: boom, run: "fail", verify: none}}
"""


class Recording:
    """Records each undo's start and end, and the most undos under way at once; `boom` fails, and so does the undo on
    the hosts named in `undo_fails`."""

    def __init__(self, undo_fails: Sequence[str] = (), on_undo: Callable[[str], None] | None = None) -> None:
        self.undo_fails = set(undo_fails)
        self.on_undo = on_undo  # called as each undo starts, with its host
        self.now = 0
        self.peak = 0
        self.undo_log: list[str] = []

    async def run(self, command: Command, output: OutputSink, status: StatusSink | None = None) -> Result:
        undo = command.command == "change back"
        if undo:
            self.now += 1
            self.peak = max(self.peak, self.now)
            self.undo_log.append(f"start {command.host.name}")
            if self.on_undo is not None:
                self.on_undo(command.host.name)
        for _ in range(5):  # let every other command that may start now start before this one ends
            await asyncio.sleep(0)
        if undo:
            self.now -= 1
            self.undo_log.append(f"end {command.host.name}")
            return Result("ok", 1 if command.host.name in self.undo_fails else 0)
        return Result("ok", 1 if command.command == "fail" else 0)

    async def release(self, hosts: Sequence[Host]) -> None:
        return None

    async def close(self) -> None:
        return None


def _roll_back(tmp_path: Path, serial: str, executor: Recording, started: Callable[[Controller], None] = lambda _c: None) -> list[dict[str, Any]]:
    path = tmp_path / "runbook.yaml"
    path.write_text(textwrap.dedent(RUNBOOK.format(serial=serial)))
    runbook = load_runbook(str(path), {}).runbook
    journal = JournalWriter(tmp_path / "journal.jsonl", Redactor([]))
    controller = Controller(runbook, journal, lambda _host: executor, assignee="alice", solo="a test")
    started(controller)
    controller.start(journal_path="journal.jsonl")
    asyncio.run(drive(controller, Actor("alice", "assignee"), policy=Policy(on_failure="rollback")))
    journal.close()
    return [json.loads(line) for line in (tmp_path / "journal.jsonl").read_text().splitlines()]


def test_a_serial_1_step_is_undone_one_host_at_a_time_newest_first(tmp_path: Path) -> None:
    executor = Recording()
    events = _roll_back(tmp_path, "1", executor)

    assert executor.peak == 1, executor.undo_log  # before: 5, every host's undo at once
    assert executor.undo_log == [f"{edge} web{i}" for i in (5, 4, 3, 2, 1) for edge in ("start", "end")]
    [finished] = [e for e in events if e["type"] == "undo_finished"]
    assert finished["ok"] is True and sorted(finished["hosts"]) == [f"web{i}" for i in range(1, 6)]
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "rolled_back"


def test_undo_batches_follow_the_ramp_and_a_failed_batch_starts_no_later_one(tmp_path: Path) -> None:
    executor = Recording(undo_fails=["web4"])
    events = _roll_back(tmp_path, "[1, 2, 1]", executor)

    # batches of the newest-first undo list web5..web1: [web5], [web4, web3], then none of [web2], [web1] (web4 failed)
    assert executor.peak == 2, executor.undo_log
    assert executor.undo_log[:2] == ["start web5", "end web5"]
    assert sorted(executor.undo_log[2:]) == sorted(["start web4", "start web3", "end web4", "end web3"])
    [finished] = [e for e in events if e["type"] == "undo_finished"]
    assert finished["ok"] is False
    assert {h: r["status"] for h, r in finished["hosts"].items()} == {"web5": "ok", "web4": "ok", "web3": "ok", "web2": "stopped", "web1": "stopped"}
    assert finished["hosts"]["web4"]["exit_code"] == 1
    for held in ("web2", "web1"):  # the same reason for every batch not started: the failed undo, never a held host
        assert finished["hosts"][held]["error"] == "not started: the undo failed on web4 in an earlier batch (the undo rolls back in the step's serial batches)"
    rollback_end = [e for e in events if e["type"] == "rollback_finished"][-1]
    assert rollback_end["ok"] is False and rollback_end["failed_step"] == "roll"


def test_a_stop_during_an_undo_batch_starts_no_later_batch(tmp_path: Path) -> None:
    controllers: list[Controller] = []

    def stop_at(host: str) -> None:
        if host == "web5":  # k while the first batch's undo runs
            assert controllers[0].stop_step(Actor("alice", "assignee")).ok

    executor = Recording(on_undo=stop_at)
    events = _roll_back(tmp_path, "1", executor, controllers.append)

    assert [line for line in executor.undo_log if line.startswith("start")] == ["start web5"]  # before: all 5 started
    [finished] = [e for e in events if e["type"] == "undo_finished"]
    assert finished["ok"] is False
    for held in ("web4", "web3", "web2", "web1"):
        assert finished["hosts"][held] == {"status": "stopped", "exit_code": None, "error": "not started: stopped by alice"}
