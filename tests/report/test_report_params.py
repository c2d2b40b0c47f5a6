"""The Parameters row of the record (and `plan`'s params line, which `approve` shows before signing) lists
`name=value, ...`: a value is hostile text, and must not read as another parameter, another type, or vanish."""

from __future__ import annotations

from pathlib import Path

import pytest

from runbook_tui.cli import main as cli_main
from runbook_tui.report import build_report, render
from tests.engine.test_exec_cli import run_exec

RUNBOOK = """\
    runbook: 1
    id: params-forged
    title: Params
    params:
      dry_run: {type: bool, default: true}
      flag: {type: string, default: ""}
      note: {type: string, default: ""}
      pad: {type: string, default: ""}
    sections:
      - id: impl
        kind: implement
        steps:
          - {id: a, title: Step a, run: echo a}
"""

#: A note that ends as if another parameter followed; a string that reads as a bool; one of blanks around a word.
HOSTILE = ["-p", "note=checked, dry_run=false", "-p", "flag=false", "-p", "pad=  x  "]
SAID = 'dry_run=true, flag="false", note="checked, dry_run=false", pad="  x  "'


def test_a_parameter_value_cannot_read_as_another_parameter_or_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: `dry_run=true, flag=false, note=checked, dry_run=false, pad=  x  `: a board (and an approver) read
    dry_run=false last, a string `false` as the bool, and the blanks around x not at all."""
    ran = run_exec(tmp_path, RUNBOOK, "s3cr3t-params-1", *HOSTILE)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    report = build_report(tmp_path / "run.jsonl")
    assert report.session.params == {"dry_run": True, "flag": "false", "note": "checked, dry_run=false", "pad": "  x  "}
    md, html = render(report, "md"), render(report, "html")
    row = next(line for line in md.splitlines() if line.startswith("| Parameters |"))
    assert row == "| Parameters | " + SAID.replace("_", "\\_") + " |", row
    assert "<dd>" + SAID.replace('"', "&#34;") + "</dd>" in html
    assert cli_main(["plan", str(tmp_path / "runbook.yaml"), *HOSTILE]) == 0
    assert f"  params: {SAID}\n" in capsys.readouterr().out  # the same words as the record's
