"""The report's Pauses table says who paused once: a bare p's journaled reason (`paused by alice`) beside By `alice`
read as the same words twice; a reason of one's own is kept. The JSON keeps the journal's reason as it is."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.controller import Actor
from runbook_tui.report import build_report, render

RUNBOOK = """\
runbook: 1
id: pauses
title: Pauses
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: a, title: Step a, run: echo a}
"""


async def night(runbook: Path, journal: Path) -> None:
    session = open_session(load(str(runbook), {}), solo="report test", journal=str(journal), settings=Settings())
    alice = Actor("alice", "assignee")
    try:
        c = session.controller
        for reason in ("", "", "waiting for the DBA [b]now[/b]", ""):  # pause, resume, pause with words, resume
            assert c.pause(alice, reason).ok
        assert c.run_current(alice).ok
        await c.wait_idle()
    finally:
        await session.close()


def test_a_bare_pause_has_no_reason_of_its_own_and_one_with_words_keeps_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "r.yaml").write_text(RUNBOOK)
    asyncio.run(night(tmp_path / "r.yaml", tmp_path / "j.jsonl"))
    report = build_report(tmp_path / "j.jsonl")
    md = render(report, "md")
    rows = [line for line in md.split("## Pauses", 1)[1].split("\n\n", 2)[1].splitlines()[2:]]
    assert [row.split(" | ")[1:3] for row in rows] == [["alice", "—"], ["alice", "waiting for the DBA \\[b\\]now\\[/b\\]"]], rows
    assert "paused by alice" not in md.split("## Pauses", 1)[1].split("##", 1)[0]
    html = render(report, "html")
    assert "<td>alice</td><td>—</td>" in html and "<td>paused by alice</td>" not in html
    assert [p["reason"] for p in json.loads(render(report, "json"))["pauses"]] == ["paused by alice", "waiting for the DBA [b]now[/b]"], "the JSON as journaled"
