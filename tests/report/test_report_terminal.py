"""`report --format md` on a terminal shows escape sequences from the journal, never sends them;
to a file or a pipe the report keeps the journal's bytes. A `\\r` cannot split a table row."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from runbook_tui.report.markdown import code, esc

RUNBOOK = """\
runbook: 1
id: escapes
title: Escapes
sections:
  - id: main
    steps:
      - id: title
        run: printf '\\033]0;pwned\\007\\033[2Jdone\\n'
"""


def _journal(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    (tmp_path / "escapes.yaml").write_text(RUNBOOK, encoding="utf-8")
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", "escapes.yaml", "--solo", "test"], cwd=tmp_path, env=env, capture_output=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    assert b"\x1b" not in run.stdout  # exec's event lines show it too
    return next((tmp_path / "state").rglob("*.jsonl")), env


def test_report_to_a_terminal_shows_escapes_and_to_a_pipe_keeps_them(tmp_path: Path) -> None:
    journal, env = _journal(tmp_path)
    piped = subprocess.run([sys.executable, "-m", "runbook_tui", "report", str(journal)], env=env, capture_output=True, timeout=60, check=False)
    assert b"\x1b]0;pwned" in piped.stdout  # a file or a pipe gets the bytes as journaled
    primary, secondary = pty.openpty()
    try:
        shown = subprocess.run(
            [sys.executable, "-m", "runbook_tui", "report", str(journal)], env=env, stdout=secondary, stderr=subprocess.PIPE, timeout=60, check=False
        )
        os.close(secondary)
        secondary = -1
        data = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
    finally:
        os.close(primary)
        if secondary >= 0:
            os.close(secondary)
    assert shown.returncode == 0, shown.stderr
    assert b"\x1b" not in data and b"\x07" not in data
    assert "\u241b]0;pwned".encode() in data


def test_a_carriage_return_cannot_split_a_table_cell() -> None:
    for text in ("a\r| forged | row |", "a\u2028b", "a\r\nb"):
        assert "\r" not in esc(text) and "\n" not in esc(text) and "\u2028" not in esc(text)
        assert "\r" not in code(text) and "\n" not in code(text)
