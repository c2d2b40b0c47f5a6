"""A guard's pause while a `serial:` rollout runs starts no further wave; a person's `p` lets it run to its end.

Before: a guard tripped during wave 1 of a `serial: 1` restart and paused the run (`paused by system for guard
'lat'`), and waves 2 to 5 started on the next hosts all the same, each past the critical line: the run read paused
while the rollout the guard was there to stop went on to the last host. Now the wave under way ends, no later wave
starts (as a guard cuts a `wait` short), its hosts are `skipped` and the step fails saying why; the run stays paused.
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
from runbook_tui.engine.host_tally import failed_words
from runbook_tui.engine.journal import JournalWriter
from runbook_tui.engine.ports import Command, OutputSink, Result, StatusSink
from runbook_tui.engine.redact import Redactor
from runbook_tui.engine.state_model import HostState
from runbook_tui.runbook.loader import load_runbook
from runbook_tui.runbook.model import Host

RUNBOOK = """\
runbook: 1
id: pause-waves
title: Pause between waves
hosts:
  web:
    - {name: web1, address: 127.0.0.1}
    - {name: web2, address: 127.0.0.1}
    - {name: web3, address: 127.0.0.1}
sections:
  - id: impl
    title: Implement
    kind: implement
    steps:
      - {id: restart, title: Restart, on: web, serial: 1, run: "restart", undo: "restart old", verify: none}
      - {id: after, title: After, run: "after", verify: none}
"""


class Restarts:
    """Records the hosts each command ran on; `during(host)` is called while a host's restart runs."""

    def __init__(self, during: Callable[[str], None]) -> None:
        self.during = during
        self.ran: list[str] = []

    async def run(self, command: Command, output: OutputSink, status: StatusSink | None = None) -> Result:
        self.ran.append(f"{command.command} {command.host.name}")
        if command.command == "restart":
            self.during(command.host.name)
        await asyncio.sleep(0)
        return Result("ok", 0)

    async def release(self, hosts: Sequence[Host]) -> None:
        return None

    async def close(self) -> None:
        return None


def test_a_pause_during_wave_1_starts_no_later_wave(tmp_path: Path) -> None:
    path = tmp_path / "runbook.yaml"
    path.write_text(textwrap.dedent(RUNBOOK))
    runbook = load_runbook(str(path), {}).runbook
    journal = JournalWriter(tmp_path / "journal.jsonl", Redactor([]))
    controllers: list[Controller] = []

    def guard_trips(host: str) -> None:
        if host == "web1":  # as guard_response.respond pauses the run when a guard trips
            assert controllers[0].pause(Actor("system", "assignee"), "guard 'lat' tripped: 400 ms above 300 ms for 1s").ok

    executor = Restarts(guard_trips)
    controller = Controller(runbook, journal, lambda _host: executor, assignee="alice", solo="a test")
    controllers.append(controller)
    controller.start(journal_path="journal.jsonl")
    asyncio.run(drive(controller, Actor("alice", "assignee"), policy=Policy()))
    journal.close()
    events: list[dict[str, Any]] = [json.loads(line) for line in (tmp_path / "journal.jsonl").read_text().splitlines()]

    assert executor.ran == ["restart web1"]  # before: restart web1, web2, web3, then the run stopped paused
    assert [e["wave"] for e in events if e["type"] == "wave_started"] == [1]
    [finished] = [e for e in events if e["type"] == "step_finished" and e["step"] == "restart"]
    assert finished["status"] == "failed"
    assert finished["hosts"]["web1"]["status"] == "done"
    assert {finished["hosts"][h]["status"] for h in ("web2", "web3")} == {"skipped"}
    assert any("paused after wave 1 of 3" in p and "guard 'lat' tripped" in p for p in finished["problems"]), finished["problems"]
    assert controller.state.paused
    [said] = [e for e in events if e["type"] == "note" and "stopped: the run is paused" in e["text"]]
    assert "--lift-pause REASON --rerun --continue` lifts the pause, runs 'restart' again and goes on" in said["text"]  # --continue alone: FAILED


def test_a_rollout_cut_before_any_host_failed_is_said_without_a_count_of_none() -> None:
    hosts = {"web1": HostState("done", 0), "web2": HostState("skipped"), "web3": HostState("skipped")}
    assert failed_words(hosts, {}) == ": 2 of 3 hosts not run"  # before: ' on 0 of 3 hosts; 2 not run'
    hosts["web1"] = HostState("failed", 3)
    assert failed_words(hosts, {}) == " on 1 of 3 hosts (exit 3); 2 not run"


def test_a_persons_pause_during_wave_1_lets_the_rollout_run_to_its_end(tmp_path: Path) -> None:
    """`p` while a step runs pauses the run after it (the status row says the step 'still runs to its end'; `k` is the
    key that stops it): a person's pause does not cut a rollout and fail its step, as a guard's trip does."""
    path = tmp_path / "runbook.yaml"
    path.write_text(textwrap.dedent(RUNBOOK))
    runbook = load_runbook(str(path), {}).runbook
    journal = JournalWriter(tmp_path / "journal.jsonl", Redactor([]))
    controllers: list[Controller] = []

    def alice_pauses(host: str) -> None:
        if host == "web1":
            assert controllers[0].pause(Actor("alice", "assignee"), "").ok

    executor = Restarts(alice_pauses)
    controller = Controller(runbook, journal, lambda _host: executor, assignee="alice", solo="a test")
    controllers.append(controller)
    controller.start(journal_path="journal.jsonl")
    asyncio.run(drive(controller, Actor("alice", "assignee"), policy=Policy()))
    journal.close()
    events: list[dict[str, Any]] = [json.loads(line) for line in (tmp_path / "journal.jsonl").read_text().splitlines()]

    assert executor.ran == ["restart web1", "restart web2", "restart web3"]
    [finished] = [e for e in events if e["type"] == "step_finished" and e["step"] == "restart"]
    assert finished["status"] == "done", finished
    assert controller.state.paused  # and the run stays paused after the step: 'after' waits for the pause to be lifted
    assert not [e for e in events if e["type"] == "step_started" and e["step"] == "after"]
