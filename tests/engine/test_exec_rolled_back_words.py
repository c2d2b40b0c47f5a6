"""`exec`'s (and `resume --headless`'s) `session_finished` line of a run rolled back to its checkpoint says where to.

The run screen's, replay's and the detail pane's last status row and the report's Outcome read `ROLLED BACK to the
last checkpoint (a)` (engine/outcome_words.py `outcome_said`); exec's own line read `outcome ROLLED BACK`, as if the
whole change had been undone, while a stood; so did the report's Timeline (exec's lines). A full rollback (`--on-failure abort`) still says `ROLLED BACK` alone.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from runbook_tui.engine.journal import read_events
from runbook_tui.report import build_report, render
from tests.engine.test_exec_cli import exec_env, run_exec

RUNBOOK = """\
    runbook: 1
    id: rolled-back-words
    title: Rolled back words
    ticket: {id: CHG-7, subject: words}
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - {id: a, title: Step a, run: echo a, CHECKPOINT}
          - {id: b, title: Step b, run: echo b, undo: echo undo-b}
          - {id: c, title: Step c, run: "false", undo: echo undo-c}
"""


def finished_line(stdout: str) -> str:
    """The words of the `session_finished` line, after its time and type."""
    [line] = [line for line in stdout.splitlines() if " session_finished " in line]
    return line.split(" session_finished ", 1)[1].strip()


@pytest.mark.parametrize(("checkpoint", "policy", "said"), [
    ("checkpoint: true", "rollback", "outcome ROLLED BACK to the last checkpoint (a)"),
    ("undo: echo undo-a", "rollback", "outcome ROLLED BACK to the last checkpoint (the start)"),
    ("checkpoint: true", "abort", "outcome ROLLED BACK"),  # the whole change undone: nothing stands
])  # fmt: skip
def test_exec_says_what_a_rollback_went_back_to(tmp_path: Path, checkpoint: str, policy: str, said: str) -> None:
    ran = run_exec(tmp_path, RUNBOOK.replace("CHECKPOINT", checkpoint), "s3cr3t-words", "--on-failure", policy)
    assert ran.returncode == 1, ran.stdout + ran.stderr
    report = build_report(tmp_path / "run.jsonl")
    person = report.session.ran_by[0]
    # who ended it, as the report's Outcome says it (exec's line said the outcome alone, so a change board read two ends)
    assert finished_line(ran.stdout) == f"{said} (by exec, run by {person})", ran.stdout
    assert f"| **Outcome** | **{said.removeprefix('outcome ')}** (by exec, run by {person}) |" in render(report, "md").splitlines()
    assert read_events(tmp_path / "run.jsonl").events[-1]["outcome"] == "rolled_back"
    # the report's Timeline is exec's lines: it read `outcome ROLLED BACK` under an Outcome naming the checkpoint
    [end] = [entry for entry in report.timeline if entry.type == "session_finished"]
    assert end.text in ran.stdout.splitlines(), (end, ran.stdout)


def test_resume_rollback_says_the_checkpoint_too(tmp_path: Path) -> None:
    stopped = run_exec(tmp_path, RUNBOOK.replace("CHECKPOINT", "checkpoint: true"), "s3cr3t-words", "--on-failure", "stop")
    assert stopped.returncode == 1, stopped.stdout + stopped.stderr
    person = build_report(tmp_path / "run.jsonl").session.ran_by[0]
    assert finished_line(stopped.stdout) == f"outcome FAILED (by exec, run by {person})", stopped.stdout
    resumed = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "resume", "run.jsonl", "--solo", "e2e test", "--headless", "--rollback"],
        cwd=tmp_path, env=exec_env(tmp_path, "unused"), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert resumed.returncode == 1, resumed.stdout + resumed.stderr
    assert finished_line(resumed.stdout) == f"outcome ROLLED BACK to the last checkpoint (a) (by {person})", resumed.stdout
    assert f"reopened by {person} (it ended FAILED): resume --rollback" in resumed.stdout, resumed.stdout  # it read `failed`
