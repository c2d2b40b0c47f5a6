"""A step field built from a captured value that cannot be made at run time: the step fails before it runs, naming
the field, journaled, without a traceback.

`expect.stdout: "{{ captured.v | raw }}"` with v = `a(b` ran the command, then the regex error escaped the host
tasks: `step bad crashed`, an ExceptionGroup traceback, the run ABORTED and the step unknown; a pattern over the
template budget did the same. An `env` value or `cwd` that failed read `cannot render the command`.
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
    id: captured-fields
    title: Fields made of a captured value
    sections:
      - id: pre
        title: Pre-checks
        kind: precheck
        steps:
          - {id: grab, title: Grab, run: "echo 'a(b'", capture: v, verify: none}
          - {id: use, title: Use it, run: "touch RAN", FIELD, verify: none}
    """
)


@pytest.mark.parametrize(
    ("field", "said"),
    [
        ('expect: {stdout: "{{ captured.v | raw }}"}', "expect.stdout: /a(b/ is not a valid regular expression: missing ) at position 3"),
        (
            'expect: {stdout: "{{ captured.v * 100000000 }}"}',
            "cannot render expect.stdout (r.yaml:10:69): the template builds a value of 300000000 items; the limit is 1000000",
        ),
        ('env: {A: "{{ captured.v | wordwrap(0) }}"}', "cannot render env A (r.yaml:10:61): cannot render template: invalid width 0 (must be > 0)"),
        ('cwd: "{{ captured.v | int(base=2) // 0 }}"', "cannot render cwd (r.yaml:10:57): cannot render template: integer division or modulo by zero"),
    ],
    ids=["regex", "budget", "env", "cwd"],
)
def test_the_step_fails_before_it_runs_naming_the_field(tmp_path: Path, field: str, said: str) -> None:
    (tmp_path / "r.yaml").write_text(RUNBOOK.replace("FIELD", field), encoding="utf-8")
    journal = tmp_path / "J.jsonl"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"), "RUNBOOK_TUI_USER": "t"}
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")  # this tree's code, as the test process runs it
    done = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", "r.yaml", "--solo", "t", "--journal", str(journal)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    assert (done.returncode, "Traceback" in done.stderr) == (1, False), done.stdout + done.stderr
    events = [json.loads(line) for line in journal.read_text().splitlines()]
    [finished] = [e for e in events if e["type"] == "step_finished" and e["step"] == "use"]
    assert (finished["status"], finished["hosts"]["local"]["error"]) == ("failed", said), finished
    assert f"✗ local: {said}" in done.stdout, done.stdout
    assert not (tmp_path / "RAN").exists(), "the command ran"


def test_a_command_that_cannot_render_says_where_it_is_written(tmp_path: Path) -> None:
    """Before: `cannot render the command: cannot render template: list object has no element 5`, with no place: the
    author had to search the runbook for the template. Now FILE:LINE:COL of the `run` text, as validate names places."""
    text = RUNBOOK.replace('run: "touch RAN", FIELD', "run: \"touch RAN{{ captured.v.split('x')[5] }}\"")
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    journal = tmp_path / "J.jsonl"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"), "RUNBOOK_TUI_USER": "t"}
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", "r.yaml", "--solo", "t", "--journal", str(journal)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    said = "cannot render the command (r.yaml:10:39): cannot render template: list object has no element 5"
    assert f"✗ local: {said}" in done.stdout, done.stdout
    assert not list(tmp_path.glob("RAN*")), "the command ran"


def test_a_rollback_step_using_a_capture_never_made_says_which_step_makes_it(tmp_path: Path) -> None:
    """A rollback section's step using `captured.*` of a step the run never reached (the change failed before it): the
    full rollback stopped there saying `cannot render template: 'dict object' has no attribute 'lsn'`, Jinja's words
    for a name the author wrote. Now it names the capture and the step that makes it; nothing is run."""
    text = textwrap.dedent(
        """\
        runbook: 1
        id: lost-capture
        title: A capture the rollback wants
        sections:
          - id: change
            title: Change
            steps:
              - {id: break, title: Fails, run: "exit 3", undo: "true", verify: none}
              - {id: mark, title: Marks, run: "echo 0/16B3748", capture: lsn, undo: "true", verify: none}
          - id: back
            title: Back
            kind: rollback
            steps:
              - {id: rewind, title: Rewind, run: "touch RAN{{ captured.lsn }}", verify: none}
        """
    )
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    journal = tmp_path / "J.jsonl"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"), "RUNBOOK_TUI_USER": "t"}
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", "r.yaml", "--solo", "t", "--on-failure", "abort", "--journal", str(journal)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    said = "cannot render the command (r.yaml:14:42): captured.lsn has no value: step 'mark', which captures it, has not run in this session"
    assert f"✗ local: {said}" in done.stdout, done.stdout
    assert not list(tmp_path.glob("RAN*")), "the command ran"
