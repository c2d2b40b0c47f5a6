"""`exec --on-failure rollback|abort` where nothing can be undone journals no rollback of nothing.

A precheck that fails first: nothing ran that an undo could reverse. exec journaled `rollback_started` and
`rollback_finished` with nothing in them and ended ROLLED BACK; the report read `ROLLED BACK to the last checkpoint`
and `Rollback 1 … completed … Nothing to undo`: a change board read that a change had been rolled back. The run
screen's `u` refuses such a rollback already (tests/ui/test_undo_list_nothing.py). Now exec says there is nothing to
roll back, in the undo list's words, and the run ends FAILED (the precheck failed; nothing was changed).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runbook_tui.engine.journal import read_events
from runbook_tui.report import build_report, render
from tests.engine.test_exec_cli import run_exec

RUNBOOK = """\
    runbook: 1
    id: nothing-to-roll-back
    title: Nothing to roll back
    ticket: {id: CHG-4, subject: nothing}
    sections:
      - id: pre
        title: Pre
        kind: precheck
        steps:
          - {id: look, title: Look first, run: "false"}
      - id: impl
        title: Change
        kind: implement
        steps:
          - {id: edit, title: Edit, run: echo edit >> marks, undo: echo undo-edit >> marks}
"""


@pytest.mark.parametrize(("policy", "words"), [
    ("rollback", "nothing to roll back: no step since the last checkpoint (the start) has an undo to run"),
    ("abort", "nothing to roll back: no step that ran has an undo, and the runbook has no rollback section"),
])  # fmt: skip
def test_a_failed_first_look_journals_no_rollback_and_ends_failed(tmp_path: Path, policy: str, words: str) -> None:
    result = run_exec(tmp_path, RUNBOOK, "s3cr3t-nothing", "--on-failure", policy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"exec --on-failure {policy}: 'look' failed: {words}; the run ends FAILED" in result.stdout, result.stdout
    assert "outcome FAILED" in result.stdout and "rollback_started" not in result.stdout, result.stdout
    events = read_events(tmp_path / "run.jsonl").events
    assert not [e for e in events if e["type"].startswith("rollback_")], "no rollback of nothing journaled"
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "failed", events[-1]
    assert not (tmp_path / "marks").exists(), "nothing ran after the look"
    markdown = render(build_report(tmp_path / "run.jsonl"), "md")
    assert "ROLLED BACK" not in markdown and "Rollback 1" not in markdown, markdown
