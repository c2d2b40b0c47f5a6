"""A guard that trips (`on_critical: pause` or `rollback`) while a person has paused the run takes the pause over.

Before: alice pressed p, then the guard 'lat' tripped with `on_critical: pause`; the program saw the run paused
already and did nothing more: the status row still read `PAUSED by alice — p resume`, the run stayed a person's
pause (a rollout's next wave would start, as after any p), and a crash before alice's `p` left no sign on resume that a
guard wanted the run held. Now the guard's pause is journaled over hers: `PAUSED: guard 'lat' tripped …; check the panels
before going on`, paused by the program; one p lifts it. A notify-only guard leaves her pause as it was, and a second
guard's trip does not replace the first's words.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.actors import SYSTEM
from runbook_tui.engine.controller import Actor, Controller
from runbook_tui.engine.event_words import paused_words
from runbook_tui.engine.journal import JournalWriter
from runbook_tui.engine.redact import Redactor
from runbook_tui.runbook.loader import load_runbook

RUNBOOK = """\
runbook: 1
id: paused-guard
title: Paused guard
sections:
  - id: impl
    title: Implement
    kind: implement
    steps:
      - {id: one, title: One, run: "true", verify: none}
"""

ALICE = Actor("alice", "assignee")


def trip(controller: Controller, panel: str, action: str) -> None:
    """A trip as the metrics layer journals it (poller's `_trip`); the controller acts on it as it is applied."""
    words = f"guard '{panel}' tripped: 9 ms above 5 ms for 2s"
    payload: dict[str, Any] = {"panel": panel, "value": 9.0, "threshold": 5.0, "direction": "above", "for": 2.0, "action": action}
    controller.emit(ev.GUARD_TRIPPED, SYSTEM, **payload, since=0.0, samples=[], title=panel, unit="ms", words=words)


def started(tmp_path: Path) -> tuple[Controller, JournalWriter]:
    path = tmp_path / "runbook.yaml"
    path.write_text(textwrap.dedent(RUNBOOK))
    journal = JournalWriter(tmp_path / "journal.jsonl", Redactor([]))
    controller = Controller(load_runbook(str(path), {}).runbook, journal, lambda _host: None, assignee="alice", solo="a test")  # type: ignore[arg-type,return-value]
    controller.start(journal_path="journal.jsonl")
    return controller, journal


def test_a_guard_pause_takes_over_a_persons_pause(tmp_path: Path) -> None:
    controller, journal = started(tmp_path)
    assert controller.pause(ALICE, "coffee").ok
    trip(controller, "lat", "pause")

    state = controller.state
    assert state.paused and state.paused_by == ev.SYSTEM  # before: paused by alice, as if no guard had tripped
    shown = paused_words(state.paused_by, state.pause_reason, "PAUSED")
    assert shown == "PAUSED: guard 'lat' tripped: 9 ms above 5 ms for 2s; check the panels before going on", shown

    trip(controller, "other", "pause")  # a second trip keeps the first one's words
    assert controller.state.pause_reason is not None and controller.state.pause_reason.startswith("guard 'lat'")

    assert controller.pause(ALICE, "checked").ok  # one p lifts it
    assert not controller.state.paused
    journal.close()
    kinds = [(e["type"], e["actor"]) for e in map(json.loads, (tmp_path / "journal.jsonl").read_text().splitlines()) if e["type"] in ("paused", "resumed")]
    assert kinds == [("paused", "alice"), ("paused", ev.SYSTEM), ("resumed", "alice")]


def test_a_notify_guard_leaves_a_persons_pause_as_it_was(tmp_path: Path) -> None:
    controller, journal = started(tmp_path)
    assert controller.pause(ALICE, "coffee").ok
    trip(controller, "lat", "notify")
    assert controller.state.paused_by == "alice"
    assert controller.state.pause_reason == "coffee"
    journal.close()


def test_a_rollback_guard_takes_over_the_pause_and_asks_for_its_rollback(tmp_path: Path) -> None:
    controller, journal = started(tmp_path)
    assert controller.pause(ALICE, "coffee").ok
    trip(controller, "lat", "rollback")
    assert controller.state.paused_by == ev.SYSTEM
    assert controller.state.pause_reason == "guard 'lat' tripped: 9 ms above 5 ms for 2s; the guard asks to roll back to the last checkpoint"
    assert controller.state.rollback_requested is not None
    journal.close()
