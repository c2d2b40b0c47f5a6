"""`report --format md` shows escape sequences from the journal, never sends them, on a terminal and in a file or a
pipe alike (a report is read later with `cat` or `less -R`); the JSON report keeps the journal's text exactly, as JSON
escapes. A `\\r` cannot split a table row."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from runbook_tui.engine.history_model import Move, Point
from runbook_tui.engine.practice_results import DecisionPoint, Results
from runbook_tui.report import practice_md
from runbook_tui.report.markdown import code, esc
from runbook_tui.runbook.safe_text import json_inert

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


def test_report_shows_escapes_on_a_terminal_in_a_pipe_and_in_a_file_and_json_keeps_them_escaped(tmp_path: Path) -> None:
    journal, env = _journal(tmp_path)
    for fmt in ("md", "html"):
        piped = subprocess.run(
            [sys.executable, "-m", "runbook_tui", "report", str(journal), "--format", fmt], env=env, capture_output=True, timeout=60, check=False
        )
        assert b"\x1b" not in piped.stdout and b"\x07" not in piped.stdout, fmt  # `report > r.md; cat r.md` is not driven either
        assert "\u241b]0;pwned\u2407".encode() in piped.stdout, fmt
    written = tmp_path / "report.md"
    assert subprocess.run([sys.executable, "-m", "runbook_tui", "report", str(journal), "-o", str(written)], env=env, timeout=60, check=False).returncode == 0
    assert "\x1b" not in written.read_text(encoding="utf-8") and "\u241b]0;pwned" in written.read_text(encoding="utf-8")
    exact = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "report", str(journal), "--format", "json"], env=env, capture_output=True, timeout=60, check=False
    )
    assert b"\x1b" not in exact.stdout and b"\\u001b]0;pwned\\u0007" in exact.stdout  # the exact text, as JSON escapes
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


def test_the_json_report_escapes_what_could_drive_or_mislead_a_terminal_and_reads_back_the_same() -> None:
    """`cat report.json`: a C1 CSI (U+009B), DEL and a bidi override (U+202E) from recorded output are JSON escapes in
    the file (json.dumps left them raw), and the parsed data is exactly the journal's text; other text stays readable."""
    text = "ok \u009b2J \x7f \u202etxt.exe \u2066iso\u2069 \ufeff é 日本 \x1b[31m"
    written = json_inert(json.dumps({"output": text}, ensure_ascii=False))
    assert json.loads(written) == {"output": text}
    assert not any(ch in written for ch in "\u009b\x7f\u202e\u2066\u2069\ufeff\x1b"), written
    assert "é 日本" in written


def test_the_practice_results_file_shows_the_nights_escapes_never_sends_them() -> None:
    """`replay --practice --out FILE`: the trainer's scenario, the night's reasons and step ids come from a journal
    (hostile text); the Markdown for the trainer shows their escapes as characters, like the report."""
    point = Point(step="one\x1b[2J", attempts=1, verdicts=0, running=False)
    night = Move("skip", "one\x1b[2J", point, "2026-12-01T23:00:00Z", 4.0, 7, detail="flaky \x1b]0;pwned\x07")
    results = Results([DecisionPoint("one\x1b[2J", night, None, "then \x1b]52;c;eA==\x07")], verifier="bob\x9b2J", scenario="Watch \u202eit\x1b[2J")
    text = practice_md.render(results, "night\x1b[2J.jsonl", "trainee\x1b[31m")
    assert not any(ch in text for ch in "\x1b\x07\x9b\u202e"), text
    assert "then \u241b]52;c;eA==\u2407" in text.replace("\\", "") and "Watch \u27e8U+202E\u27e9it" in text
