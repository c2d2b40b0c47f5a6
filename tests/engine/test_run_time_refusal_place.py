"""A value refused as its step runs (a capture rendered then) is named at its own line inside a block scalar.

Before: `cannot render the command (r.yaml:11:14): a value read as arithmetic must be an integer ...` named the
`run: |` line; in a 40-line script the author searched for the value. `validate` names the value's `FILE:LINE:COL`
for a parameter; now a capture refused at run time is named there too, in `run` and in `undo`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RUNBOOK = """\
runbook: 1
id: late-refusal
title: T
sections:
  - id: main
    steps:
      - id: cap
        run: printf '%s' 'a[$(touch MADE)]'
        capture: v
      - id: use
        FIELD: |
          echo first line
            echo indented
          echo "$(( {{ captured.v }} + 1 ))"
"""


@pytest.mark.parametrize("field", ["run", "undo"])
def test_a_refusal_at_run_time_names_the_value_s_line_in_a_block(tmp_path: Path, field: str) -> None:
    text = RUNBOOK.replace("FIELD", field)
    if field == "undo":  # the undo runs in the rollback after the next step fails
        text = text.replace("      - id: use\n", "      - id: use\n        run: 'true'\n") + "      - id: fail\n        run: exit 3\n"
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    journal = tmp_path / "J.jsonl"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"), "RUNBOOK_TUI_USER": "t"}
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")  # this tree's code, as the test process runs it
    done = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", "r.yaml", "--solo", "t", "--on-failure", "rollback", "--journal", str(journal)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    line = text.splitlines().index('          echo "$(( {{ captured.v }} + 1 ))"') + 1
    said = f"cannot render the command (r.yaml:{line}:21): a value read as arithmetic must be an integer"
    assert said in done.stdout, done.stdout + done.stderr
    errors = [
        h["error"]
        for e in map(json.loads, journal.read_text().splitlines())
        if e["type"] in ("step_finished", "undo_finished")
        for h in e["hosts"].values()
        if h.get("error")
    ]
    assert any(e.startswith(said) for e in errors), errors
    assert not (tmp_path / "MADE").exists()
