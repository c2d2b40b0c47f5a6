"""A step a rollback went back past with nothing to undo is reset, not rolled back: the change record's Confirmed-by
column says so, as its Outcome column does. A journal from a real `exec` process."""

from __future__ import annotations

import json
from pathlib import Path

from runbook_tui.report import build_report, render
from tests.engine.test_exec_cli import run_exec

#: `look` is a precheck (no undo, no checkpoint): the rollback to the start goes back past it; `b` is undone.
NIGHT = """\
    runbook: 1
    id: reset-words
    title: Reset, not rolled back
    ticket: {id: CHG-8, subject: reset}
    sections:
      - id: pre
        title: Pre
        kind: precheck
        steps:
          - {id: look, title: Look first, run: echo looked}
      - id: impl
        title: Change
        kind: implement
        steps:
          - {id: b, title: Step b, run: echo b, undo: echo undo-b}
          - {id: c, title: Step c, run: "false", undo: echo undo-c}
"""


def test_a_reset_step_reads_reset_in_the_confirmed_by_column(tmp_path: Path) -> None:
    """Solo, `c` fails, `--on-failure rollback` goes back to the start: `look` is reset (it runs again; nothing undid
    it). Its Confirmed-by read `unverified (solo run), then rolled back` beside the Outcome `done, then reset (nothing
    to undo)`: a change board read that the look had been rolled back."""
    result = run_exec(tmp_path, NIGHT, "s3cr3t-reset-1", "--on-failure", "rollback")
    assert result.returncode == 1 and "outcome ROLLED BACK" in result.stdout, result.stdout + result.stderr
    report = build_report(tmp_path / "run.jsonl")
    markdown, html, data = render(report, "md"), render(report, "html"), json.loads(render(report, "json"))
    rows = {line.split(" | ")[1]: line.split(" | ") for line in markdown.splitlines() if line.startswith("| 1 | ") or line.startswith("| 2 | ")}
    assert rows["look: Look first"][4:6] == ["done, then reset (nothing to undo)", "unverified (solo run), then reset"], rows
    assert rows["b: Step b"][4:6] == ["done, then undone", "unverified (solo run), then rolled back"], rows  # b's undo ran
    assert "unverified (solo run), then reset</td>" in html
    steps = {s["id"]: s for s in data["steps"]}
    assert (steps["look"]["outcome"], steps["look"]["verification"], steps["look"]["unverified"]) == ("reset", "unverified (solo run), then reset", False)
