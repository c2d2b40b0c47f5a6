"""A run's opening events reach the disk in one write and one fsync, each on disk before anything hears of it.

Before: `Controller.start` journaled `session_started`, a window override and the first step's `step_ready` one after
the other, each waiting for its own fsync on the event loop before the first frame (two or three round trips to the
writer thread and the disk; 0.5-12 ms of wall each on the loaded bench machine). Now they are queued together, the
`step_ready` rendered from the state the events before it make (folded ahead, applied only once on disk), and
fsynced once. What must hold still: the journal's events and order, the first step's texts as before, no listener
told of an event before it is on disk, and a failed write that applies nothing and stops the run.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from written_lines import written_events

from runbook_tui.engine import journal as journal_module
from runbook_tui.engine.actors import Actor
from runbook_tui.engine.controller import Controller
from runbook_tui.engine.events import Event
from runbook_tui.engine.journal import JournalError, JournalWriter
from runbook_tui.engine.ports import Executor
from runbook_tui.engine.redact import Redactor
from runbook_tui.engine.state import RunState, replay
from runbook_tui.runbook.loader import load_runbook

RUNBOOK = """\
runbook: 1
id: opening
title: "Opening on {{ cluster }}"
params:
  cluster: {type: choice, choices: [a, b], default: b}
sections:
  - id: impl
    title: Implement
    kind: implement
    steps:
      - id: first
        title: "Adjust {{ cluster }}"
        run: echo first on {{ cluster }}
        undo: echo undo on {{ cluster }}
      - {id: second, title: Second, run: "true"}
"""

REAL_FSYNC = os.fsync
#: Seconds the writer thread is given, while step_ready is made, to write what was queued before it (it must not).
WRITER_CHANCE = 0.5


def _controller(tmp_path: Path, text: str = RUNBOOK) -> tuple[Controller, Path]:
    source = tmp_path / "runbook.yaml"
    source.write_text(textwrap.dedent(text))
    runbook = load_runbook(str(source), {}).runbook
    path = tmp_path / "journal.jsonl"

    def no_executor(_host: object) -> Executor:
        raise AssertionError("opening a run executes nothing")

    return Controller(runbook, JournalWriter(path, Redactor([]), new=True), no_executor, assignee="alice", solo="a test"), path


def _heard_on_disk(controller: Controller, path: Path) -> tuple[list[tuple[str, int, str | None]], list[str]]:
    """(each event heard: its type, the state's seq and current step then; those heard before their line was on disk)."""
    heard: list[tuple[str, int, str | None]] = []
    early: list[str] = []

    def listener(event: Event, state: RunState) -> None:
        heard.append((event["type"], state.seq, state.current))
        if event["hash"] not in path.read_text():
            early.append(event["type"])

    controller.subscribe(listener)
    return heard, early


def _counted(monkeypatch: pytest.MonkeyPatch, fail: bool = False, fsynced: threading.Event | None = None) -> list[int]:
    calls: list[int] = []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if fsynced is not None:
            fsynced.set()
        if fail:
            raise OSError(errno.EIO, "Input/output error")
        REAL_FSYNC(fd)

    monkeypatch.setattr(os, "fsync", fsync)  # the journal writer's (engine/journal_file.py)
    return calls


@pytest.mark.parametrize("override", [None, "the change manager extended the window"])
def test_the_opening_is_one_fsync_in_the_journals_order_and_heard_only_once_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, override: str | None
) -> None:
    monkeypatch.setattr(journal_module, "COMMIT_SECONDS", 60.0)  # the writer's own clock commits nothing meanwhile
    controller, path = _controller(tmp_path)
    heard, early = _heard_on_disk(controller, path)
    fsynced = threading.Event()
    fsyncs = _counted(monkeypatch, fsynced=fsynced)
    render = controller.rendered_step
    written_alone: list[str] = []

    def rendered_step(*args: Any, **kwargs: Any) -> dict[str, Any]:
        """step_ready is made while the writer thread is free to run: had session_started asked for its commit, the
        thread would write and fsync it alone within this bounded wait (which otherwise runs out: nothing is written)."""
        if fsynced.wait(WRITER_CHANCE):
            written_alone.append(path.read_text())
        return render(*args, **kwargs)

    monkeypatch.setattr(controller, "rendered_step", rendered_step)

    controller.start(window_override=override, journal_path=str(path))

    assert written_alone == [], "the opening's first events were written and fsynced before its step_ready was made"
    assert len(fsyncs) == 1, f"the opening events are expected in one write and one fsync, were {len(fsyncs)}"
    opening = ["session_started", *(["window_override"] if override else []), "step_ready"]
    events = written_events(path)
    assert [e["type"] for e in events] == opening
    assert early == [], f"heard before their line was on disk: {early}"
    assert heard == [(kind, seq, "first") for seq, kind in enumerate(opening)], "each heard once, in order, with the state after it"
    ready = {k: v for k, v in events[-1].items() if k not in ("seq", "ts", "type", "actor", "prev", "hash")}
    assert ready == {"step": "first", "title": "Adjust b", "commands": {"local": "echo first on b"}, "undo": {"local": "echo undo on b"}}, (
        "the first step rendered with the run's values"
    )
    assert controller.state.seq == len(opening) - 1 and controller.state.current == "first"
    assert controller.state.steps["first"].status == "pending"
    controller.journal.close()


def test_a_failed_opening_write_applies_nothing_and_stops_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    controller, path = _controller(tmp_path)
    heard, _early = _heard_on_disk(controller, path)
    _counted(monkeypatch, fail=True)

    with pytest.raises(JournalError):
        controller.start(journal_path=str(path))

    assert heard == [], "nothing is heard (shown, acted on) of an opening that is not on disk"
    assert controller.state.seq == -1 and controller.state.current is None, "nothing applied"
    assert controller.fatal is not None and "the run stops before the next step" in controller.fatal
    assert path.read_bytes() == b"", "no line of a journal that never held a whole one (a new run starts again with it)"
    assert controller.run_current(Actor("alice", "assignee")).ok is False, "no step runs after the journal failed"


def test_power_lost_in_the_opening_write_resumes_from_the_last_whole_event(tmp_path: Path, run_cli: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    """The one write cut short in its step_ready (power lost before the fsync ended): resume drops the torn line and
    goes on from session_started; every step runs once."""
    controller, path = _controller(tmp_path, RUNBOOK.replace('run: "true"', f'run: "echo second >> {tmp_path}/ledger"'))
    controller.start(journal_path=str(path))
    controller.journal.close()
    lines = path.read_bytes().splitlines(keepends=True)
    assert [json.loads(line)["type"] for line in lines] == ["session_started", "step_ready"]
    path.write_bytes(lines[0] + lines[1][: len(lines[1]) // 2])

    went = run_cli("resume", str(path), "--headless", "--continue")

    assert went.returncode == 0, went.stdout + went.stderr
    assert "the journal's last line was cut short" in went.stdout, went.stdout
    assert (tmp_path / "ledger").read_text() == "second\n", "each step ran once"
    events = written_events(path)
    assert events[1]["prev"] == events[0]["hash"], "the chain goes on from session_started"
    assert any(e["type"] == "note" and "cut short" in e["text"] for e in events), "the drop is on record"
    assert [e["step"] for e in events if e["type"] == "step_started"] == ["first", "second"]
    assert replay(events).outcome == "done"
    assert run_cli("journal", "verify", str(path)).returncode == 0
