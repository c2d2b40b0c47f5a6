"""One rollback, one word: the Timeline, the Rollbacks section and the Outcome say how a rollback that stopped at a
failed undo ended in the same words (before: the Timeline read `rollback STOPPED at a` and, in the same report, the
Rollbacks section and the Outcome `FAILED at a`: a board reading both would count two events)."""

from __future__ import annotations

from pathlib import Path

from runbook_tui.report import build_report, render
from tests.engine.test_exec_cli import run_exec
from tests.report.test_report_board import BOARD


def test_a_stopped_rollback_reads_one_way_in_every_section_and_view(tmp_path: Path) -> None:
    (tmp_path / "make-b-fail").touch()
    (tmp_path / "undo-a-fails").touch()
    stopped = run_exec(tmp_path, BOARD, "s3cr3t-one-word", "--on-failure", "abort")
    assert stopped.returncode == 1 and "rollback STOPPED at a" in stopped.stdout, stopped.stdout + stopped.stderr
    report = build_report(tmp_path / "run.jsonl")
    md = render(report, "md")
    assert "rollback_finished  rollback STOPPED at a" in md  # the Timeline
    assert "Result: **STOPPED at a**" in md  # the Rollbacks section
    assert "the rollback of the whole change STOPPED at a: undone b; not undone a" in md  # the Outcome
    for view in (md, render(report, "html"), render(report, "json")):
        assert "FAILED at a" not in view
    html = render(report, "html")
    assert '<strong class="bad">STOPPED at a</strong>' in html  # still read as bad, not muted
