"""Practice says what the night's executor said on a command where it said it: the line of its timeout.

The night: `slow` timed out after 1s, and exec's lines (and the live log) said `[slow] local: timed out after 1s:
stopping its process group` before the step's end. Before, practice played the night's output and end and never
that line: the trainee saw `slow FAILED` with nothing of the stop the night announced.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from replay_helpers import night_place

from runbook_tui.app import practice
from runbook_tui.app.session import load, open_session
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.recording import SAID, record

NIGHT = """\
runbook: 1
id: night-words
title: Night words
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: slow, title: Slow, run: "echo starting; sleep 30", timeout: 1s, undo: "echo unslow", verify: none}
"""
STOP = "timed out after 1s: stopping its process group"


def said(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The journal's lines of `slow` in order: its output and the executor's words on it, then its end."""
    kept = [e for e in events if e.get("step") == "slow" and e["type"] in ("output", "error", "step_finished")]
    return [(e["type"], str(e.get("text") or e.get("message") or e.get("status"))) for e in kept]


@pytest.fixture()
def night(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    journal = night_place(tmp_path, monkeypatch, NIGHT)

    async def the_night() -> None:
        session = open_session(load("night.yaml", {}), solo="night shift", journal=str(journal))
        c, alice = session.controller, session.actor
        assert c.run_current(alice).ok
        await c.wait_idle()
        assert c.state.steps["slow"].status == "failed"
        await session.close()

    asyncio.run(the_night())
    return journal


def test_practice_says_the_nights_timeout_line_where_the_night_said_it(night: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nights = said(read_events(str(night)).events)
    assert nights == [("output", "starting\n"), ("error", STOP), ("step_finished", "failed")], nights
    [take] = record(read_events(str(night)).events).takes[("run", "slow", "local")]
    assert take.chunks == [("stdout", "starting\n"), (SAID, STOP)], take.chunks
    monkeypatch.setenv("RUNBOOK_TUI_USER", "erin")

    async def practise() -> list[dict[str, Any]]:
        run = practice.open_practice(str(night))
        c, erin = run.session.controller, run.session.actor
        assert c.run_current(erin).ok
        await c.wait_idle()
        assert c.state.steps["slow"].status == "failed"
        await run.session.close()
        return read_events(run.session.journal_path).events

    events = asyncio.run(practise())
    assert said(events) == nights, said(events)
    [line] = [e for e in events if e["type"] == "error"]
    assert line["host"] == "local" and line["transient"] is True, line
