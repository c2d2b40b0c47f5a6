"""The record of a go-ahead refused, asked again and given: the step's history says who asked, each time.

Before: the step's section read `go-ahead refused by bob …: not yet`, then `go-ahead by bob …`; alice's asks were only
in the Notes table (`go-ahead requested for 'a'`), so the history read as if bob had changed his mind unasked.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rules_helpers import ALICE, BOB

from runbook_tui.app.session import Session
from runbook_tui.report import build_report, render

STEP = """\
- id: a
  title: Step a
  run: echo a >> log
  undo: echo undo-a >> log
  verify: before
"""


def test_each_go_ahead_asked_is_in_the_steps_history_before_its_answer(session_for: Callable[..., Any], tmp_path: Path) -> None:
    async def body(s: Session) -> None:
        c = s.controller
        for reply in (lambda: c.run_current(ALICE), lambda: c.reject(BOB, "not yet: the batch runs"), lambda: c.run_current(ALICE), lambda: c.confirm(BOB)):
            assert reply().ok
            await c.wait_idle()
        assert c.run_current(ALICE).ok
        await c.wait_idle()

    session_for(STEP)(body)
    report = build_report(tmp_path / "journal.jsonl")
    section = render(report, "md").split("### 1. a: Step a")[1].split("## ")[0]
    lines = [line.split(" at ")[0] for line in section.splitlines() if line.startswith("- ")]
    asked = ["- go-ahead asked by alice", "- go-ahead refused by bob", "- go-ahead asked by alice", "- go-ahead by bob"]
    assert lines[:4] == asked and lines[4].startswith("- attempt 1:") and len(lines) == 5, section
    [step] = json.loads(render(report, "json"))["steps"]
    assert [(h["kind"], h["by"]) for h in step["history"]] == [
        ("go-ahead asked", "alice"), ("go-ahead refused", "bob"), ("go-ahead asked", "alice"), ("go-ahead", "bob"), ("attempt", "alice")
    ], step["history"]  # fmt: skip
    assert "go-ahead asked by alice at " in render(report, "html")
