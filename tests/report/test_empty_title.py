"""A step whose title is empty (`title: ""`, which validate accepts) is named by its id alone in every format.

Seen in a walk: the report read `| 1 | empty:  | Change |`, `### 1. empty:  — UNVERIFIED` and, in the timeline,
`step_ready         empty: `: the id, a colon and a trailing blank where the title would be.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

RUNBOOK = """\
runbook: 1
id: t
title: T
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: empty
        title: ""
        run: echo hi
        undo: echo undo
"""


def _cli(tmp_path: Path, *args: str) -> str:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    done = subprocess.run([sys.executable, "-m", "runbook_tui", *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_step_with_an_empty_title_is_named_by_its_id_alone(tmp_path: Path) -> None:
    (tmp_path / "R.yaml").write_text(RUNBOOK, encoding="utf-8")
    _cli(tmp_path, "exec", "R.yaml", "--solo", "an empty title", "--journal", "J.jsonl")
    md = _cli(tmp_path, "report", "J.jsonl")
    html = _cli(tmp_path, "report", "J.jsonl", "--format", "html")
    named = [line for line in md.splitlines() if re.search(r"\bempty\b", line) and "UNVERIFIED:" not in line]
    assert named, md
    for line in named:
        assert not re.search(r"\bempty: ( |$)", line), f"a colon and a blank for the empty title: {line!r}"
    assert "| 1 | empty | Change |" in md, md
    assert '<a href="#step-empty">empty</a>: <' not in html and "1. empty: </h3>" not in html, html
    assert '<a href="#step-empty">empty</a></td>' in html and "<h3>1. empty</h3>" in html, html
