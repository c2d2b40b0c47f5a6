"""An undo that renders empty, in the words `exec` prints when a rollback starts.

The rollback's list read `undo b on local: (no undo: acknowledged)`, and the next lines said `undo_started undo b` and
`undo b: local: ok exit 0`: the journal's plan holds `""` (an undo that runs nothing), not `null` (no undo), and the
words took one for the other.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RUNBOOK = """\
runbook: 1
id: rd
title: T
sections:
  - id: s
    title: S
    kind: implement
    steps:
      - {id: b, title: B, run: "{% if false %}x{% endif %}", undo: "{% if false %}x{% endif %}"}
      - {id: c, title: C, run: "exit 1"}
"""


def test_an_undo_that_renders_empty_is_not_called_no_undo(tmp_path: Path) -> None:
    path = tmp_path / "rd.yaml"
    path.write_text(RUNBOOK, encoding="utf-8")
    env = {**os.environ, "RUNBOOK_TUI_USER": "alice", "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state")}
    argv = [sys.executable, "-m", "runbook_tui", "exec", str(path), "--solo", "t", "--on-failure", "abort", "--journal", str(tmp_path / "j.jsonl")]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[3:5] == ["   run on local: (empty once rendered: runs nothing)", "   undo on local: (empty once rendered: runs nothing)"], done.stdout
    assert "   undo c (step failed) on local: (no undo: acknowledged)" in lines, done.stdout
    assert "   undo b on local: (empty once rendered: runs nothing)" in lines, done.stdout
