"""`rehearse --fail-at STEP`: the step's failure is injected, its command never runs. The contract: "fail at STEP_ID and
roll back to its checkpoint". Every word of the run and of its record says the failure was injected.

Before: exec's line read `tune started (attempt 1) on local`, the undo list `undo tune (step failed) on local` (the
journal's plan kept those words) and the report's Outcome `FAILED, then undone`: as if the command had run and failed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runbook_tui.engine.journal import read_events
from runbook_tui.report import build_report, render
from tests.engine.test_rehearse import log, runbook

NEVER_RAN = "injected by rehearse --fail-at: its command never ran"


def test_the_injected_failure_is_said_so_wherever_the_step_is_named(tmp_path: Path, write_runbook: Callable[..., Path], run_cli: Callable[..., Any]) -> None:
    path = write_runbook(runbook())
    result = run_cli("rehearse", "--yes", str(path), "--fail-at", "tune", "--journal", "rehearsal.jsonl")
    assert result.returncode == 0, result.stdout + result.stderr
    assert log(tmp_path) == ["backup", "apply", "undo-tune", "undo-apply"], "tune's command never ran; its undo is rehearsed"
    lines = result.stdout.splitlines()
    assert not any("tune started" in line for line in lines), result.stdout
    assert any(line.endswith(f"step_started       tune (attempt 1) on local: failure {NEVER_RAN}") for line in lines), result.stdout
    assert f"   undo tune (step failed, {NEVER_RAN}) on local: rm -f tuned; echo undo-tune >> log" in lines, result.stdout
    events = read_events(tmp_path / "rehearsal.jsonl").events
    [started] = [e for e in events if e["type"] == "step_started" and e["step"] == "tune"]
    assert started["injected"] is True
    assert not any(e.get("injected") for e in events if e["type"] == "step_started" and e["step"] != "tune")
    [rollback] = [e for e in events if e["type"] == "rollback_started"]
    assert [(e["step_id"], e["note"]) for e in rollback["plan"]["entries"]] == [("tune", f"step failed, {NEVER_RAN}"), ("apply", "")]
    report = build_report(tmp_path / "rehearsal.jsonl")
    markdown = render(report, "md")
    row = next(line for line in markdown.splitlines() if line.startswith("| 4 | tune: "))
    assert row.split(" | ")[4] == f"FAILED ({NEVER_RAN}), then undone", row
    assert f"FAILED ({NEVER_RAN}), then undone" in render(report, "html")
    tune = next(s for s in json.loads(render(report, "json"))["steps"] if s["id"] == "tune")
    assert (tune["outcome"], tune["result"]) == ("undone", "failed"), "the JSON keeps the journal's statuses"
