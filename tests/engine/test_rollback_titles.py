"""The undo list names each step by the title people saw, never by its template.

A title made of a capture (`title: "Drain {{ captured.node }}"`) or of the host is rendered just before its step
(runbook format, Extensions: "No `{{` survives rendering anywhere"). `step_ready` carried the rendered title, but the
rollback plan journaled in `rollback_started` (and read back by replay and the report) carried the raw template:
`"step_title": "Use {{ captured.v }}"`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

RUNBOOK = textwrap.dedent(
    """\
    runbook: 1
    id: lazy-titles
    title: Lazy titles in the undo list
    sections:
      - id: change
        title: Change
        kind: implement
        steps:
          - {id: grab, title: Grab, run: "echo node-7", capture: v, undo: "echo undo-grab"}
          - {id: use, title: "Use {{ captured.v }}", run: "echo used", undo: "echo undo-use"}
          - {id: here, title: "On {{ host.name }}", run: "echo here", undo: "echo undo-here"}
          - {id: boom, title: Boom, run: "exit 3"}
    """
)


def test_the_journaled_undo_list_carries_rendered_titles(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(RUNBOOK, encoding="utf-8")
    journal = tmp_path / "J.jsonl"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"), "RUNBOOK_TUI_USER": "t"}
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")  # this tree's code, as the test process runs it
    done = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", "r.yaml", "--solo", "t", "--journal", str(journal), "--on-failure", "rollback"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    events = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    [started] = [e for e in events if e["type"] == "rollback_started"]
    titles = {entry["step_id"]: entry["step_title"] for entry in started["plan"]["entries"]}
    assert titles == {"boom": "Boom", "here": "On local", "use": "Use node-7", "grab": "Grab"}, started["plan"]
    assert [e["outcome"] for e in events if e["type"] == "session_finished"] == ["rolled_back"]
    # session_started keeps the runbook file's text (`source`, for resume): the only place a template may be
    shown = [{k: v for k, v in e.items() if (e["type"], k) != ("session_started", "source")} for e in events]
    leftovers = [e for e in shown if "{{" in json.dumps(e, ensure_ascii=False)]
    assert leftovers == [], leftovers
