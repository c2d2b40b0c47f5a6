"""A live run started inside its change window, step `a` done, left unfinished: the window has closed since (2020).

For the tests of `resume` outside the window, headless (tests/engine/test_resume_window.py) and in the TUI
(tests/ui/test_resume_window_question.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings

WINDOW = ("2020-01-01T02:00:00+00:00", "2020-01-01T04:00:00+00:00")
INSIDE = dt.datetime(2020, 1, 1, 3, 0, tzinfo=dt.UTC)

RUNBOOK = f"""\
runbook: 1
id: window-resume
title: Window resume
ticket:
  id: CHG-8
  subject: Window
  window: {{start: "{WINDOW[0]}", end: "{WINDOW[1]}"}}
  assignee: alice
  verifier: bob
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: a
        title: Step a
        run: echo a >> log
        undo: echo undo-a >> log
      - id: b
        title: Step b
        run: echo b >> log
        undo: echo undo-b >> log
"""


def log(folder: Path) -> list[str]:
    """The steps' and undos' marks, in order."""
    path = folder / "log"
    return path.read_text().split() if path.exists() else []


async def stopped_inside(folder: Path, runbook: str = RUNBOOK, *, now: dt.datetime | None = INSIDE, run_a: bool = True) -> Path:
    """The run's journal (`folder`/run.jsonl, `folder` the working folder): started at `now`, `a` run when `run_a`."""
    (folder / "runbook.yaml").write_text(runbook, encoding="utf-8")
    session = open_session(load("runbook.yaml", {}), solo="window test", journal="run.jsonl", settings=Settings(), now=now)
    await session.start()
    if run_a:
        session.controller.run_current(session.actor, acknowledged=True)
        await session.controller.wait_idle()
    await session.close()
    assert log(folder) == (["a"] if run_a else [])
    return folder / "run.jsonl"
