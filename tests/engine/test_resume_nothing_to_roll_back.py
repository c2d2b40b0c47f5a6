"""`resume J --rollback` of a failed session whose rollback would list nothing is refused, as `u` and exec refuse it.

A precheck that failed first, `exec --on-failure stop`: `resume J --rollback` journaled `session_reopened`, a
`rollback_started` and `rollback_finished` with nothing in them, and `session_finished` ROLLED BACK: the report read
that a change had been rolled back where nothing had changed. The run screen's `u` (tests/ui/test_undo_list_nothing.py)
and `exec --on-failure rollback` (tests/engine/test_exec_nothing_to_roll_back.py) say `nothing to roll back` and
journal nothing. Now resume says it in the same words before it reopens anything, exits 1 (the session stays failed,
as `run` exits for one) and leaves the journal as it was.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from runbook_tui.report import build_report, render
from tests.engine.test_exec_cli import exec_env, run_exec
from tests.engine.test_exec_nothing_to_roll_back import RUNBOOK

#: 'backup' (an undo) is the checkpoint; the look after it fails: a rollback to the checkpoint has nothing to undo.
AFTER_CHECKPOINT = """\
    runbook: 1
    id: after-checkpoint
    title: After the checkpoint
    ticket: {id: CHG-5, subject: nothing}
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - {id: backup, title: Backup, run: echo backup >> marks, undo: echo undo-backup >> marks, checkpoint: true}
      - id: check
        title: Check
        kind: verify
        steps:
          - {id: look, title: Look, run: "false"}
"""


def resume(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runbook_tui", "resume", "run.jsonl", *args],
        cwd=workdir, env=exec_env(workdir, "unused"), capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def test_a_failed_first_look_is_not_reopened_for_a_rollback_of_nothing(tmp_path: Path) -> None:
    first = run_exec(tmp_path, RUNBOOK, "unused")
    assert first.returncode == 1 and "outcome FAILED" in first.stdout, first.stdout + first.stderr
    journal = tmp_path / "run.jsonl"
    before = journal.read_bytes()
    for args, why in [
        (("--rollback",), "no step since the last checkpoint (the start) has an undo to run"),
        (("--rollback", "--full"), "no step that ran has an undo, and the runbook has no rollback section"),
    ]:
        refused = resume(tmp_path, *args)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        said = f"this session ended FAILED; nothing to roll back: {why}: nothing was reopened, nothing journaled"
        assert said in refused.stderr, refused.stderr
        assert journal.read_bytes() == before, "nothing journaled: no reopening, no rollback of nothing"
    markdown = render(build_report(journal), "md")
    assert "ROLLED BACK" not in markdown and "Rollback 1" not in markdown, markdown


def test_after_the_checkpoint_the_refusal_names_the_full_rollback_which_still_runs(tmp_path: Path) -> None:
    first = run_exec(tmp_path, AFTER_CHECKPOINT, "unused")
    assert first.returncode == 1 and "outcome FAILED" in first.stdout, first.stdout + first.stderr
    journal = tmp_path / "run.jsonl"
    before = journal.read_bytes()
    refused = resume(tmp_path, "--rollback")
    assert refused.returncode == 1 and journal.read_bytes() == before, refused.stdout + refused.stderr
    assert "nothing to roll back: no step since the last checkpoint ('backup') has an undo to run" in refused.stderr, refused.stderr
    assert "`resume --rollback --full` undoes what ran before the checkpoint" in refused.stderr, refused.stderr
    full = resume(tmp_path, "--rollback", "--full")
    assert full.returncode == 1 and "outcome ROLLED BACK" in full.stdout, full.stdout + full.stderr  # rolled back: 1, as `run`
    assert (tmp_path / "marks").read_text().splitlines() == ["backup", "undo-backup"]
