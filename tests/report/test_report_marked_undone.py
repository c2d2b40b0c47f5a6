"""A step marked done by hand after `kill -9`, then undone by a rollback: the Summary says how it had ended as its row does.

Before: the Steps table read `marked done, then undone` and the Summary `2 undone (1 done, 1 FAILED before the
rollback)`, as if the step had been seen to succeed.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from waiting import wait_until

from runbook_tui.report import build_report, render
from tests.engine.test_exec_cli import exec_env
from tests.report.test_views_agree import resume, started

RUNBOOK = """\
    runbook: 1
    id: marked-undone
    title: Marked, then undone
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - {id: a, title: Step a, run: echo a, undo: echo undo-a, checkpoint: true}
          - {id: b, title: Step b, run: "i=0; while [ ! -e release ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done", undo: echo undo-b}
          - {id: c, title: Step c, run: "exit 4", undo: echo undo-c}
"""


def test_the_summary_counts_a_step_marked_done_by_hand_as_its_row_says_it(tmp_path: Path) -> None:
    (tmp_path / "runbook.yaml").write_text(textwrap.dedent(RUNBOOK), encoding="utf-8")
    journal = tmp_path / "run.jsonl"
    command = [sys.executable, "-m", "runbook_tui", "exec", "runbook.yaml", "--solo", "e2e test", "--journal", "run.jsonl"]
    proc = subprocess.Popen(command, cwd=tmp_path, env=exec_env(tmp_path, "unused"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: started(journal, "b"), "exec to start b", 30, alive=proc)
    finally:
        proc.kill()
        proc.wait(10)
    (tmp_path / "release").touch()
    went = resume(tmp_path, "--mark-done", "checked b by hand", "--continue", "--on-failure", "rollback")
    assert went.returncode == 1 and "rollback finished" in went.stdout, went.stdout + went.stderr

    markdown = render(build_report(journal), "md")
    assert "| 2 | b: Step b | Change | local | marked done, then undone |" in markdown, markdown
    assert "| **Steps** | 1 done, 2 undone (1 marked done, 1 FAILED before the rollback); 1 UNVERIFIED |" in markdown, markdown
