"""The Markdown report as a reader's renderer shows it (markdown-it, GitHub's flavour of tables): what a value holds
is what the page shows, inside tables and out."""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt

from runbook_tui.report import build_report, render
from tests.engine.test_exec_cli import run_exec

#: A capture holding the pipes of a shell pipeline, as `capture:` keeps a step's stdout.
CAPTURES_A_PIPE = """\
    runbook: 1
    id: capture-pipe
    title: Capture a pipe
    sections:
      - id: impl
        kind: implement
        steps:
          - {id: probe, title: Probe, run: "printf '%s' 'ps | grep -v grep'", capture: pipeline}
"""


def shown(markdown: str) -> str:
    """The text a reader sees of the rendered page, tags dropped and entities read."""
    page = MarkdownIt("commonmark").enable("table").render(markdown)
    return re.sub(r"<[^>]+>", "", page).replace("&gt;", ">").replace("&lt;", "<").replace("&quot;", '"').replace("&amp;", "&")


def test_a_captured_value_holding_a_pipe_reads_as_captured(tmp_path: Path) -> None:
    """The captured value is shown in a code span outside any table: its pipe was escaped as for a table cell, and a
    code span keeps backslashes, so the page read `ps \\| grep -v grep`, a value the step never printed."""
    ran = run_exec(tmp_path, CAPTURES_A_PIPE, "s3cr3t-capture-1")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    report = build_report(tmp_path / "run.jsonl")
    assert report.steps[0].captured == {"pipeline": "ps | grep -v grep"}
    page = shown(render(report, "md"))
    assert "captured pipeline: ps | grep -v grep" in page, page
