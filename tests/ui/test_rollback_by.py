"""Issue 4: the run screen's header shows the window's countdown "and, once a rehearsal measured the rollback time, a
'rollback must start by' time". Before: `rehearse` printed the rollback's duration and nothing ever read it again; the
header showed the countdown alone, rehearsal or not.

Now a run of a runbook that `rehearse` rolled back well (the same file: same digest) says, after the countdown, by when
the rollback must start: the window's end less the rehearsed rollback's time, at 80x24 and 140x45 alike.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from run_screen_helpers import make_app, painted, settled, started, write_runbook

from runbook_tui.app.rehearsed import rehearsed_rollback
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.state import replay
from runbook_tui.ui.widgets import RunHeader
from runbook_tui.ui.window_countdown import rollback_by_words

RUNBOOK = """\
runbook: 1
id: rollback-by
title: Rollback by
ticket: {{id: CHG-8, subject: by, assignee: alice, verifier: bob, window: {{start: "{start}", end: "{end}"}}}}
sections:
  - id: change
    title: Change
    kind: implement
    steps:
      - {{id: edit, title: Edit, run: "touch edited", undo: "sleep 2; rm -f edited", checkpoint: true}}
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_a_rehearsed_rollback_time_gives_the_header_a_rollback_must_start_by(workdir: Path, size: tuple[int, int]) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    end = now + dt.timedelta(hours=1)
    text = RUNBOOK.format(start=(now - dt.timedelta(minutes=5)).isoformat(), end=end.isoformat())
    write_runbook(workdir, text, "by.yaml")
    app = make_app("by.yaml")
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await settled(pilot)
        header = painted(app.screen.query_one(RunHeader))
        assert "window closes in" in header and "rollback must start by" not in header, "no rehearsal yet: " + header
    rehearsed = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "rehearse", "by.yaml", "--yes"],
        cwd=workdir, env=dict(os.environ), capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert rehearsed.returncode == 0, rehearsed.stdout + rehearsed.stderr
    measured = rehearsed_rollback(workdir / "xdg-state" / "runbook-tui" / "journals", "rollback-by", app_digest(workdir / "by.yaml"))
    assert measured is not None and measured["seconds"] >= 2, measured
    by = (end - dt.timedelta(seconds=measured["seconds"])).strftime("%H:%M")
    app = make_app("by.yaml", journal="j2.jsonl")
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        await settled(pilot)
        header = painted(app.screen.query_one(RunHeader))
        assert f"rollback must start by {by} UTC" in header, header
        assert "CHG-8" in header and "window closes in" in header, header
    # Journaled at the start: a verifier's replica, a replay and the report read the figure from the record, not from a
    # folder on their own machine (before, only the assignee's screen looked, in her folder).
    started_event = json.loads((workdir / "j2.jsonl").read_text().splitlines()[0])
    assert started_event["type"] == "session_started" and started_event["rehearsed"]["seconds"] == measured["seconds"], started_event
    folded = replay(read_events(workdir / "j2.jsonl").events)
    now = dt.datetime.now(dt.UTC)
    assert rollback_by_words(folded, end - now, now) == f"rollback must start by {by} UTC"


def app_digest(path: Path) -> str:
    from runbook_tui.app.session import load

    return load(str(path), {}).runbook.digest
