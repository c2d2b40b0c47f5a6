"""A step's note, question or confirm built from a captured value that cannot be made when the step starts: the step
fails before it runs, naming the text and where it is written, as a command, env or cwd that cannot render does
(tests/engine/test_run_time_fields.py).

Before, the text was shown as its template (`do {{ captured.v | int // 0 }}  (cannot render yet: ...)`), journaled so
in `step_ready` and `step_started`, and the step went on: the note done, the confirm acknowledged and its command run.
The contract: "No `{{` survives rendering anywhere".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

RUNBOOK = textwrap.dedent(
    """\
    runbook: 1
    id: captured-texts
    title: Texts made of a captured value
    sections:
      - id: pre
        title: Pre-checks
        kind: precheck
        steps:
          - {id: grab, title: Grab, run: "echo 7", capture: v, verify: none}
          - {id: use, STEP, verify: none}
          - {id: after, title: After, run: "touch AFTER", verify: none}
    """
)
BROKEN = "{{ captured.v | int // 0 }}"


@pytest.mark.parametrize(
    ("step", "said"),
    [
        (f'title: Use, note: "Check {BROKEN}"', "cannot render note (r.yaml:10:37)"),
        (f'title: Use, ask: "Which {BROKEN}?"', "cannot render ask (r.yaml:10:36)"),
        (f'title: Use, run: "touch RAN", confirm: "Sure? {BROKEN}"', "cannot render confirm (r.yaml:10:58)"),
    ],
    ids=["note", "ask", "confirm"],
)
def test_the_step_fails_before_it_runs_naming_the_text(tmp_path: Path, step: str, said: str) -> None:
    (tmp_path / "r.yaml").write_text(RUNBOOK.replace("STEP", step), encoding="utf-8")
    journal = tmp_path / "J.jsonl"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"), "RUNBOOK_TUI_USER": "t"}
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")  # this tree's code, as the test process runs it
    done = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", "r.yaml", "--solo", "t", "--ack-manual", "scripted", "--journal", str(journal)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    assert (done.returncode, "Traceback" in done.stderr) == (1, False), done.stdout + done.stderr
    events = [json.loads(line) for line in journal.read_text().splitlines()]
    [finished] = [e for e in events if e["type"] == "step_finished" and e["step"] == "use"]
    error = finished["hosts"]["local"]["error"]
    assert (finished["status"], error.split(": cannot render template")[0]) == ("failed", said), finished
    assert error.endswith("integer division or modulo by zero"), error
    assert f"   ✗ {said}" in done.stdout, done.stdout
    assert not (tmp_path / "RAN").exists() and not (tmp_path / "AFTER").exists(), "a command ran"
    assert [e["outcome"] for e in events if e["type"] == "session_finished"] == ["failed"]
