"""A rollback with no checkpoint reached goes back to the start: every place of the record says where it went.

`exec --on-failure rollback` of a run without a checkpoint: the Rollbacks heading read `Rollback 1: the last checkpoint
(back to the start)` and exec `back to the start`, but each undone step's history read `rollback 1 to the last checkpoint
undoes this step`, a checkpoint no step had reached, where a run with one reads `(back to backup) undoes this step`."""

from __future__ import annotations

import json
from pathlib import Path

from runbook_tui.report import build_report, render
from tests.engine.test_exec_cli import run_exec

NIGHT = """\
    runbook: 1
    id: no-checkpoint
    title: No checkpoint reached
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - {id: a, title: Step a, run: echo a, undo: echo undo-a}
          - {id: b, title: Step b, run: exit 2, undo: echo undo-b}
"""


def test_each_undone_steps_history_says_the_rollback_went_back_to_the_start(tmp_path: Path) -> None:
    result = run_exec(tmp_path, NIGHT, "s3cr3t-start-1", "--on-failure", "rollback")
    assert result.returncode == 1 and "back to the start" in result.stdout, result.stdout + result.stderr
    report = build_report(tmp_path / "run.jsonl")
    markdown, html, data = render(report, "md"), render(report, "html"), json.loads(render(report, "json"))
    said = "rollback 1 to the last checkpoint (back to the start) undoes this step"
    assert "### Rollback 1: the last checkpoint (back to the start)" in markdown
    assert markdown.count(f"- {said}") == 2, markdown
    assert html.count(said) == 2
    words = [h["words"] for s in data["steps"] for h in s["history"] if h["kind"] == "rollback"]
    assert words == [said, said], words
