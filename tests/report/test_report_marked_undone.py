"""A step marked done by hand after `kill -9`, then undone by a rollback: the Summary says how it had ended as its row does.

Before: the Steps table read `marked done, then undone` and the Summary `2 undone (1 done, 1 FAILED before the
rollback)`, as if the step had been seen to succeed.
"""

from __future__ import annotations

from pathlib import Path

from runbook_tui.report import build_report, render
from tests.report.test_views_agree import killed_in_b_then_resumed

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
    journal = tmp_path / "run.jsonl"
    went = killed_in_b_then_resumed(tmp_path, RUNBOOK, "--mark-done", "checked b by hand", "--continue", "--on-failure", "rollback")
    assert went.returncode == 1 and "rollback finished" in went.stdout, went.stdout + went.stderr

    markdown = render(build_report(journal), "md")
    assert "| 2 | b: Step b | Change | local | marked done, then undone |" in markdown, markdown
    assert "| **Steps** | 1 done, 2 undone (1 marked done, 1 FAILED before the rollback); 1 UNVERIFIED |" in markdown, markdown
