"""The report's window verdict names each override: the first run's and each resume's, with who gave it and why.

A run started before its change window opened, with `--override-window` ("CAB approved an early start") by alice; step
`a` ran, the process left; bob resumed it after the window had closed, with his own reason. The verdict read only the
latest: `NO: started and ended outside the window; went on with an override by bob: ...`: a change board reading the
summary saw nothing of the reason the run started outside its window at all (only the timeline had it). Now each is
named, in order, with the time it was given; the JSON report lists them under `window.overrides`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from window_resume import RUNBOOK, log
from written_lines import written_events

from runbook_tui import cli
from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings

EARLY = dt.datetime(2020, 1, 1, 1, 30, tzinfo=dt.UTC)  # half an hour before the window (02:00-04:00) opens


async def _started_early(folder: Path) -> Path:
    (folder / "runbook.yaml").write_text(RUNBOOK, encoding="utf-8")
    session = open_session(
        load("runbook.yaml", {}), solo="window test", journal="run.jsonl", settings=Settings(), now=EARLY, override_window="CAB approved an early start"
    )
    await session.start()
    session.controller.run_current(session.actor, acknowledged=True)
    await session.controller.wait_idle()
    await session.close()
    return folder / "run.jsonl"


def test_the_verdict_names_the_start_s_override_and_the_resume_s(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    journal = asyncio.run(_started_early(tmp_path))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "bob")
    assert cli.main(["resume", str(journal), "--continue", "--override-window", "INC-9 still open, b must go in"]) == 0
    assert log(tmp_path) == ["a", "b"]
    capsys.readouterr()

    assert cli.main(["report", str(journal)]) == 0
    report = capsys.readouterr().out
    window = next(line for line in report.splitlines() if "started and ended outside the window" in line)
    # Before: `...; went on with an override by bob: INC-9 still open, b must go in` alone.
    assert re.search(r"; started with an override by alice at \d\d:\d\d:\d\d: CAB approved an early start; ", window), window
    assert re.search(r"; went on with an override by bob at \d\d:\d\d:\d\d: INC-9 still open, b must go in \|$", window), window

    assert cli.main(["report", str(journal), "--format", "json"]) == 0
    said = json.loads(capsys.readouterr().out)["window"]
    assert [(o["by"], o["reason"], o["resumed"]) for o in said["overrides"]] == [
        ("alice", "CAB approved an early start", False),
        ("bob", "INC-9 still open, b must go in", True),
    ], said
    first = next(e for e in written_events(journal) if e["type"] == "window_override")
    assert said["overrides"][0]["at"] == first["ts"], said
    assert (said["override"], said["override_by"], said["override_resumed"]) == ("INC-9 still open, b must go in", "bob", True), "the latest, as before"
