"""The Rollbacks section's `Result on host`: how the step stood on each host, as the undo list said it before it ran.

After `rehearse --fail-at push` the table read `FAILED` on every host, as if push's command had run and failed there;
the step's own row and the timeline's undo list say the failure was injected and the command never ran.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from runbook_tui import cli
from runbook_tui.report import build_report, render

RUNBOOK = """\
    runbook: 1
    id: injected
    title: Injected failure
    sections:
      - id: impl
        kind: implement
        steps:
          - {id: backup, run: echo backup, undo: echo unbackup, checkpoint: true}
          - {id: push, run: echo push >> marks, undo: echo unpush}
          - {id: real, run: "exit 3", undo: echo unreal}
"""
NEVER_RAN = "injected by rehearse --fail-at: its command never ran"


def write_runbook(folder: Path) -> Path:
    path = folder / "runbook.yaml"
    path.write_text(textwrap.dedent(RUNBOOK), encoding="utf-8")
    return path


@pytest.fixture
def journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    assert cli.main(["rehearse", "--yes", str(write_runbook(tmp_path)), "--journal", "r.jsonl", "--fail-at", "push"]) == 0
    assert not (tmp_path / "marks").exists(), "push never ran"
    return tmp_path / "r.jsonl"


def test_the_undo_table_says_an_injected_failure_never_ran(journal: Path) -> None:
    report = build_report(journal)
    markdown = render(report, "md")
    assert f"| 1 | push | local | FAILED ({NEVER_RAN}) | ok | exit 0 |" in markdown, markdown
    assert f"FAILED ({NEVER_RAN})</td>" in render(report, "html")
    [undo] = json.loads(render(report, "json"))["rollbacks"][0]["undo"]
    assert undo["original_outcome"] == "failed" and undo["note"] == f"step failed, {NEVER_RAN}", undo


def test_a_failure_that_ran_reads_failed_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_runbook(tmp_path)
    assert cli.main(["exec", str(path), "--solo", "test", "--journal", "e.jsonl", "--on-failure", "rollback"]) == 1
    markdown = render(build_report(tmp_path / "e.jsonl"), "md")
    assert "| 1 | real | local | FAILED | ok | exit 0 |" in markdown, markdown  # not `FAILED (step failed)`
    assert "| 2 | push | local | done | ok | exit 0 |" in markdown, markdown
