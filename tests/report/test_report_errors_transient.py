"""`(transient)` in the report's Errors table is said only of trouble the run got past.

A command that timed out, failing its step, read `timed out after 1s: stopping its process group (transient)`: the
executor's words are journaled as a `transient` error while the command is being stopped (the run goes on at that
moment), and the table said so of the very failure that ended the run. Now an error said on a host where the attempt
then failed (timed out, ended unknown) is that failure's cause; one whose host then did its step (a retry passed)
stays `(transient)`.
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
    id: transient
    title: Transient or not
    sections:
      - id: impl
        kind: implement
        steps:
          - {id: flaky, run: "if [ -e flag ]; then echo ok; else touch flag; sleep 30; fi", timeout: 1s, retries: 1}
          - {id: hang, run: "sleep 30", timeout: 1s}
"""
STOPPING = "timed out after 1s: stopping its process group"


def test_a_timeout_that_failed_its_step_is_not_transient_one_a_retry_got_past_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runbook.yaml").write_text(textwrap.dedent(RUNBOOK), encoding="utf-8")
    assert cli.main(["exec", "runbook.yaml", "--solo", "test", "--journal", "j.jsonl"]) == 1
    report = build_report(tmp_path / "j.jsonl")
    markdown = render(report, "md")
    assert f"| flaky | local | {STOPPING} (transient) |" in markdown, markdown
    assert f"| hang | local | {STOPPING} |" in markdown, markdown
    assert f"{STOPPING}</td>" in render(report, "html")
    errors = {e["step"]: e["transient"] for e in json.loads(render(report, "json"))["errors"]}
    assert errors == {"flaky": True, "hang": False}, errors


def test_an_undo_that_timed_out_is_not_transient_either(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rollback stops at a's undo, which timed out: before, its `timed out … (transient)` read as trouble got past."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runbook.yaml").write_text(
        textwrap.dedent("""\
            runbook: 1
            id: undo-timeout
            title: Undo timeout
            sections:
              - id: impl
                kind: implement
                steps:
                  - {id: a, run: echo a, undo: "sleep 30", timeout: 1s}
                  - {id: b, run: "exit 3", undo: echo undo-b}
            """),
        encoding="utf-8",
    )
    assert cli.main(["exec", "runbook.yaml", "--solo", "test", "--journal", "j.jsonl", "--on-failure", "rollback"]) == 1
    report = build_report(tmp_path / "j.jsonl")
    assert report.rollbacks[0].failed_step == "a"
    assert f"| a | local | {STOPPING} |" in render(report, "md")
    assert [(e["step"], e["transient"]) for e in json.loads(render(report, "json"))["errors"]] == [("a", False)]
